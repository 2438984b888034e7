"""Recorded top-of-book files as a replay's books (``trader.replay_books``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.brackets import Bracket
from trader.replay_books import RecordedBooks, event_of, read_top_of_book
from trader.replay_warehouse import ReplayDataError

HEADER = "timestamp,market_ticker,best_yes_bid,best_no_bid,implied_no_ask,implied_yes_ask\n"


def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "KXHIGHNY-25DEC05.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines))
    return path


def test_naive_pacific_times_become_utc_and_the_last_fresh_row_is_the_book(
    tmp_path: Path,
) -> None:
    path = _file(
        tmp_path,
        [
            "2025-12-05T07:00:00.5,KXHIGHNY-25DEC05-B32.5,40,55,60,45",
            "2025-12-05T07:30:00,KXHIGHNY-25DEC05-B32.5,41,0,100,59",
            "2025-12-05T07:00:00,KXHIGHNY-25DEC05-T37,2,96,98,4",
            "2025-12-05T07:00:00,KXHIGHNY-25DEC05-T30,3,95,97,5",
        ],
    )
    ticks = read_top_of_book(path)
    # 07:00 PST = 15:00Z; sorted by time, file order kept among equal times.
    assert [(t.at.strftime("%H:%M:%S.%f"), t.market_ticker[-5:]) for t in ticks] == [
        ("15:00:00.000000", "5-T37"),
        ("15:00:00.000000", "5-T30"),
        ("15:00:00.500000", "B32.5"),
        ("15:30:00.000000", "B32.5"),
    ]
    assert event_of(path) == ("KXHIGHNY-25DEC05", date(2025, 12, 5))
    now = [datetime(2025, 12, 5, 15, 10, tzinfo=UTC)]
    books = RecordedBooks(ticks, lambda: now[0])
    ladder = {m.market_ticker: m.bracket for m in books.ladder("KXHIGHNY", date(2025, 12, 5))}
    # The tails' sides come from the bins: T37 above every bin is 38+, T30 below is 29-.
    assert ladder == {
        "KXHIGHNY-25DEC05-B32.5": Bracket(32, 33),
        "KXHIGHNY-25DEC05-T30": Bracket(None, 29),
        "KXHIGHNY-25DEC05-T37": Bracket(38, None),
    }
    book = books.book("KXHIGHNY-25DEC05-B32.5")
    assert [lvl.price for lvl in book.no_bids] == [Decimal("0.55")]
    assert book.yes_bids[0].price == Decimal("0.40")
    now[0] = datetime(2025, 12, 5, 15, 30, tzinfo=UTC)
    assert books.book("KXHIGHNY-25DEC05-B32.5").no_bids == ()  # 0 = the NO side emptied
    now[0] += timedelta(minutes=61)
    assert books.book("KXHIGHNY-25DEC05-T37").no_bids == ()  # older than an hour: no quote
    assert "KXHIGHNY-25DEC05-T37" not in {
        m.market_ticker for m in books.ladder("KXHIGHNY", date(2025, 12, 5))
    }
    assert books.ladder("KXHIGHNY", date(2025, 12, 6)) == ()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("yesterday,KXHIGHNY-25DEC05-B32.5,40,55,60,45", "line 2"),
        ("2025-12-05T07:00:00,KXHIGHNY-25DEC05-B32.5,4x,55,60,45", "line 2"),
    ],
)
def test_an_unreadable_row_is_one_line(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ReplayDataError, match=message):
        read_top_of_book(_file(tmp_path, [line]))


def test_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "KXHIGHNY-25DEC05.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ReplayDataError, match="not a top-of-book file"):
        read_top_of_book(path)


def test_the_real_recorder_file_reads_in_pacific_time(realdata: Path) -> None:
    path = realdata / "kalshi" / "kxhighny_top_of_book" / "KXHIGHNY-25DEC05.csv"
    ticks = read_top_of_book(path)
    assert len(ticks) == 40_342
    # First line 2025-12-04T12:27:16.079996 (PST) = 20:27:16Z.
    assert ticks[0].at == datetime(2025, 12, 4, 20, 27, 16, 79996, tzinfo=UTC)
    books = RecordedBooks(ticks, lambda: datetime(2025, 12, 5, 18, 0, tzinfo=UTC))
    ladder = books.ladder("KXHIGHNY", date(2025, 12, 5))
    assert {m.bracket for m in ladder} <= {
        Bracket(None, 29),
        Bracket(30, 31),
        Bracket(32, 33),
        Bracket(34, 35),
        Bracket(36, 37),
        Bracket(38, None),
    }
    assert ladder, "quoted markets mid-day"
    # Books empty at settlement, 04:01 PST = 12:01Z on the 6th (pipelines.kalshi.top_of_book).
    empty = [t for t in ticks if t.yes_bid is None and t.no_bid is None]
    assert empty and empty[0].at.replace(second=0, microsecond=0) == datetime(
        2025, 12, 6, 12, 1, tzinfo=UTC
    )
