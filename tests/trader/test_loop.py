"""One tick of the paper trader against the fake IEM and Kalshi servers (real HTTP)."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.iem.client import IemClient
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.signing import KalshiSigner
from domain.brackets import Bracket
from domain.orders import OrderIntent, OrderStatus
from domain.risk import RiskLimits
from tests.fakes.iem_server import FakeIem
from tests.fakes.kalshi_server import FakeKalshi, fake_kalshi, make_key_pair
from tests.trader.conftest import threshold_row
from trader.brokers import PaperBroker
from trader.feeds import IemObservations
from trader.inputs import load_thresholds
from trader.journal import Journal
from trader.journal_state import breaker_events, decision_count, load_running_extreme
from trader.loop import Stop, Trader
from trader.markets import KalshiMarkets, SeriesFees
from trader.recovery import reconcile_intents, restore_breakers
from trader.settlement import IemClimate

KEY_ID = "trader-test-key"
EVENT = "KXHIGHNY-26AUG21"
# 15:10 EST on the 2026-08-21 climate day at KNYC (UTC-5): checkpoint minute 910.
NOW = datetime(2026, 8, 21, 20, 10, tzinfo=UTC)
# KNYC routine reports of 2026-08-21 (T group: 24.4 °C = 76 °F, 25.6 °C = 78 °F).
REPORTS = [
    "NYC,2026-08-21 17:51,76.00,64.00,KNYC 211751Z AUTO VRB04KT 10SM BKN035 24/18 A3009 "
    "RMK AO2 SLP180 T02440178",
    "NYC,2026-08-21 19:51,78.00,64.00,KNYC 211951Z AUTO 04003KT 10SM FEW041 26/18 A3006 "
    "RMK AO2 SLP171 T02560178",
]
LADDER = [  # (suffix, strike_type, floor, cap)
    ("T75", "less", None, 75),
    ("B75.5", "between", 75, 76),
    ("B77.5", "between", 77, 78),
    ("B79.5", "between", 79, 80),
    ("T80", "greater", 80, None),
]


@pytest.fixture(scope="module")
def key_pair() -> tuple[rsa.RSAPrivateKey, bytes]:
    return make_key_pair()


@dataclass
class World:
    iem: FakeIem
    kalshi: FakeKalshi
    journal: Journal
    trader: Trader
    clock: list[datetime]


def _markets(status: str = "active") -> list[dict[str, Any]]:
    return [
        {
            "ticker": f"{EVENT}-{suffix}",
            "status": status,
            "strike_type": kind,
            "floor_strike": floor,
            "cap_strike": cap,
        }
        for suffix, kind, floor, cap in LADDER
    ]


def _route_books(kalshi: FakeKalshi, no_bids: list[list[str]]) -> None:
    for suffix, *_ in LADDER:
        # Only the bracket holding 78 has a real book; the others are empty.
        levels = no_bids if suffix == "B77.5" else []
        kalshi.route(
            f"/markets/{EVENT}-{suffix}/orderbook", {"orderbook_fp": {"no_dollars": levels}}
        )


def _build(tmp_path: Path, iem: FakeIem, kalshi: FakeKalshi, key_pem: bytes, **row: Any) -> World:
    export_path = tmp_path / "station_thresholds.json"
    export_path.write_text(json.dumps([threshold_row(**row)]))
    clock = [NOW]
    export = load_thresholds(export_path, datetime.now(UTC))
    journal = Journal(tmp_path / "journal.sqlite")
    iem_client = IemClient(iem.start(), min_interval=0, max_attempts=1, sleep=lambda s: None)
    signer = KalshiSigner.from_pem(KEY_ID, key_pem)
    client = KalshiClient(kalshi.base_url, signer, max_retries=0, sleep=lambda s: None)
    markets = KalshiMarkets(client)

    def broker_for(fees: SeriesFees) -> PaperBroker:
        return PaperBroker(markets.book, lambda: clock[0], fees.fee_type, fees.fee_multiplier)

    state = restore_breakers(journal, RiskLimits())
    trader = Trader(
        export,
        journal,
        IemObservations(iem_client),
        markets,
        broker_for,
        state,
        lambda: clock[0],
        climate=IemClimate(iem_client).report,
    )
    return World(iem, kalshi, journal, trader, clock)


@pytest.fixture
def world(tmp_path: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[World]:
    iem = FakeIem(realdata=None)
    iem.asos.clear()
    iem.asos[("NYC", "3")] = list(REPORTS)
    with fake_kalshi(key_pair[0].public_key(), KEY_ID) as kalshi:
        kalshi.route(f"/events/{EVENT}", {"event": {"event_ticker": EVENT, "markets": _markets()}})
        kalshi.route("/series/KXHIGHNY", {"series": {"fee_type": "quadratic", "fee_multiplier": 1}})
        _route_books(kalshi, [["0.3800", "20.00"], ["0.4000", "10.00"]])
        built = _build(tmp_path, iem, kalshi, key_pair[1])
        yield built
        built.journal.close()
        iem.stop()


def test_a_tick_decides_journals_and_fills_partially_at_the_limit(world: World) -> None:
    report = world.trader.tick()
    (station,) = report.stations
    assert station.status == "ok", station
    assert station.extreme is not None and station.extreme.running_max_f == 78
    (decision,) = station.decisions
    assert decision.is_trade and decision.market_ticker == f"{EVENT}-B77.5", decision
    assert decision.price == Decimal("0.6000") and decision.count == 16  # $9.60 at 0.60
    (execution,) = station.executions
    # asks: 0.60 x 10, 0.62 x 20; the limit is the decision's 0.60: 10 of 16 fill
    assert execution.status is OrderStatus.PARTIAL
    assert [(f.count, f.price) for f in execution.fills] == [(Decimal(10), Decimal("0.6000"))]
    (order,) = world.journal.orders()
    assert order.dedup_key == "2026-08-21_KNYC_HIGH" and order.status is OrderStatus.PARTIAL
    assert order.decision_id is not None and decision_count(world.journal) == 1
    assert [f.fee for f in world.journal.fills()] == [Decimal("0.17")]  # 0.07 x 10 x .6 x .4
    saved = load_running_extreme(world.journal, "KNYC", NOW.date())
    assert saved is not None and saved.observation_count == 2
    assert world.kalshi.requests_to(f"/markets/{EVENT}-B77.5/orderbook")[0].signature_ok


def test_the_next_tick_never_orders_the_same_key_again(world: World, tmp_path: Path) -> None:
    world.trader.tick()
    world.clock[0] = NOW + timedelta(minutes=1)  # the 19:51 reading is 20 min old: still fresh
    second = world.trader.tick()
    assert second.stations[0].executions == []
    assert second.stations[0].decisions[0].reason_code == "risk_limit_one_trade_per_day"
    # a restarted trader restores the traded key from the journal
    restored = restore_breakers(world.journal, RiskLimits())
    assert ("KNYC", "HIGH", NOW.date()) in restored.risk.traded
    assert len(world.journal.orders()) == 1


def test_book_moved_away_between_decision_and_execution(world: World) -> None:
    # The decision sees 0.60; by the time the broker reads the book again it is 0.70.
    books = iter([[["0.4000", "30.00"]], [["0.3000", "30.00"]]])
    for suffix, *_ in LADDER:
        path = f"/trade-api/v2/markets/{EVENT}-{suffix}/orderbook"
        if suffix == "B77.5":
            world.kalshi.routes[path] = lambda q: (
                200,
                {"orderbook_fp": {"no_dollars": next(books)}},
            )
    (station,) = world.trader.tick().stations
    (execution,) = station.executions
    assert execution.status is OrderStatus.REJECTED and "moved away" in execution.reason
    (order,) = world.journal.orders()
    assert order.status is OrderStatus.REJECTED and world.journal.fills() == []


def test_kill_rows_are_watched_never_traded(
    tmp_path: Path, key_pair: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    iem = FakeIem(realdata=None)
    iem.asos.clear()
    iem.asos[("NYC", "3")] = list(REPORTS)
    with fake_kalshi(key_pair[0].public_key(), KEY_ID) as kalshi:
        kalshi.route(f"/events/{EVENT}", {"event": {"markets": _markets()}})
        kalshi.route("/series/KXHIGHNY", {"series": {"fee_type": "quadratic"}})
        _route_books(kalshi, [["0.4000", "30.00"]])
        world = _build(tmp_path, iem, kalshi, key_pair[1], verdict="KILL")
        (station,) = world.trader.tick().stations
        world.journal.close()
        iem.stop()
    assert [d.reason_code for d in station.decisions] == ["verdict_kill"]
    assert station.executions == [] and decision_count(Journal(tmp_path / "journal.sqlite")) == 1


def test_stale_station_pauses_then_resumes(world: World) -> None:
    world.clock[0] = NOW + timedelta(minutes=30)  # newest reading 19:51: 49 minutes old
    (station,) = world.trader.tick().stations
    assert station.status == "stale_observation" and station.executions == []
    assert station.decisions[0].reason_code == "stale_observation"
    world.iem.asos[("NYC", "3")].append(
        "NYC,2026-08-21 20:31,78.00,64.00,KNYC 212031Z AUTO 04003KT 10SM FEW041 26/18 A3006 "
        "RMK AO2 T02560178"
    )
    world.clock[0] = NOW + timedelta(minutes=40)
    (station,) = world.trader.tick().stations
    assert station.status == "ok"
    events = [(e.breaker, e.state_to) for e in breaker_events(world.journal)]
    assert events == [("stale_observation", "paused"), ("stale_observation", "ok")]


def test_iem_503_storm_backs_off_without_trading(world: World) -> None:
    world.iem.fail["/cgi-bin/request/asos.py"] = [503] * 10
    first = world.trader.tick().stations[0]
    assert first.status == "cannot reach IEM" and first.decisions == []
    second = world.trader.tick().stations[0]  # same instant: inside the 1 s backoff
    assert second.status == "iem backoff"
    world.clock[0] = NOW + timedelta(seconds=1)
    assert world.trader.tick().stations[0].status == "cannot reach IEM"
    waits = [(e.until_at - e.at).total_seconds() for e in breaker_events(world.journal)]  # type: ignore[operator]
    assert waits == [1, 2]
    assert world.journal.orders() == []


def test_kalshi_429_storm_backs_off_then_recovers(world: World) -> None:
    world.kalshi.route(
        "/series/KXHIGHNY",
        [(429, {"error": "too many requests"})] * 2
        + [(200, {"series": {"fee_type": "quadratic"}})],
    )
    first = world.trader.tick().stations[0]
    assert first.status == "cannot reach Kalshi" and world.journal.orders() == []
    world.clock[0] = NOW + timedelta(seconds=1)
    assert world.trader.tick().stations[0].status == "cannot reach Kalshi"
    world.clock[0] = NOW + timedelta(seconds=3)
    recovered = world.trader.tick().stations[0]
    assert recovered.status == "ok" and len(recovered.executions) == 1
    states = [(e.scope, e.state_to) for e in breaker_events(world.journal)]
    assert states == [("kalshi", "backoff"), ("kalshi", "backoff"), ("kalshi", "ok")]


def test_an_interrupted_paper_intent_is_rejected_on_restart(world: World) -> None:
    intent = OrderIntent(
        NOW.date(), "KNYC", "HIGH", f"{EVENT}-B77.5", Bracket(77, 78), 5, Decimal("0.60"), NOW
    )
    world.journal.record_intent(intent)  # the crash came before the broker ran
    broker = PaperBroker(
        lambda t: (_ for _ in ()).throw(AssertionError("no book read")), lambda: NOW
    )
    assert reconcile_intents(world.journal, broker, NOW) == 1
    (order,) = world.journal.orders()
    assert order.status is OrderStatus.REJECTED and order.status_reason == "not executed"
    assert reconcile_intents(world.journal, broker, NOW) == 0


def test_the_morning_tick_settles_on_the_cli(world: World) -> None:
    world.trader.tick()  # buys 10 of B77.5 (77..78) at 0.60, fee 0.17
    world.clock[0] = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)  # the CLI (high 79) is out
    report = world.trader.tick()
    (record,) = report.settled
    assert (record.settled_value_f, record.market_result) == (79, "no")
    assert record.pnl == Decimal("-6.17") and not record.extreme_disagrees
    assert world.trader.state.risk.consecutive_losses == 1
    assert world.trader.tick().settled == []  # settled once


def test_a_rewritten_export_is_reloaded_and_an_unusable_one_stops(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "station_thresholds.json"
    world.trader.reload_export = lambda at: load_thresholds(path, datetime.now(UTC))
    world.trader.tick()  # trades HIGH under the first export
    path.write_text(json.dumps([threshold_row(verdict="KILL")]))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    world.clock[0] = NOW + timedelta(minutes=1)
    report = world.trader.tick()
    assert [d.reason_code for d in report.stations[0].decisions] == ["verdict_kill"]
    path.write_text("[]")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 2_000_000))
    stopped = world.trader.tick()
    assert stopped.stopped_by is Stop.EXPORT and "has no rows" in (stopped.stopped or "")
    assert stopped.stations == []


def test_an_unwritable_journal_stops_trading(world: World, tmp_path: Path) -> None:
    world.trader.journal = Journal(tmp_path / "journal.sqlite", busy_timeout_ms=50)
    other = sqlite3.connect(tmp_path / "journal.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        report = world.trader.tick()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert report.stopped_by is Stop.JOURNAL and "not writable" in (report.stopped or "")
    assert world.trader.state.blocked("KNYC", NOW.date()) == "journal_unwritable"
    assert world.journal.orders() == []


def test_a_book_unreadable_at_execution_rejects_the_intent_and_backs_off(world: World) -> None:
    path = f"/trade-api/v2/markets/{EVENT}-B77.5/orderbook"
    world.kalshi.routes[path] = [
        (200, {"orderbook_fp": {"no_dollars": [["0.4000", "30.00"]]}}),
        (500, {"code": "internal", "message": "oops"}),
    ]
    (station,) = world.trader.tick().stations
    (execution,) = station.executions
    assert execution.status is OrderStatus.REJECTED and execution.fills == ()
    (order,) = world.journal.orders()
    assert order.status is OrderStatus.REJECTED and order.status_reason == "not executed"
    assert not world.trader.state.venue_ready("kalshi", NOW)


def test_a_station_without_thresholds_is_reported_not_crashed(world: World) -> None:
    world.trader.only_stations = ("KNYC", "KMDW")
    world.iem.asos[("MDW", "3")] = []
    statuses = [s.status for s in world.trader.tick().stations]
    assert statuses == ["ok", "not in the thresholds export"]
