"""Live reconciliation: the exchange is the source of truth for orders, fills and positions.

One pass (at start, then every few minutes):

1. Every journaled order whose outcome is open (``intent``/``sent``/``unknown``) is read back by
   its client order id (``Broker.reconcile``). Found: its fills and status are journaled
   (``resolved``). Not found: a miss; only after ``missing_after`` consecutive misses (the
   exchange's read path lags its write path) is it declared ``missing`` and rejected. A read
   that failed is no miss. Nothing is ever resent.
2. Exchange orders: ours (``kw-`` client ids) that the journal lacks are adopted (journaled with
   their fills: ``adopted``); ours that the journal gave up on are reported (``late``); any other
   order is reported once (``foreign``) and never touched.
3. Exchange fills of our orders that the journal lacks are journaled (``fill_added``),
   deduplicated by fill id.
4. Positions and settlements (``trader.reconcile_positions``): position differences
   (``exposure_mismatch``), the exchange's exposure per climate date for the risk gate, and the
   exchange's settlements against ours (``settlement_mismatch``).

Every difference is a ``reconciliation_events`` row (``trader.journal_events``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from adapters.kalshi.broker import NOT_FOUND
from adapters.kalshi.orders import (
    VenueFill,
    VenueOrder,
    VenuePosition,
    VenueSettlement,
    fill_of,
)
from domain.brackets import Bracket
from domain.orders import (
    CLIENT_ORDER_ID_PREFIX,
    OrderIntent,
    OrderStatus,
    client_order_id,
    dedup_key,
)
from domain.stations import UnknownStationError, station_by_series
from domain.tickers import TickerError, parse_ticker
from trader.brokers import Broker
from trader.gates import OPEN_STATUSES
from trader.journal import FillConflictError, Journal, OrderRecord
from trader.journal_events import EventKind, record_event
from trader.reconcile_positions import compare_settlements, exposure_by_day, position_differences
from trader.recovery import apply_execution

log = logging.getLogger(__name__)

# How far back a pass reads the exchange's orders and fills: a climate day settles within a
# week (kalshi.md, "Settlement"), so older orders are settled history.
LOOKBACK = timedelta(days=8)


class Portfolio(Protocol):
    """The exchange's view of our account (``adapters.kalshi.portfolio.KalshiPortfolio``)."""

    def orders(
        self,
        *,
        ticker: str | None = None,
        min_ts: datetime | None = None,
        status: str | None = None,
    ) -> list[VenueOrder]: ...

    def fills(
        self,
        *,
        order_id: str | None = None,
        ticker: str | None = None,
        min_ts: datetime | None = None,
    ) -> list[VenueFill]: ...

    def positions(self) -> list[VenuePosition]: ...

    def settlements(self, *, min_ts: datetime | None = None) -> list[VenueSettlement]: ...


BracketSource = Callable[[str], Bracket]
"""The bracket of a market ticker (the ladder's, for adopting an order)."""


@dataclass
class PassReport:
    """What one reconciliation pass did (each item also journaled as an event)."""

    at: datetime
    resolved: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    fills_added: int = 0
    unresolved: int = 0


def key_of(cid: str, ticker: str) -> str | None:
    """The dedup key behind one of our client order ids (None when it is not one of ours).

    A plain id is ``kw-<key>``; a hashed one is recognised by recomputing it from the
    market's station, contract type and climate date.
    """
    if not cid.startswith(CLIENT_ORDER_ID_PREFIX):
        return None
    plain = cid.removeprefix(CLIENT_ORDER_ID_PREFIX)
    candidates: tuple[str, ...]
    try:
        parsed = parse_ticker(ticker)
        station, contract = station_by_series(parsed.series_ticker)
        candidates = (plain, dedup_key(parsed.climate_date, station.icao, contract))
    except (TickerError, UnknownStationError, ValueError):
        candidates = (plain,)
    return next((key for key in candidates if _is_key(key) and client_order_id(key) == cid), None)


def _is_key(key: str) -> bool:
    """``key`` is a well-formed dedup key (``{date}_{station}_{HIGH|LOW}``)."""
    parts = key.split("_")
    if len(parts) != 3:
        return False
    try:
        return dedup_key(date.fromisoformat(parts[0]), parts[1], parts[2]) == key
    except ValueError:
        return False


class Reconciler:
    """Reconciles the journal with the exchange (see the module docstring).

    Args:
        journal: the open journal.
        portfolio: the exchange's account view.
        broker: the live broker (reads one order back by client order id).
        clock: the trader's clock.
        bracket_of: the bracket of a market, for adoption.
        missing_after: consecutive misses before an open order is declared missing.
    """

    def __init__(
        self,
        journal: Journal,
        portfolio: Portfolio,
        broker: Broker,
        clock: Callable[[], datetime],
        bracket_of: BracketSource,
        missing_after: int = 3,
    ) -> None:
        if missing_after < 1:
            raise ValueError("missing_after must be at least 1")
        self.journal = journal
        self.portfolio = portfolio
        self.broker = broker
        self.clock = clock
        self.bracket_of = bracket_of
        self.missing_after = missing_after
        self.misses: dict[str, int] = {}
        self._exposure: dict[date, Decimal] = {}
        self._differences: dict[str, str] = {}

    def exposure(self, climate_date: date) -> Decimal:
        """The exchange's exposure on a climate date as of the last pass (0 before one)."""
        return self._exposure.get(climate_date, Decimal(0))

    def run(self) -> PassReport:
        """One pass; venue errors propagate (the caller backs off and tries again later).

        Returns:
            The pass's report (``unresolved``: orders still awaiting an outcome).
        """
        now = self.clock()
        report = PassReport(now)
        for order in self.journal.orders():
            if order.status in OPEN_STATUSES:
                self._read_back(order, now, report)
        since = now - LOOKBACK
        venue_orders = self.portfolio.orders(min_ts=since)
        for venue in venue_orders:
            self._check_order(venue, now, report)
        fills = self.portfolio.fills(min_ts=since)
        report.fills_added += self._add_fills(venue_orders, fills, now)
        positions = self.portfolio.positions()
        venue_settled = self.portfolio.settlements(min_ts=since)
        self._exposure = exposure_by_day(positions)
        self._compare_positions(positions, {s.ticker for s in venue_settled}, now)
        compare_settlements(self.journal, venue_settled, now)
        report.unresolved = sum(1 for o in self.journal.orders() if o.status in OPEN_STATUSES)
        return report

    def _compare_positions(
        self, positions: list[VenuePosition], venue_settled: set[str], now: datetime
    ) -> None:
        # Positions lag fills: a difference counts once two passes in a row show it.
        differences = position_differences(self.journal, positions, venue_settled)
        for ticker, detail in differences.items():
            if self._differences.get(ticker) == detail:
                record_event(
                    self.journal, now, EventKind.EXPOSURE_MISMATCH, detail,
                    market_ticker=ticker, once=True,
                )  # fmt: skip
        self._differences = differences

    def _read_back(self, order: OrderRecord, now: datetime, report: PassReport) -> None:
        execution = self.broker.reconcile(order)
        cid = order.client_order_id
        if execution.status is OrderStatus.UNKNOWN:
            if not execution.reason.startswith(NOT_FOUND):
                log.warning("order %s not read back: %s", cid, execution.reason)
                return  # a failed read proves nothing: not a miss
            self.misses[cid] = self.misses.get(cid, 0) + 1
            if self.misses[cid] < self.missing_after:
                log.info("order %s: miss %d of %d", cid, self.misses[cid], self.missing_after)
                return
            reason = f"missing: {NOT_FOUND} after {self.misses.pop(cid)} consecutive reads"
            self.journal.set_status(cid, OrderStatus.REJECTED, now, reason=reason)
            record_event(
                self.journal, now, EventKind.MISSING, reason,
                client_order_id=cid, market_ticker=order.market_ticker,
            )  # fmt: skip
            report.missing.append(cid)
            return
        self.misses.pop(cid, None)
        after = apply_execution(self.journal, order, execution, now)
        detail = f"{order.status} -> {after.status}: {execution.reason}"
        record_event(
            self.journal, now, EventKind.RESOLVED, detail,
            client_order_id=cid, market_ticker=order.market_ticker,
        )  # fmt: skip
        report.resolved.append(cid)

    def _check_order(self, venue: VenueOrder, now: datetime, report: PassReport) -> None:
        cid = venue.client_order_id or ""
        key = key_of(cid, venue.ticker)
        if key is None:
            # No status in the words: a standing foreign order is reported once, not per change.
            detail = f"order {venue.order_id} is not ours (client id {cid or 'none'})"
            if record_event(
                self.journal, now, EventKind.FOREIGN, detail,
                client_order_id=cid or None, market_ticker=venue.ticker, once=True,
            ) is not None:  # fmt: skip
                report.foreign.append(venue.order_id)
            return
        mine = self.journal.order_by_client_id(cid)
        if mine is None:
            self._adopt(venue, key, now, report)
        elif mine.status is OrderStatus.REJECTED and venue.fill_count > 0:
            detail = f"order {venue.order_id} {venue.status}, {venue.fill_count} filled"
            record_event(
                self.journal, now, EventKind.LATE, f"journal rejected it; exchange: {detail}",
                client_order_id=cid, market_ticker=venue.ticker, once=True,
            )  # fmt: skip

    def _adopt(self, venue: VenueOrder, key: str, now: datetime, report: PassReport) -> None:
        day, station, contract = key.split("_")
        price = venue.price
        count = int(venue.count)
        if price is None or count != venue.count or venue.book_side == "ask":
            detail = f"order {venue.order_id} is ours but not a whole buy of YES: not adopted"
            record_event(
                self.journal, now, EventKind.FOREIGN, detail,
                client_order_id=venue.client_order_id, market_ticker=venue.ticker, once=True,
            )  # fmt: skip
            return
        intent = OrderIntent(
            climate_date=date.fromisoformat(day),
            station_icao=station,
            contract_type=contract,
            market_ticker=venue.ticker,
            bracket=self.bracket_of(venue.ticker),
            count=count,
            limit_price=price,
            created_at=venue.created_time or now,
        )
        # Three commits; a crash between them leaves an intent the next pass reads back.
        order = self.journal.record_intent(intent, self.broker.name)
        self.journal.set_status(
            order.client_order_id,
            OrderStatus.SENT,
            now,
            reason="adopted from the exchange",
            venue_order_id=venue.order_id,
        )
        detail = f"order {venue.order_id} ({venue.status}, {venue.fill_count} filled) adopted"
        record_event(
            self.journal, now, EventKind.ADOPTED, detail,
            client_order_id=order.client_order_id, market_ticker=venue.ticker,
        )  # fmt: skip
        report.adopted.append(order.client_order_id)

    def _add_fills(
        self, venue_orders: list[VenueOrder], fills: list[VenueFill], now: datetime
    ) -> int:
        owner = {o.order_id: o.client_order_id for o in venue_orders if o.client_order_id}
        mine: dict[str, list[VenueFill]] = {}
        for fill in fills:
            cid = fill.client_order_id or owner.get(fill.order_id)
            if cid is not None and cid.startswith(CLIENT_ORDER_ID_PREFIX):
                mine.setdefault(cid, []).append(fill)
        added = 0
        for cid, venue in mine.items():
            order = self.journal.order_by_client_id(cid)
            if order is None or order.status is OrderStatus.REJECTED:
                continue  # not adopted yet (next pass), or reported as late
            batch = sorted((fill_of(f, cid) for f in venue), key=lambda f: (f.filled_at, f.fill_id))
            try:
                new = self.journal.record_fills(batch, now)
            except FillConflictError as exc:
                record_event(
                    self.journal, now, EventKind.EXPOSURE_MISMATCH, f"fills refused: {exc}",
                    client_order_id=cid, market_ticker=order.market_ticker, once=True,
                )  # fmt: skip
                continue
            if not new:
                continue
            added += new
            self.journal.set_venue_order_id(cid, venue[0].order_id, now)
            record_event(
                self.journal, now, EventKind.FILL_ADDED, f"{new} fill(s) read from the exchange",
                client_order_id=cid, market_ticker=order.market_ticker,
            )  # fmt: skip
            if order.status in OPEN_STATUSES:  # its fills answered what the read-back could not
                self.misses.pop(cid, None)
                after = self.journal.order_by_client_id(cid)
                detail = f"{order.status} -> {after.status if after else '?'}: fills read back"
                record_event(
                    self.journal, now, EventKind.RESOLVED, detail,
                    client_order_id=cid, market_ticker=order.market_ticker,
                )  # fmt: skip
        return added
