"""A small fake Kalshi exchange over real HTTP, for the live broker and the live trader.

It composes :class:`tests.fakes.kalshi_server.FakeKalshi` (signatures verified on every request,
``route()`` overrides still win for GETs) with an in-memory exchange (``tests.fakes.kalshi_book``):
markets, events, series, books that orders consume, the V2 ``POST /portfolio/events/orders``
with IOC / FOK / GTC matching, fills, positions, settlements, and faults. It runs in a
background thread and is thread-safe (one lock), so a trader subprocess can use its base URL::

    from tests.fakes.kalshi_exchange import fake_exchange

    with fake_exchange() as ex:                      # or fake_exchange(key_pair=(key, pem))
        ex.add_market("KXHIGHNY-26AUG21-B77.5", floor_strike=77, cap_strike=78)
        ex.set_book("KXHIGHNY-26AUG21-B77.5", yes_bids=[("0.30", 10)], no_bids=[("0.40", 50)])
        client = KalshiClient(ex.base_url, KalshiSigner.from_pem(ex.key_id, ex.pem))
        ...
        ex.drop_orders()              # the next order executes, its response is lost
        ex.fail_orders(503, commit=True)  # executes, answers 503 (commit=False: refused first)
        ex.delay_orders(2.0)          # executes, answers after 2 s (a client timeout)
        ex.fail_reads(503, count=2)   # the next 2 GET /portfolio/* answer 503
        ex.lag_reads(reads=2, seconds=0.0)  # new orders/fills hidden from the next 2 reads
        ex.settle("KXHIGHNY-26AUG21-B77.5", "yes")
        assert max(ex.sent_counts().values()) == 1   # no client_order_id sent twice

State for assertions (copies, under the lock): ``ex.orders_received`` (every order POST),
``ex.orders()``, ``ex.fills()``, ``ex.position(ticker)``, ``ex.settlements()``. Settable:
``ex.balance_cents`` (an order costing more is refused 400 ``insufficient_balance``),
``ex.clock`` (the exchange's time: order and fill times, ``min_ts`` filters), ``ex.page_size``
(forces cursors), ``ex.set_market_status(t, s)`` (anything but ``active`` refuses orders 400
``market_closed``), ``ex.fill_client_ids``
(default False: wire fills omit ``client_order_id``; match them by ``order_id``). ``ex.server``
is the FakeKalshi (``route()`` overrides, ``seen``). Refusals answer ``{code, message}``: 409
``order_already_exists``, 404 ``market_not_found``, 400 ``invalid_parameters`` (also an unknown
order field or a ``limit`` outside 1..1000).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.kalshi_book import (
    ZERO,
    Fill,
    Level,
    Market,
    Order,
    OrderRefused,
    fill_fees,
    match,
    settlement_json,
    validate,
    worst_cost,
)
from tests.fakes.kalshi_reads import ReadRoutes
from tests.fakes.kalshi_server import (
    DROP,
    PREFIX,
    FakeKalshi,
    Response,
    Seen,
    fake_kalshi,
    make_key_pair,
)

ORDERS_PATH = "/portfolio/events/orders"
DEFAULT_BALANCE_CENTS = 1_000_000  # $10,000
BookLevels = list[tuple[Decimal | str | int, Decimal | str | int]]


@dataclass(frozen=True)
class OrderRequest:
    """One order POST as received (every one, faulted or not).

    Attributes:
        client_order_id: the body's id (None when absent).
        body: the decoded JSON body.
        status: the HTTP status answered (``DROP`` = the connection was closed, no response).
        order_id: the order created, if it executed.
        received_at: the exchange clock at receipt.
    """

    client_order_id: str | None
    body: Any
    status: int
    order_id: str | None
    received_at: datetime


@dataclass
class _Fault:
    status: int  # an HTTP status or DROP
    commit: bool  # execute the order before answering
    delay_s: float = 0.0
    body: Any = None


def _error(status: int, code: str, message: str) -> Response:
    return status, {"code": code, "message": message}


class FakeExchange(ReadRoutes):
    """The exchange behind one fake server (see the module docstring for the API)."""

    def __init__(self, server: FakeKalshi, private_key: rsa.RSAPrivateKey, pem: bytes) -> None:
        self.server = server
        self.private_key = private_key
        self.pem = pem
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.balance_cents = DEFAULT_BALANCE_CENTS
        self.page_size: int | None = None  # force small pages to exercise cursors
        self.fill_client_ids = False  # fills on the wire without client_order_id
        self.orders_received: list[OrderRequest] = []
        self._lock = threading.RLock()
        self._markets: dict[str, Market] = {}
        self._series: dict[str, tuple[str, Decimal]] = {}
        self._orders: list[Order] = []
        self._fills: list[Fill] = []
        self._settlements: list[dict[str, Any]] = []
        self._order_faults: deque[_Fault] = deque()
        self._read_faults: deque[_Fault] = deque()
        self._reads = 0
        self._lag_reads = 0
        self._lag_s = 0.0

    @property
    def base_url(self) -> str:
        """The REST base (``http://127.0.0.1:<port>/trade-api/v2``)."""
        return self.server.base_url

    @property
    def key_id(self) -> str:
        """The API key id the exchange expects."""
        return self.server.key_id

    # ---------------------------------------------------------------- setup

    def add_market(
        self,
        ticker: str,
        *,
        strike_type: str | None = "between",
        floor_strike: float | int | None = None,
        cap_strike: float | int | None = None,
        status: str = "active",
        event_ticker: str | None = None,
        series_ticker: str | None = None,
        fee_type: str = "quadratic",
        fee_multiplier: Decimal | int = 1,
        close_time: datetime | None = None,
    ) -> None:
        """List a market (its event and series appear with it; its book starts empty).

        ``event_ticker`` defaults to the ticker without its last ``-`` part, ``series_ticker``
        to its first part; the series gets ``fee_type`` / ``fee_multiplier``.
        """
        event = event_ticker or ticker.rsplit("-", 1)[0]
        series = series_ticker or ticker.split("-", 1)[0]
        with self._lock:
            self._series[series] = (fee_type, Decimal(fee_multiplier))
            self._markets[ticker] = Market(
                ticker, event, series, status, strike_type, floor_strike, cap_strike,
                close_time=close_time,
            )  # fmt: skip

    def set_market_status(self, ticker: str, status: str) -> None:
        """Change a market's status (``active`` trades; anything else refuses orders)."""
        with self._lock:
            self._markets[ticker].status = status

    def set_book(
        self, ticker: str, yes_bids: BookLevels | None = None, no_bids: BookLevels | None = None
    ) -> None:
        """Replace a market's book: ``[(price, size), ...]`` bids per side, dollars/contracts."""
        with self._lock:
            market = self._markets[ticker]
            market.yes_bids = [Level(Decimal(str(p)), Decimal(str(s))) for p, s in yes_bids or []]
            market.no_bids = [Level(Decimal(str(p)), Decimal(str(s))) for p, s in no_bids or []]

    # ---------------------------------------------------------------- faults

    def fail_orders(
        self, status: int = 503, count: int = 1, *, commit: bool = False, body: Any = None
    ) -> None:
        """Answer the next ``count`` order POSTs with ``status`` (after executing if ``commit``)
        and ``body`` (bytes go out raw; default: an error body, or for a 2xx the real ack)."""
        if body is None and status >= 300:
            body = {"code": "fault", "message": f"injected {status}"}
        with self._lock:
            self._order_faults.extend(_Fault(status, commit, body=body) for _ in range(count))

    def drop_orders(self, count: int = 1) -> None:
        """Execute the next ``count`` orders, then close the connection with no response."""
        with self._lock:
            self._order_faults.extend(_Fault(DROP, True) for _ in range(count))

    def delay_orders(self, seconds: float, count: int = 1) -> None:
        """Execute the next ``count`` orders and answer them only after ``seconds``."""
        with self._lock:
            self._order_faults.extend(_Fault(201, True, seconds) for _ in range(count))

    def fail_reads(self, status: int = 503, count: int = 1) -> None:
        """Answer the next ``count`` ``GET /portfolio/*`` requests with ``status``."""
        body = {"code": "fault", "message": f"injected {status}"}
        with self._lock:
            self._read_faults.extend(_Fault(status, False, body=body) for _ in range(count))

    def lag_reads(self, reads: int = 0, seconds: float = 0.0) -> None:
        """Hide new orders and fills from reads: each shows only after ``reads`` portfolio reads
        AND ``seconds`` have passed since it was written (``lag_reads()`` turns lag off)."""
        with self._lock:
            self._lag_reads, self._lag_s = reads, seconds

    # ---------------------------------------------------------------- actions and state

    def settle(self, ticker: str, result: str) -> dict[str, Any] | None:
        """Determine and settle a market (``yes``/``no``/``void``): positions close, revenue is
        paid, a settlement appears if we held anything. Returns that settlement (wire form)."""
        with self._lock:
            market = self._markets[ticker]
            market.status, market.result = "finalized", result
            fills = [f for f in self._fills if f.ticker == ticker]
            if not fills:
                return None
            settlement = settlement_json(market, fills, self.clock())
            self.balance_cents += int(settlement["revenue"])
            self._settlements.append(settlement)
            return dict(settlement)

    def orders(self) -> list[Order]:
        """Every order, oldest first (copies; no read lag)."""
        with self._lock:
            return [replace(order) for order in self._orders]

    def fills(self) -> list[Fill]:
        """Every fill, oldest first (no read lag)."""
        with self._lock:
            return list(self._fills)

    def position(self, ticker: str) -> Decimal:
        """Our net YES position in ``ticker`` (negative = NO), settled markets count 0."""
        with self._lock:
            market = self._markets[ticker]
            if market.status == "finalized":
                return ZERO
            return sum(
                (f.count if f.book_side == "bid" else -f.count for f in self._fills
                 if f.ticker == ticker),
                ZERO,
            )  # fmt: skip

    def settlements(self) -> list[dict[str, Any]]:
        """Every settlement, wire form."""
        with self._lock:
            return [dict(s) for s in self._settlements]

    def sent_counts(self) -> Counter[str]:
        """How many order POSTs each client_order_id arrived in (any outcome)."""
        with self._lock:
            return Counter(r.client_order_id for r in self.orders_received if r.client_order_id)

    # ---------------------------------------------------------------- HTTP

    def handle(self, seen: Seen) -> Response | None:
        """The FakeKalshi fallback: route one verified request (None = 404)."""
        path = seen.path.removeprefix(PREFIX)
        try:
            if seen.method == "POST" and path == ORDERS_PATH:
                return self._post_order(seen.body)
            if seen.method == "DELETE" and path.startswith(ORDERS_PATH + "/"):
                return self._cancel(path.rsplit("/", 1)[1])
            if seen.method == "GET":
                return self._get(path, seen.query)
        except Exception as exc:  # noqa: BLE001 - a bug here must show as a 500, not a hang
            return _error(500, "fake_exchange_bug", f"{type(exc).__name__}: {exc}")
        return None

    def _post_order(self, body: Any) -> Response:
        cid = body.get("client_order_id") if isinstance(body, dict) else None
        with self._lock:
            received = self.clock()
            fault = self._order_faults.popleft() if self._order_faults else None
            order: Order | None = None
            if fault is not None and not fault.commit:
                answer: Response = (fault.status, fault.body)
            else:
                try:
                    order = self._execute(body, received)
                    answer = (201, order.ack_json())
                except OrderRefused as refusal:
                    answer = (refusal.status, refusal.body)
                if fault is not None and order is not None:
                    answer = (fault.status, answer[1] if fault.body is None else fault.body)
            self.orders_received.append(
                OrderRequest(cid, body, answer[0], order.order_id if order else None, received)
            )
        if fault is not None and fault.delay_s:
            time.sleep(fault.delay_s)  # outside the lock: other requests go on meanwhile
        return answer

    def _execute(self, body: Any, now: datetime) -> Order:
        ticket = validate(body)
        # The id is checked first: a resend after the market closed still learns it exists.
        if any(o.client_order_id == ticket.client_order_id for o in self._orders):
            raise OrderRefused(409, "order_already_exists", "duplicate client_order_id")
        market = self._markets.get(ticket.ticker)
        if market is None:
            raise OrderRefused(404, "market_not_found", f"no market {ticket.ticker}")
        if market.status != "active":
            raise OrderRefused(400, "market_closed", f"{ticket.ticker} is {market.status}")
        fee_type, multiplier = self._series[market.series_ticker]
        if worst_cost(ticket, fee_type, multiplier) * 100 > self.balance_cents:
            raise OrderRefused(400, "insufficient_balance", "not enough balance for the order")
        taken = match(market, ticket)
        fees = fill_fees(taken, fee_type, multiplier)
        order = Order(
            order_id=f"ord-{len(self._orders) + 1:06d}",
            client_order_id=ticket.client_order_id,
            ticker=ticket.ticker,
            book_side=ticket.book_side,
            price=ticket.price,
            initial_count=ticket.count,
            time_in_force=ticket.time_in_force,
            created_time=now,
            seq=self._reads,
            created_mono=time.monotonic(),
        )
        for (count, yes_price), fee in zip(taken, fees, strict=True):
            fill = Fill(
                f"trd-{len(self._fills) + 1:06d}", order.order_id, order.client_order_id,
                order.ticker, order.book_side, count, yes_price, fee, now, order.seq,
                order.created_mono,
            )  # fmt: skip
            self._fills.append(fill)
            order.fill_count += count
            order.taker_fees += fee
            order.taker_fill_cost += fill.cost
        self.balance_cents -= int((order.taker_fill_cost + order.taker_fees) * 100)
        rest = ticket.count - order.fill_count
        if ticket.time_in_force == "good_till_canceled" and rest > 0:
            order.status, order.remaining_count = "resting", rest
        else:
            order.status = "executed" if rest == 0 else "canceled"
        order.last_update_time = now
        self._orders.append(order)
        return order

    def _cancel(self, order_id: str) -> Response:
        with self._lock:
            order = next((o for o in self._orders if o.order_id == order_id), None)
            if order is None:
                return _error(404, "not_found", f"no order {order_id}")
            reduced = order.remaining_count
            order.remaining_count, order.status = ZERO, "canceled"
            order.last_update_time = self.clock()
            return 200, {
                "order_id": order.order_id,
                "client_order_id": order.client_order_id,
                "reduced_by": str(reduced),
                "ts_ms": int(order.last_update_time.timestamp() * 1000),
            }

    def _get(self, path: str, query: dict[str, str]) -> Response | None:
        with self._lock:
            if path.startswith("/portfolio/"):
                if self._read_faults:
                    fault = self._read_faults.popleft()
                    return fault.status, fault.body
                self._reads += 1
                return self._portfolio(path, query)
            return self._public(path, query)


@contextmanager
def fake_exchange(
    key_pair: tuple[rsa.RSAPrivateKey, bytes] | None = None, key_id: str = "exchange-test-key"
) -> Iterator[FakeExchange]:
    """Run a fake exchange on a free port of 127.0.0.1 for the duration of the block.

    Args:
        key_pair: ``(private key, its PEM)`` (``make_key_pair()``); default: a fresh pair
            (generation takes a moment: share one per module in tests).
        key_id: the expected ``KALSHI-ACCESS-KEY``.

    Returns:
        The exchange (``.base_url``, ``.key_id``, ``.pem``...).
    """
    private_key, pem = key_pair or make_key_pair()
    with fake_kalshi(private_key.public_key(), key_id) as server:
        exchange = FakeExchange(server, private_key, pem)
        server.fallback = exchange.handle
        yield exchange
