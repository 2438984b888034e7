"""Order-book replay: recorded snapshots and deltas -> the book at each whole minute.

Kalshi books hold bids only (YES bids and NO bids); a snapshot replaces a market's book and a
delta adds to one price level of the book of its own stream (connection and subscription id):
a delta of any other stream is stale and ignored. A gap (seq break, error 25, disconnect, stop)
makes the book unknown until the market's next snapshot; a stream's book is also unknown after
the stream's last recorded line (a recorder killed without a marker). Minutes at which the book
is unknown are not emitted, so studies never read a book through a gap.

The book "at minute m" is the state after every event received at or before m (no look-ahead).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

_MINUTE = timedelta(minutes=1)
_ZERO = Decimal(0)


@dataclass(frozen=True)
class BookEvent:
    """One recorded event of one market, in recorded order.

    Attributes:
        at: when the recorder received it (UTC).
        kind: ``snapshot`` (one level of a snapshot; ``price`` None = that side empty),
            ``delta`` or ``gap``.
        stream: the subscription it came on (connection id and sid), None for a gap.
        seq: the subscription's seq (a snapshot's levels share one).
        side: ``yes`` or ``no`` (None for a gap).
        price: the level's price in dollars.
        size: a snapshot level's size, or a delta's signed change.
    """

    at: datetime
    kind: str
    stream: str | None = None
    seq: int | None = None
    side: str | None = None
    price: Decimal | None = None
    size: Decimal | None = None


@dataclass(frozen=True)
class MinuteBook:
    """A market's book at one whole minute: best bids, their sizes, and depth per side."""

    minute_at: datetime
    best_yes_bid: Decimal | None
    best_yes_bid_size: Decimal | None
    best_no_bid: Decimal | None
    best_no_bid_size: Decimal | None
    yes_depth: Decimal
    no_depth: Decimal
    yes_levels: int
    no_levels: int


def _ceil_minute(at: datetime) -> datetime:
    floor = at.replace(second=0, microsecond=0)
    return floor if floor == at else floor + _MINUTE


class _Book:
    def __init__(self, stream: str, seq: int | None) -> None:
        self.stream = stream
        self.seq = seq
        self.levels: dict[str, dict[Decimal, Decimal]] = {"yes": {}, "no": {}}
        self._cached: tuple[object, ...] | None = None

    def set_level(self, side: str, price: Decimal, size: Decimal) -> None:
        self._cached = None
        if size > 0:
            self.levels[side][price] = size
        else:
            self.levels[side].pop(price, None)

    def add(self, side: str, price: Decimal, change: Decimal) -> None:
        self.set_level(side, price, self.levels[side].get(price, _ZERO) + change)

    def summary(self) -> tuple[object, ...]:
        if self._cached is None:
            parts: list[object] = []
            for side in ("yes", "no"):
                levels = self.levels[side]
                best = max(levels) if levels else None
                parts += [best, levels.get(best) if best is not None else None]
            parts += [
                sum(self.levels["yes"].values(), _ZERO),
                sum(self.levels["no"].values(), _ZERO),
            ]
            parts += [len(self.levels["yes"]), len(self.levels["no"])]
            self._cached = tuple(parts)
        return self._cached


def replay_minutes(
    events: Iterable[BookEvent], stream_ends: Mapping[str, datetime]
) -> Iterator[MinuteBook]:
    """The book of one market at every whole minute it is known.

    Args:
        events: the market's events in recorded order (time, then line).
        stream_ends: per stream, the last instant its connection was seen alive.

    Returns:
        One :class:`MinuteBook` per minute at which the book is known.
    """
    book: _Book | None = None
    next_minute: datetime | None = None

    def emit(until: datetime, inclusive: bool) -> Iterator[MinuteBook]:
        nonlocal next_minute
        if book is None or next_minute is None:
            return
        end = stream_ends.get(book.stream)
        while next_minute < until or (inclusive and next_minute == until):
            if end is not None and next_minute > end:
                break
            yield MinuteBook(next_minute, *book.summary())  # type: ignore[arg-type]
            next_minute += _MINUTE

    for event in events:
        yield from emit(event.at, inclusive=False)
        if event.kind == "gap":
            book, next_minute = None, None
        elif event.kind == "snapshot" and event.stream is not None:
            if book is None or book.stream != event.stream or book.seq != event.seq:
                book = _Book(event.stream, event.seq)
                next_minute = _ceil_minute(event.at)
            if event.side is not None and event.price is not None and event.size is not None:
                book.set_level(event.side, event.price, event.size)
        elif event.kind == "delta" and book is not None and event.stream == book.stream:
            if event.side is not None and event.price is not None and event.size is not None:
                book.add(event.side, event.price, event.size)
    if book is not None:
        end = stream_ends.get(book.stream)
        if end is not None:
            yield from emit(end, inclusive=True)


__all__ = ["BookEvent", "MinuteBook", "replay_minutes"]
