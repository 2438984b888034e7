"""The live broker: sends a journaled order to Kalshi once and reports only what it has read.

Rules (trader.md §8, issue 10): the order goes out at the decided limit price with the
journal's deterministic ``client_order_id``, immediate-or-cancel (or fill-or-kill). The create
response carries counts, not fills, so the fills are read back by order id; an execution is
``filled``/``partial``/``rejected`` only when those fills were read and add up. Anything
ambiguous is ``unknown``: a timeout, a dropped connection, a 408, 429 or 5xx on submit, a 2xx
whose body is unusable (the order may have executed), an order left resting, or fills that
cannot be read yet. ``unknown`` is resolved by :meth:`KalshiBroker.reconcile` (a read by
``client_order_id``), never by a resend. A 409 means the exchange already has the id: the
existing order is the answer. Any other 4xx refuses a first send; an order already ``sent``
is read back instead (the refusal says nothing of its first send). Secrets never appear here:
errors name URLs and the venue's ``{code,message}``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from adapters.kalshi.client import KalshiClient, KalshiError
from adapters.kalshi.fields import OrderFormatError
from adapters.kalshi.orders import (
    TimeInForce,
    VenueFill,
    VenueOrder,
    create_order_request,
    fill_of,
    parse_order_ack,
)
from adapters.kalshi.portfolio import KalshiPortfolio
from domain.fees import order_fee
from domain.orders import Execution, OrderStatus

log = logging.getLogger(__name__)

NOT_FOUND = "not found on the exchange"
"""How a reconcile miss's reason starts (the trader counts consecutive misses)."""
SENDABLE = frozenset({OrderStatus.INTENT, OrderStatus.SENT})
# A request timeout (408) or throttling (429) may come from a proxy after the order went through.
AMBIGUOUS_4XX = frozenset({408, 429})


class OrderToSend(Protocol):
    """What the broker needs of an order (the trader's journal ``OrderRecord`` has it)."""

    @property
    def client_order_id(self) -> str: ...
    @property
    def market_ticker(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def limit_price(self) -> Decimal: ...
    @property
    def status(self) -> OrderStatus: ...


def _ambiguous(status: int | None) -> bool:
    """A submit failure that does not prove the order was refused: no answer, 408, 429, 5xx,
    or a 2xx whose body was unusable (the order may well have executed). Only a 4xx refuses."""
    return status is None or not 400 <= status < 500 or status in AMBIGUOUS_4XX


def _problem(exc: Exception) -> str:
    """One line about a failure (the client's messages name URLs, never credentials)."""
    return f"{type(exc).__name__}: {exc}"[:400]


class KalshiBroker:
    """Sends journaled buys of YES to Kalshi (``trader.brokers.Broker``, structurally).

    Args:
        client: a signed ``KalshiClient`` (its POST makes one attempt; reads retry).
        clock: the current aware instant (dates the exchange's data age in a miss).
        time_in_force: immediate-or-cancel (default) or fill-or-kill.
        fee_type: the series' fee_type; the venue's fees are checked against
            ``domain.fees.order_fee`` and a difference is logged.
        fee_multiplier: the series' fee_multiplier.
    """

    name = "live"

    def __init__(
        self,
        client: KalshiClient,
        clock: Callable[[], datetime],
        time_in_force: TimeInForce = TimeInForce.IMMEDIATE_OR_CANCEL,
        fee_type: str = "quadratic",
        fee_multiplier: Decimal = Decimal(1),
    ) -> None:
        self.client = client
        self.clock = clock
        self.time_in_force = TimeInForce(time_in_force)
        self.fee_type = fee_type
        self.fee_multiplier = fee_multiplier
        self.portfolio = KalshiPortfolio(client)

    def submit(self, order: OrderToSend) -> Execution:
        """Send the order once and report what the exchange did with it.

        Args:
            order: a journaled order in ``intent`` (or ``sent``) status.

        Returns:
            The execution; never raises for a venue failure (``unknown`` instead).

        Raises:
            ValueError: the order is in another status (nothing is sent).
        """
        if order.status not in SENDABLE:
            raise ValueError(f"order {order.client_order_id} is {order.status}, not sendable")
        cid = order.client_order_id
        try:
            path, body = create_order_request(
                ticker=order.market_ticker,
                client_order_id=cid,
                count=order.count,
                price=order.limit_price,
                time_in_force=self.time_in_force,
            )
        except OrderFormatError as exc:
            return Execution(cid, OrderStatus.REJECTED, (), f"not sent: {exc}")
        log.info("live order %s: sending %s", cid, self._describe(order))
        try:
            response = self.client.post(path, body)
        except KalshiError as exc:
            return self._refused(order, exc)
        except Exception as exc:  # noqa: BLE001 - after a send, any failure is ambiguous
            return self._unknown(order, f"submit failed ({_problem(exc)})")
        try:
            ack = parse_order_ack(response)
        except OrderFormatError as exc:
            return self._unknown(order, f"order response unreadable ({exc})")
        if ack.client_order_id not in (None, cid):
            return self._unknown(order, f"response names {ack.client_order_id}", ack.order_id)
        if ack.remaining_count > 0:  # an IOC/FOK never rests: the rest may still fill
            why = f"order resting on the exchange, {ack.fill_count} filled so far"
            return self._unknown(order, why, ack.order_id)
        if ack.fill_count == 0:
            reason = f"nothing filled at the limit {order.limit_price} ({self.time_in_force})"
            return Execution(cid, OrderStatus.REJECTED, (), reason, ack.order_id)
        return self._from_fills(order, ack.order_id, ack.fill_count, "sent")

    def reconcile(self, order: OrderToSend) -> Execution:
        """The outcome of an order a crash or an ambiguous submit left open, read by its
        ``client_order_id`` (never resent).

        Args:
            order: the journaled order.

        Returns:
            The execution; ``unknown`` with a reason starting ``not found on the exchange``
            when the exchange does not list it (its read path may lag), or ``unknown`` when a
            read fails.
        """
        cid = order.client_order_id
        try:
            found = self.portfolio.order_by_client_id(cid, ticker=order.market_ticker)
        except Exception as exc:  # noqa: BLE001 - a failed read proves nothing either way
            return self._unknown(order, f"orders unreadable ({_problem(exc)})")
        if found is None:
            reason = f"{NOT_FOUND} (orders of {order.market_ticker}{self._freshness()})"
            return Execution(cid, OrderStatus.UNKNOWN, (), reason)
        return self._resolve(order, found, "reconciled")

    def _freshness(self) -> str:
        """How old the exchange's portfolio data is (a miss on fresh data weighs more)."""
        try:
            as_of = self.portfolio.user_data_timestamp()
        except Exception:  # noqa: BLE001 - only an annotation of the miss
            return ""
        if as_of is None:
            return ""
        age = (self.clock() - as_of).total_seconds()
        return f"; exchange data as of {as_of.isoformat()}, {age:.0f} s before now"

    # ------------------------------------------------------------------------------------

    def _describe(self, order: OrderToSend) -> str:
        return (
            f"buy YES {order.count} {order.market_ticker} at {order.limit_price} "
            f"({self.time_in_force})"
        )

    def _unknown(
        self, order: OrderToSend, why: str, venue_order_id: str | None = None
    ) -> Execution:
        log.warning("live order %s: outcome unknown: %s", order.client_order_id, why)
        reason = f"{why}; outcome unknown until reconciled by client_order_id"
        return Execution(order.client_order_id, OrderStatus.UNKNOWN, (), reason, venue_order_id)

    def _refused(self, order: OrderToSend, exc: KalshiError) -> Execution:
        """A submit that got an error status, or no answer at all."""
        if _ambiguous(exc.status):
            what = "no response" if exc.status is None else f"HTTP {exc.status}"
            return self._unknown(order, f"submit got {what} ({_problem(exc)})")
        venue = f"{exc.code or 'no code'}: {exc.detail or 'no message'}"
        if exc.status == 409:
            return self._existing(order, "duplicate (409)")
        if order.status is OrderStatus.SENT:
            # A resend: this refusal (market closed, balance...) says nothing of the first send.
            return self._existing(order, f"resend refused (HTTP {exc.status} {venue})")
        reason = f"refused by the exchange: HTTP {exc.status} {venue}"
        log.warning("live order %s: %s", order.client_order_id, reason)
        return Execution(order.client_order_id, OrderStatus.REJECTED, (), reason)

    def _existing(self, order: OrderToSend, context: str) -> Execution:
        """The outcome of an order the exchange may already hold, read by client id."""
        try:
            found = self.portfolio.order_by_client_id(
                order.client_order_id, ticker=order.market_ticker
            )
        except Exception as exc:  # noqa: BLE001 - a failed read proves nothing
            return self._unknown(order, f"{context}, orders unreadable ({_problem(exc)})")
        if found is None:
            return self._unknown(order, f"{context}, the order is not listed (yet)")
        return self._resolve(order, found, f"{context} resolved to the existing order")

    def _resolve(self, order: OrderToSend, found: VenueOrder, context: str) -> Execution:
        """The execution of an order the exchange lists."""
        if found.ticker != order.market_ticker:
            return self._unknown(order, f"{context}: the id is on {found.ticker}", found.order_id)
        if found.status == "resting":
            why = f"{context}: resting on the exchange, {found.fill_count} filled so far"
            return self._unknown(order, why, found.order_id)
        if found.fill_count == 0:
            reason = f"{context}: {found.status} on the exchange, nothing filled"
            return Execution(
                order.client_order_id, OrderStatus.REJECTED, (), reason, found.order_id
            )
        return self._from_fills(order, found.order_id, found.fill_count, context)

    def _from_fills(
        self, order: OrderToSend, order_id: str, expected: Decimal, context: str
    ) -> Execution:
        """Read the order's fills back; an execution only when they add up to ``expected``."""
        try:
            venue_fills = self.portfolio.fills(order_id=order_id)
        except Exception as exc:  # noqa: BLE001 - never assume a fill that was not read
            why = (
                f"{context}: {expected} filled per the exchange, fills unreadable ({_problem(exc)})"
            )
            return self._unknown(order, why, order_id)
        unique = {f.fill_id: f for f in venue_fills if f.order_id == order_id}
        ordered = sorted(unique.values(), key=lambda f: (f.created_time, f.fill_id))
        total = sum((f.count for f in ordered), Decimal(0))
        if total != expected:
            why = f"{context}: fills read add up to {total} of {expected} (the read path may lag)"
            return self._unknown(order, why, order_id)
        try:
            fills = tuple(fill_of(f, order.client_order_id) for f in ordered)
        except ValueError as exc:
            return self._unknown(order, f"{context}: a fill is not usable ({exc})", order_id)
        self._check_fees(order, ordered)
        status = OrderStatus.FILLED if total >= order.count else OrderStatus.PARTIAL
        reason = f"{context}: {total} of {order.count} filled in {len(fills)} fills"
        if status is OrderStatus.PARTIAL:
            reason += f"; the rest was cancelled ({self.time_in_force})"
        log.info("live order %s: %s", order.client_order_id, reason)
        return Execution(order.client_order_id, status, fills, reason, order_id)

    def _check_fees(self, order: OrderToSend, fills: list[VenueFill]) -> None:
        """Log when the venue charged other than ``domain.fees.order_fee`` (kalshi.md §13)."""
        expected = sum(
            (
                order_fee(
                    [(f.count, f.yes_price) for f in fills if f.is_taker == taker],
                    role="taker" if taker else "maker",
                    fee_type=self.fee_type,
                    fee_multiplier=self.fee_multiplier,
                )
                for taker in (True, False)
            ),
            Decimal(0),
        )
        charged = sum((f.fee for f in fills), Decimal(0))
        if charged != expected:
            log.warning(
                "live order %s: the exchange charged %s in fees, domain.fees says %s",
                order.client_order_id,
                charged,
                expected,
            )
