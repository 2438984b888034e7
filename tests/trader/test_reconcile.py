"""The reconciliation against the fake exchange (real HTTP, signed): every case it covers is a
``reconciliation_events`` row the alerts can read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.kalshi.broker import KalshiBroker
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.orders import TimeInForce, create_order_request
from adapters.kalshi.portfolio import KalshiPortfolio
from adapters.kalshi.signing import KalshiSigner
from domain.brackets import Bracket
from domain.decision import Decision
from domain.orders import OrderIntent, OrderStatus
from domain.risk import RiskLimits
from tests.fakes.kalshi_exchange import FakeExchange, fake_exchange, make_key_pair
from trader.gates import TradeGate
from trader.journal import Journal
from trader.journal_events import EventKind, reconciliation_events
from trader.journal_state import SettlementRecord, record_settlement
from trader.reconcile import Reconciler, key_of

DAY = date(2026, 11, 24)
TICKER = "KXHIGHNY-26NOV24-B77.5"
OTHER = "KXLOWTNYC-26NOV24-B77.5"
NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def key_pair() -> tuple[rsa.RSAPrivateKey, bytes]:
    return make_key_pair()


@dataclass
class Desk:
    exchange: FakeExchange
    client: KalshiClient
    journal: Journal
    broker: KalshiBroker
    reconciler: Reconciler

    def kinds(self) -> list[str]:
        return [e.kind.value for e in reconciliation_events(self.journal)]

    def place(self, cid: str, ticker: str = TICKER, count: int = 16, side: str = "bid") -> None:
        """An order straight to the exchange (another process, a lost journal, a human)."""
        path, body = create_order_request(
            ticker=ticker,
            client_order_id=cid,
            count=count,
            price=Decimal("0.60"),
            time_in_force=TimeInForce.IMMEDIATE_OR_CANCEL,
        )
        self.client.post(path, {**body, "side": side})


@pytest.fixture
def desk(tmp_path: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[Desk]:
    with fake_exchange(key_pair) as exchange:
        for ticker in (TICKER, OTHER):
            exchange.add_market(ticker, strike_type="between", floor_strike=77, cap_strike=78)
            exchange.set_book(ticker, yes_bids=[("0.55", 100)], no_bids=[("0.40", 100)])
        signer = KalshiSigner.from_pem(exchange.key_id, exchange.pem)
        client = KalshiClient(exchange.base_url, signer, max_retries=0, rate_limit_per_s=0)
        journal = Journal(tmp_path / "journal.sqlite")
        broker = KalshiBroker(client, lambda: NOW)
        reconciler = Reconciler(
            journal, KalshiPortfolio(client), broker, lambda: NOW, lambda t: Bracket(77, 78)
        )
        yield Desk(exchange, client, journal, broker, reconciler)
        journal.close()
        client.close()


def _intent(contract: str = "HIGH", ticker: str = TICKER) -> OrderIntent:
    return OrderIntent(DAY, "KNYC", contract, ticker, Bracket(77, 78), 16, Decimal("0.60"), NOW)


def test_our_order_found_only_on_the_exchange_is_adopted_with_its_fills(desk: Desk) -> None:
    desk.place("kw-2026-11-24_KNYC_HIGH")
    report = desk.reconciler.run()
    assert report.adopted == ["kw-2026-11-24_KNYC_HIGH"]
    (order,) = desk.journal.orders()
    assert (order.dedup_key, order.broker, order.status) == (
        "2026-11-24_KNYC_HIGH",
        "live",
        OrderStatus.FILLED,
    )
    assert order.venue_order_id == desk.exchange.orders()[0].order_id
    assert [f.fill_id for f in desk.journal.fills()] == [f.fill_id for f in desk.exchange.fills()]
    assert desk.kinds() == ["adopted", "fill_added", "resolved"]
    desk.reconciler.run()  # a second pass finds nothing new
    assert desk.kinds() == ["adopted", "fill_added", "resolved"]


def test_foreign_orders_are_reported_once_and_never_touched(desk: Desk) -> None:
    desk.place("other-bot-7", count=3)
    desk.reconciler.run()
    desk.reconciler.run()
    (event,) = reconciliation_events(desk.journal, kind=EventKind.FOREIGN)
    order_id = desk.exchange.orders()[0].order_id
    assert event.client_order_id == "other-bot-7" and order_id in event.detail
    assert desk.journal.orders() == []
    assert len(desk.exchange.orders_received) == 1  # nothing sent, cancelled or amended


def test_an_order_never_sent_is_missing_only_after_three_misses(desk: Desk) -> None:
    order = desk.journal.record_intent(_intent(), "live")  # the process died before the send
    for expected in (OrderStatus.INTENT, OrderStatus.INTENT):
        desk.reconciler.run()
        assert desk.journal.order_by_key(order.dedup_key).status is expected  # type: ignore[union-attr]
    desk.reconciler.run()
    after = desk.journal.order_by_key(order.dedup_key)
    assert after is not None and after.status is OrderStatus.REJECTED
    assert after.status_reason and after.status_reason.startswith("missing:")
    assert desk.kinds() == ["missing"]
    assert desk.exchange.orders_received == []  # read back, never resent


def test_a_failed_read_is_no_miss(desk: Desk) -> None:
    desk.journal.record_intent(_intent(), "live")
    desk.reconciler.run()
    desk.reconciler.run()
    desk.exchange.fail_reads(503, count=1)  # the read-back of the open order fails
    desk.reconciler.run()
    (order,) = desk.journal.orders()
    assert order.status is OrderStatus.INTENT
    assert desk.reconciler.misses == {order.client_order_id: 2}
    desk.reconciler.run()  # the third real miss
    assert desk.journal.orders()[0].status is OrderStatus.REJECTED


def test_a_lost_response_under_lagging_reads_resolves_to_the_fill(desk: Desk) -> None:
    order = desk.journal.record_intent(_intent(), "live")
    desk.exchange.drop_orders(1)
    desk.exchange.lag_reads(reads=6)
    execution = desk.broker.submit(order)
    assert execution.status is OrderStatus.UNKNOWN
    desk.journal.set_status(order.client_order_id, OrderStatus.UNKNOWN, NOW, reason="lost")
    passes = 0
    while desk.journal.orders()[0].status is OrderStatus.UNKNOWN:
        desk.reconciler.run()
        passes += 1
        assert passes < 3, "resolved before it could be declared missing"
    (after,) = desk.journal.orders()
    assert after.status is OrderStatus.FILLED
    assert {f.fill_id for f in desk.journal.fills()} == {f.fill_id for f in desk.exchange.fills()}
    assert "missing" not in desk.kinds() and "resolved" in desk.kinds()
    assert desk.exchange.sent_counts() == {order.client_order_id: 1}


def test_exposure_is_the_larger_of_journal_and_exchange(desk: Desk) -> None:
    desk.place("other-bot-8", ticker=OTHER, count=90)  # $54 of exposure we did not journal
    desk.reconciler.run()
    assert desk.reconciler.exposure(DAY) >= Decimal("54")
    decision = Decision(
        action="BUY_YES",
        reason_code="trade",
        reason="edge",
        station_icao="KNYC",
        contract_type="HIGH",
        climate_date=DAY,
        checkpoint_minute=900,
        rule="design",
        market_ticker=TICKER,
        price=Decimal("0.60"),
        count=16,
        fee=Decimal("0.27"),
    )
    gate = TradeGate(desk.journal, exchange=desk.reconciler.exposure)
    refused = gate.check(decision, RiskLimits(), None, None)
    assert refused.reason_code == "risk_limit_daily_exposure" and refused.count == 0
    roomy = RiskLimits(max_daily_exposure=Decimal("120.00"))
    assert gate.check(decision, roomy, None, None) == decision
    paper = TradeGate(desk.journal)  # the journal alone holds nothing on the day
    assert paper.check(decision, RiskLimits(), None, None) == decision


def test_a_position_difference_seen_twice_is_an_exposure_mismatch(desk: Desk) -> None:
    desk.place("other-bot-9", count=5)  # the exchange shows 5 YES the journal does not hold
    desk.reconciler.run()
    assert "exposure_mismatch" not in desk.kinds()  # once could be lag
    desk.reconciler.run()
    assert "exposure_mismatch" in desk.kinds()


def test_an_exchange_settlement_that_disagrees_with_ours_is_reported(desk: Desk) -> None:
    order = desk.journal.record_intent(_intent(), "live")
    assert desk.broker.submit(order).status is OrderStatus.FILLED
    desk.reconciler.run()  # the fills are journaled from the exchange
    assert desk.journal.order_by_client_id(order.client_order_id).status is OrderStatus.FILLED  # type: ignore[union-attr]
    record_settlement(
        desk.journal,
        SettlementRecord(
            order.client_order_id, TICKER, "yes", 78, 78, False, Decimal("6.13"), DAY, NOW
        ),
    )
    desk.exchange.settle(TICKER, "no")  # the exchange says NO
    desk.reconciler.run()
    desk.reconciler.run()
    (event,) = reconciliation_events(desk.journal, kind=EventKind.SETTLEMENT_MISMATCH)
    assert "result ours yes, exchange no" in event.detail and event.market_ticker == TICKER


def test_our_client_ids_are_recognised_plain_or_hashed() -> None:
    assert key_of("kw-2026-11-24_KNYC_HIGH", TICKER) == "2026-11-24_KNYC_HIGH"
    assert key_of("kw-2026-11-24_KNYC_LOW", TICKER) == "2026-11-24_KNYC_LOW"
    assert key_of("kw-not-a-key", TICKER) is None
    assert key_of("other-7", TICKER) is None
