"""The live broker against the fake exchange (real HTTP): fills, partials, refusals, and every
ambiguous outcome resolved by reconciliation, never by a resend."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.circuit import CircuitTransport
from adapters.kalshi.broker import NOT_FOUND, KalshiBroker
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.orders import TimeInForce
from adapters.kalshi.signing import KalshiSigner
from domain.fees import order_fee
from domain.orders import OrderStatus
from tests.adapters.kalshi.conftest import KEY_ID
from tests.fakes.kalshi_exchange import FakeExchange, fake_exchange

TICKER = "KXHIGHNY-26AUG21-B77.5"
NOW = datetime(2026, 8, 21, 20, 10, tzinfo=UTC)


@dataclass(frozen=True)
class Order:
    """The fields of a journaled order the broker reads."""

    client_order_id: str = "kw-2026-08-21_KNYC_HIGH"
    market_ticker: str = TICKER
    count: int = 10
    limit_price: Decimal = Decimal("0.62")
    status: OrderStatus = OrderStatus.INTENT


@pytest.fixture
def exchange(key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[FakeExchange]:
    with fake_exchange(key_pair, KEY_ID) as ex:
        ex.add_market(TICKER, floor_strike=77, cap_strike=78)
        ex.set_book(TICKER, no_bids=[("0.40", 5), ("0.38", 20)])
        yield ex


@pytest.fixture
def make_broker(exchange: FakeExchange) -> Iterator[Callable[..., KalshiBroker]]:
    """Brokers on signed clients of the exchange (no real sleeping; closed at the end)."""
    clients: list[KalshiClient] = []

    def make(
        timeout_s: float = 5.0, time_in_force: TimeInForce = TimeInForce.IMMEDIATE_OR_CANCEL
    ) -> KalshiBroker:
        signer = KalshiSigner.from_pem(exchange.key_id, exchange.pem)
        client = KalshiClient(
            exchange.base_url,
            signer,
            rate_limit_per_s=0,
            sleep=lambda s: None,
            max_retries=2,
            timeout_s=timeout_s,
        )
        clients.append(client)
        return KalshiBroker(client, lambda: NOW, time_in_force=time_in_force)

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def broker(make_broker: Callable[..., KalshiBroker]) -> KalshiBroker:
    return make_broker()


def test_a_fill_reads_the_fills_back(exchange: FakeExchange, broker: KalshiBroker) -> None:
    exchange.page_size = 1  # the order's two fills come on two pages
    execution = broker.submit(Order())
    assert execution.status is OrderStatus.FILLED, execution.reason
    assert [(f.count, f.price) for f in execution.fills] == [
        (Decimal(5), Decimal("0.60")),
        (Decimal(5), Decimal("0.62")),
    ]
    assert [f.fill_id for f in execution.fills] == [f.fill_id for f in exchange.fills()]
    assert execution.fees == order_fee([(5, Decimal("0.60")), (5, Decimal("0.62"))])
    assert execution.venue_order_id == exchange.orders()[0].order_id
    assert all(f.is_taker and f.filled_at.tzinfo for f in execution.fills)
    assert broker.name == "live"


def test_a_partial_fill_cancels_the_rest(exchange: FakeExchange, broker: KalshiBroker) -> None:
    execution = broker.submit(Order(count=30))
    assert execution.status is OrderStatus.PARTIAL
    assert execution.filled_count == Decimal(25)
    assert exchange.orders()[0].status == "canceled"


def test_nothing_at_the_limit_is_rejected(exchange: FakeExchange, broker: KalshiBroker) -> None:
    execution = broker.submit(Order(limit_price=Decimal("0.55")))
    assert execution.status is OrderStatus.REJECTED and execution.fills == ()
    assert "nothing filled" in execution.reason and execution.venue_order_id


def test_fill_or_kill_is_all_or_none(
    exchange: FakeExchange, make_broker: Callable[..., KalshiBroker]
) -> None:
    broker = make_broker(time_in_force=TimeInForce.FILL_OR_KILL)
    assert broker.submit(Order(count=26)).status is OrderStatus.REJECTED
    assert exchange.fills() == []
    assert broker.submit(Order("kw-b", count=25)).status is OrderStatus.FILLED
    assert exchange.orders()[1].time_in_force == "fill_or_kill"


def test_a_409_resolves_to_the_existing_order(exchange: FakeExchange, broker: KalshiBroker) -> None:
    first = broker.submit(Order())
    again = broker.submit(Order())  # a restarted trader sends the same id
    assert again.status is OrderStatus.FILLED and "409" in again.reason
    assert again.fills == first.fills
    assert len(exchange.orders()) == 1


@pytest.mark.parametrize(
    "fault",
    ["503 after commit", "drop after commit", "timeout after commit"],
)
def test_an_ambiguous_submit_is_unknown_then_reconciled(
    exchange: FakeExchange, make_broker: Callable[..., KalshiBroker], fault: str
) -> None:
    broker = make_broker(timeout_s=0.3)
    if fault == "503 after commit":
        exchange.fail_orders(503, commit=True)
    elif fault == "drop after commit":
        exchange.drop_orders()
    else:
        exchange.delay_orders(1.0)
    sent = broker.submit(Order())
    assert sent.status is OrderStatus.UNKNOWN and sent.fills == (), sent.reason
    assert "reconciled by client_order_id" in sent.reason
    resolved = broker.reconcile(replace(Order(), status=OrderStatus.UNKNOWN))
    assert resolved.status is OrderStatus.FILLED, resolved.reason
    assert [f.fill_id for f in resolved.fills] == [f.fill_id for f in exchange.fills()]
    assert exchange.sent_counts() == {Order().client_order_id: 1}  # never resent


@pytest.mark.parametrize("status", [429, 500])
def test_a_refused_retryable_submit_is_unknown_and_not_found(
    exchange: FakeExchange, broker: KalshiBroker, status: int
) -> None:
    exchange.fail_orders(status)
    assert broker.submit(Order()).status is OrderStatus.UNKNOWN
    assert len(exchange.orders_received) == 1  # one attempt, no client retry
    exchange.clock = lambda: NOW
    missing = broker.reconcile(Order())
    assert missing.status is OrderStatus.UNKNOWN
    assert missing.reason.startswith("not found on the exchange")
    assert "exchange data as of 2026-08-21T20:10:00+00:00, 0 s before now" in missing.reason


def test_a_lagging_read_is_unknown_then_found(exchange: FakeExchange, broker: KalshiBroker) -> None:
    exchange.lag_reads(reads=2)
    sent = broker.submit(Order())
    assert sent.status is OrderStatus.UNKNOWN and "0 of 10" in sent.reason  # never assumed
    assert sent.venue_order_id == exchange.orders()[0].order_id
    assert broker.reconcile(Order()).reason.startswith("not found on the exchange")
    found = broker.reconcile(Order())
    assert found.status is OrderStatus.FILLED and found.filled_count == Decimal(10)


def test_unreadable_fills_are_unknown(exchange: FakeExchange, broker: KalshiBroker) -> None:
    exchange.fail_reads(503, count=3)  # the first fills read and both retries
    sent = broker.submit(Order())
    assert sent.status is OrderStatus.UNKNOWN and "fills unreadable" in sent.reason
    exchange.fail_reads(503, count=3)
    assert broker.reconcile(Order()).status is OrderStatus.UNKNOWN
    assert broker.reconcile(Order()).status is OrderStatus.FILLED


def test_a_definite_refusal_is_rejected_with_the_venue_code(
    exchange: FakeExchange, broker: KalshiBroker
) -> None:
    exchange.balance_cents = 100
    refused = broker.submit(Order())
    assert refused.status is OrderStatus.REJECTED
    assert "HTTP 400 insufficient_balance" in refused.reason
    exchange.set_market_status(TICKER, "closed")
    assert "market_closed" in broker.submit(Order("kw-b")).reason


def test_an_unreachable_host_is_unknown(signer: KalshiSigner) -> None:
    with KalshiClient(
        "http://127.0.0.1:9/trade-api/v2",  # nothing listens on the discard port
        signer,
        transport=CircuitTransport(threshold=1),
        rate_limit_per_s=0,
        sleep=lambda s: None,
    ) as client:
        execution = KalshiBroker(client, lambda: NOW).submit(Order())
    assert execution.status is OrderStatus.UNKNOWN
    assert "HostUnreachableError" in execution.reason


def test_only_an_open_order_is_sent(exchange: FakeExchange, broker: KalshiBroker) -> None:
    with pytest.raises(ValueError, match="not sendable"):
        broker.submit(Order(status=OrderStatus.FILLED))
    assert exchange.orders_received == []


def test_no_secret_in_logs_or_reasons(
    exchange: FakeExchange, broker: KalshiBroker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    exchange.drop_orders()
    reasons = [broker.submit(Order()).reason, broker.reconcile(Order()).reason]
    exchange.balance_cents = 0
    reasons.append(broker.submit(Order("kw-b")).reason)
    exchange.fail_reads(500, count=9)
    reasons.append(broker.reconcile(Order()).reason)
    text = caplog.text + "\n".join(reasons)
    pem_body = exchange.pem.decode().splitlines()[1]
    assert KEY_ID not in text and pem_body not in text
    assert "KALSHI-ACCESS" not in text and "PRIVATE KEY" not in text
    assert "outcome unknown" in caplog.text  # the log did speak


@pytest.mark.parametrize(
    ("status", "body"),
    [(201, b'{"order_id": "ord-'), (201, b"[" * 5000), (200, b"<html>"), (408, None)],
)
def test_an_executed_order_with_an_unusable_answer_is_unknown(
    exchange: FakeExchange, broker: KalshiBroker, status: int, body: bytes | None
) -> None:
    # A 2xx whose body does not parse (or a proxy's 408) does not prove a refusal: the order
    # executed, so "rejected" would lose its fills.
    exchange.fail_orders(status, commit=True, body=body)
    sent = broker.submit(Order())
    assert sent.status is OrderStatus.UNKNOWN, sent.reason
    resolved = broker.reconcile(replace(Order(), status=OrderStatus.UNKNOWN))
    assert resolved.status is OrderStatus.FILLED and resolved.filled_count == Decimal(10)


def test_a_listing_that_loops_is_unreadable_not_a_miss(
    exchange: FakeExchange, broker: KalshiBroker
) -> None:
    # The order executed but the orders listing repeats its cursor before reaching it: a walk
    # cut short must not read as "not on the exchange" (three misses reject a filled order).
    exchange.drop_orders()
    assert broker.submit(Order()).status is OrderStatus.UNKNOWN
    foreign = {**exchange.orders()[0].to_json(), "order_id": "x", "client_order_id": "bot-1"}
    exchange.server.route(
        "/portfolio/orders", lambda q: (200, {"orders": [foreign], "cursor": "c1"})
    )
    looped = broker.reconcile(Order())
    assert looped.status is OrderStatus.UNKNOWN
    assert not looped.reason.startswith(NOT_FOUND) and "cursor repeated" in looped.reason


def test_a_refused_resend_reads_the_first_send_back(
    exchange: FakeExchange, broker: KalshiBroker
) -> None:
    # An order journaled as sent executed on its first send; a resend refused for another
    # reason (the market closed since) must not turn it into "rejected".
    first = broker.submit(Order())
    exchange.fail_orders(400, body={"code": "market_closed", "message": "closed"})
    again = broker.submit(Order(status=OrderStatus.SENT))
    assert again.status is OrderStatus.FILLED, again.reason
    assert again.fills == first.fills and "market_closed" in again.reason
    exchange.fail_orders(400, body={"code": "market_closed", "message": "closed"})
    never = broker.submit(Order("kw-b", status=OrderStatus.SENT))
    assert never.status is OrderStatus.UNKNOWN and "not listed" in never.reason


def test_an_ack_that_rests_is_unknown(exchange: FakeExchange, broker: KalshiBroker) -> None:
    # The ack says part filled and the rest rests: not "partial, rest cancelled".
    exchange.set_book(TICKER, no_bids=[("0.40", 4)])
    ack = {"order_id": "ord-000001", "fill_count": "4.00", "remaining_count": "6.00"}
    exchange.fail_orders(201, commit=True, body=ack)
    sent = broker.submit(Order())
    assert sent.status is OrderStatus.UNKNOWN and "resting" in sent.reason
    settled = broker.reconcile(Order(status=OrderStatus.UNKNOWN))  # the exchange: canceled
    assert settled.status is OrderStatus.PARTIAL and settled.filled_count == Decimal(4)


def test_fills_of_other_orders_in_the_market_are_not_ours(
    exchange: FakeExchange, broker: KalshiBroker
) -> None:
    # A fills listing that ignores the order_id filter also shows another order's fill in the
    # same market, without a client_order_id: only our order's fills are ours.
    other = broker.submit(Order("bot-7", count=3))
    assert other.status is OrderStatus.FILLED
    listing = {"fills": [f.to_json() for f in exchange.fills()], "cursor": ""}
    exchange.server.route("/portfolio/fills", lambda q: (200, listing))
    exchange.drop_orders()
    broker.submit(Order())
    listing["fills"] = [f.to_json(with_client_id=False) for f in reversed(exchange.fills())]
    mine = broker.reconcile(Order())
    assert mine.status is OrderStatus.FILLED, mine.reason
    assert mine.filled_count == Decimal(10) and len(mine.fills) == 2
    assert {f.fill_id for f in mine.fills} == {f.fill_id for f in exchange.fills()[1:]}
    assert {f.client_order_id for f in mine.fills} == {Order().client_order_id}
