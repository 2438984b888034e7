"""Brokers: what turns a journaled order intent into fills. Paper now, live next (same interface).

A broker only ever receives an ``OrderRecord`` read back from the journal, so nothing can be
sent that was not committed first. It returns a ``domain.orders.Execution``; the caller journals its fills and
status. The paper broker fills an immediate-or-cancel buy of YES against the book's asks level by
level, up to the order's count and limit price, and cancels the rest. It charges the ORDER's fee
over all its fills (``domain.fees.order_fee``), as Kalshi does, never a rounded fee per level.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Protocol

from adapters.kalshi.orderbook import OrderBook
from domain.fees import order_fee
from domain.orders import Execution, Fill, OrderStatus
from trader.journal import OrderRecord

log = logging.getLogger(__name__)


class Broker(Protocol):
    """Sends journaled orders. Implementations: ``PaperBroker``; the live broker (next issue)."""

    name: str

    def submit(self, order: OrderRecord) -> Execution:
        """Execute (or send) a journaled order intent; never raises for a venue refusal."""
        ...

    def reconcile(self, order: OrderRecord) -> Execution:
        """The outcome of an order a crash left in ``intent``/``unknown``: read back, never resent."""
        ...


BookSource = Callable[[str], OrderBook]
"""The current book of a market ticker (``KalshiClient.orderbook``, or a recorded book)."""


class PaperBroker:
    """Fills buys of YES against the current book, as an immediate-or-cancel taker order.

    Args:
        books: returns the market's book at the instant of execution (it may differ from the
            book the decision saw: that is how "the book moved away" shows up).
        clock: the current aware instant.
        fee_type: the series' fee_type for ``domain.fees.order_fee``.
        fee_multiplier: the series' fee_multiplier.
    """

    name = "paper"

    def __init__(
        self,
        books: BookSource,
        clock: Callable[[], datetime],
        fee_type: str = "quadratic",
        fee_multiplier: Decimal = Decimal(1),
    ) -> None:
        self.books = books
        self.clock = clock
        self.fee_type = fee_type
        self.fee_multiplier = fee_multiplier

    def _fee(self, fills: list[tuple[Decimal, Decimal]]) -> Decimal:
        """The taker fee of an order filled as ``(count, price)`` fills."""
        return order_fee(
            fills, role="taker", fee_type=self.fee_type, fee_multiplier=self.fee_multiplier
        )

    def reconcile(self, order: OrderRecord) -> Execution:
        """A paper order executes inside ``submit`` and its fills are journaled by the same
        process right after, in one transaction: an intent still without fills (a crash, or a
        book that could not be read) was never executed. It is rejected, not re-executed on a
        later book (that would be a trade the decision never saw).
        """
        return Execution(order.client_order_id, OrderStatus.REJECTED, (), "not executed")

    def submit(self, order: OrderRecord) -> Execution:
        """Walk the asks from the best up: take each level's depth while its price is at most the
        limit, until the order's count is filled; whatever is left is cancelled.

        Args:
            order: a journaled order in ``intent`` status.

        Returns:
            The execution. Fill ids are ``<client_order_id>-<n>``: deterministic, so a fill
            journaled twice (after a restart) is recognised as the same fill. The order pays
            ``order_fee`` of all its fills; each fill carries the cents the order's fee grew by
            when it landed (the order's fee so far minus before it), so the fills' fees add up
            to the order's fee exactly.

        Raises:
            Whatever the book source raises (a venue error): the order stays an intent.
        """
        if order.status is not OrderStatus.INTENT:
            raise ValueError(f"order {order.client_order_id} is {order.status}, not an intent")
        cid = order.client_order_id
        book = self.books(order.market_ticker)
        if book.market_ticker != order.market_ticker:
            raise ValueError(f"book of {book.market_ticker} for an order on {order.market_ticker}")
        asks = book.yes_asks
        if not asks:
            return Execution(cid, OrderStatus.REJECTED, (), "no ask: empty book")
        if asks[0].price > order.limit_price:
            return Execution(
                cid,
                OrderStatus.REJECTED,
                (),
                f"book moved away: best ask {asks[0].price} above limit {order.limit_price}",
            )
        now = self.clock()
        remaining = Decimal(order.count)
        fills: list[Fill] = []
        fee_so_far = Decimal("0.00")
        for level in asks:
            if remaining <= 0 or level.price > order.limit_price:
                break
            # Whole contracts only: a fractional resting size fills its whole part.
            take = min(level.size, remaining).to_integral_value(rounding=ROUND_FLOOR)
            if take <= 0:
                continue
            fee = self._fee([(f.count, f.price) for f in fills] + [(take, level.price)])
            fills.append(
                Fill(
                    f"{cid}-{len(fills)}",
                    cid,
                    order.market_ticker,
                    take,
                    level.price,
                    fee - fee_so_far,
                    now,
                )
            )
            fee_so_far = fee
            remaining -= take
        log.info(
            "paper order %s: %s contracts in %d fills", cid, order.count - remaining, len(fills)
        )
        if not fills:
            return Execution(cid, OrderStatus.REJECTED, (), "no whole contract at the limit")
        if remaining > 0:
            reason = f"partial: {order.count - remaining} of {order.count} within the limit"
            return Execution(cid, OrderStatus.PARTIAL, tuple(fills), reason)
        return Execution(cid, OrderStatus.FILLED, tuple(fills), f"filled {order.count}")
