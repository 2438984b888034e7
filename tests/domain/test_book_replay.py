"""domain.book_replay: snapshots replace, deltas add on their own stream, gaps blank the book."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.book_replay import BookEvent, replay_minutes

T0 = datetime(2026, 12, 1, 12, 0, 30, tzinfo=UTC)
D = Decimal


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _snapshot(
    at: datetime, stream: str, seq: int, side: str, price: str | None, size: str | None
) -> BookEvent:
    return BookEvent(
        at,
        "snapshot",
        stream,
        seq,
        side,
        None if price is None else D(price),
        None if size is None else D(size),
    )


def test_snapshot_then_deltas_give_the_book_at_each_minute() -> None:
    events = [
        _snapshot(_at(0), "c:1", 1, "yes", "0.21", "50"),
        _snapshot(_at(0), "c:1", 1, "yes", "0.20", "10"),
        _snapshot(_at(0), "c:1", 1, "no", "0.75", "10"),
        BookEvent(_at(60), "delta", "c:1", 2, "yes", D("0.21"), D("-50")),  # the best bid leaves
        BookEvent(_at(90), "delta", "c:9", 7, "yes", D("0.30"), D("99")),  # a stale stream: ignored
    ]
    books = list(replay_minutes(events, {"c:1": _at(150)}))
    assert [b.minute_at for b in books] == [T0 + timedelta(seconds=30 + 60 * i) for i in range(3)]
    first, second, third = books
    assert (first.best_yes_bid, first.best_yes_bid_size, first.best_no_bid) == (
        D("0.21"),
        D("50"),
        D("0.75"),
    )
    assert first.yes_depth == D("60") and first.yes_levels == 2
    # the delta at 12:01:30 counts from 12:02:00 on (state as of the minute, no look-ahead)
    assert first.minute_at == datetime(2026, 12, 1, 12, 1, tzinfo=UTC)
    assert (second.best_yes_bid, second.yes_levels) == (D("0.20"), 1)
    assert third.best_yes_bid == D("0.20")  # the stale stream's 0.30 never shows
    assert all(b.minute_at <= _at(150) for b in books)  # not past the connection's last line


def test_a_gap_blanks_the_book_until_the_next_snapshot() -> None:
    events = [
        _snapshot(_at(0), "c:1", 1, "yes", "0.21", "5"),
        _snapshot(_at(0), "c:1", 1, "no", None, None),  # an empty NO side
        BookEvent(_at(100), "gap"),
        BookEvent(_at(130), "delta", "c:1", 3, "yes", D("0.22"), D("1")),  # after the gap: dropped
        _snapshot(_at(300), "c:2", 1, "yes", "0.25", "4"),
    ]
    books = list(replay_minutes(events, {"c:1": _at(1000), "c:2": _at(400)}))
    minutes = [b.minute_at for b in books]
    gap_start, resnapshot = _at(100), _at(300)
    assert not [m for m in minutes if gap_start < m < resnapshot]
    assert minutes[0] == _at(30) and books[0].best_no_bid is None and books[0].no_depth == 0
    assert books[-1].best_yes_bid == D("0.25") and books[-1].minute_at <= _at(400)
