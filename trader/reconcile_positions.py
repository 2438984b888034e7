"""Positions, exposure and settlements: the exchange's figures against the journal's.

- ``position_differences``: per market not yet settled on either side, our journaled YES
  contracts against the exchange's position.
- ``exposure_by_day``: the exchange's ``market_exposure`` summed per climate date (the ticker's
  date), which the risk gate takes the max of with the journal's (``trader.gates``).
- ``compare_settlements``: ``/portfolio/settlements`` against our CLI-based settlement
  (``trader.settlement``): the result, and the payout ($1 per YES contract on ``yes``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from adapters.kalshi.orders import VenuePosition, VenueSettlement
from domain.tickers import TickerError, parse_ticker
from trader.journal import Journal
from trader.journal_events import EventKind, record_event
from trader.journal_state import settlements

ZERO = Decimal(0)


def position_differences(
    journal: Journal, positions: list[VenuePosition], venue_settled: set[str]
) -> dict[str, str]:
    """Markets whose position differs, with the difference in words.

    Args:
        journal: the open journal.
        positions: the exchange's market positions.
        venue_settled: tickers the exchange has settled (their positions are closed there).

    Returns:
        ``{ticker: detail}`` for every market neither side has settled where the journal's
        filled YES contracts differ from the exchange's position.
    """
    ours_settled = {s.market_ticker for s in settlements(journal)}
    mine: dict[str, Decimal] = {}
    for order in journal.orders():
        for fill in journal.fills(order.client_order_id):
            mine[fill.market_ticker] = mine.get(fill.market_ticker, ZERO) + fill.count
    theirs = {p.ticker: p.position for p in positions}
    out = {}
    for ticker in sorted(set(mine) | {t for t, held in theirs.items() if held}):
        if ticker in ours_settled or ticker in venue_settled:
            continue
        held, shown = mine.get(ticker, ZERO), theirs.get(ticker, ZERO)
        if held != shown:
            out[ticker] = f"journal holds {held} YES, the exchange shows {shown}"
    return out


def exposure_by_day(positions: list[VenuePosition]) -> dict[date, Decimal]:
    """The exchange's market exposure in dollars per climate date (weather tickers only)."""
    out: dict[date, Decimal] = {}
    for position in positions:
        try:
            day = parse_ticker(position.ticker).climate_date
        except TickerError:
            continue  # not a weather market: not ours to cap
        out[day] = out.get(day, ZERO) + position.market_exposure
    return out


def compare_settlements(journal: Journal, venue: list[VenueSettlement], now: datetime) -> list[str]:
    """Journal a ``settlement_mismatch`` for every exchange settlement our own disagrees with.

    A market settled on one side only is not a difference yet (the CLI or the exchange may
    simply be later); each mismatch is journaled once.

    Args:
        journal: the open journal.
        venue: the exchange's settlements.
        now: aware instant of the pass.

    Returns:
        The tickers that disagree.
    """
    ours: dict[str, list[tuple[str, Decimal]]] = {}
    for record in settlements(journal):
        filled = sum((f.count for f in journal.fills(record.client_order_id)), ZERO)
        ours.setdefault(record.market_ticker, []).append((record.market_result, filled))
    out = []
    for settled in venue:
        mine = ours.get(settled.ticker)
        if not mine:
            continue
        results = sorted({result for result, _ in mine})
        contracts = sum((count for _, count in mine), ZERO)
        payout = contracts if results == ["yes"] else ZERO
        problems = []
        if results != [settled.market_result]:
            problems.append(f"result ours {'/'.join(results)}, exchange {settled.market_result}")
        if settled.yes_count != contracts:
            problems.append(f"YES contracts ours {contracts}, exchange {settled.yes_count}")
        if settled.market_result in ("yes", "no") and settled.revenue != payout:
            problems.append(f"payout ours ${payout}, exchange ${settled.revenue}")
        if problems:
            record_event(
                journal, now, EventKind.SETTLEMENT_MISMATCH, "; ".join(problems),
                market_ticker=settled.ticker, once=True,
            )  # fmt: skip
            out.append(settled.ticker)
    return out
