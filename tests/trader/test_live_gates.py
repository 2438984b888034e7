"""The checks after the engine (``trader.gates.TradeGate``): unresolved orders, the daily
exposure, the daily advice, and which stations trade by default."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.brackets import Bracket
from domain.decision import Decision
from domain.orders import Fill, OrderIntent, OrderStatus
from domain.risk import RiskLimits, RiskState
from tests.trader.conftest import threshold_row
from trader.advice_gate import advice_loader, advised_risk
from trader.advisor import Advice, StationAdvice, write_advice
from trader.gates import TradeGate, journal_exposure
from trader.inputs import load_thresholds
from trader.journal import Journal
from trader.loop import Trader
from trader.recovery import restore_breakers

DAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 20, tzinfo=UTC)


def _buy(station: str = "KNYC", count: int = 16) -> Decision:
    return Decision(
        action="BUY_YES",
        reason_code="trade",
        reason="edge 0.35",
        station_icao=station,
        contract_type="HIGH",
        climate_date=DAY,
        checkpoint_minute=900,
        rule="design",
        market_ticker="KXHIGHNY-26NOV24-B77.5",
        price=Decimal("0.60"),
        count=count,
        fee=Decimal("0.27"),
    )


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite")


def _intent(station: str, contract: str = "LOW") -> OrderIntent:
    return OrderIntent(
        DAY, station, contract, "KXLOWTNYC-26NOV24-B77.5", Bracket(77, 78), 16,
        Decimal("0.60"), NOW,
    )  # fmt: skip


def test_an_unknown_order_blocks_every_order_until_resolved(journal: Journal) -> None:
    order = journal.record_intent(_intent("KMIA"), "live")
    journal.set_status(order.client_order_id, OrderStatus.UNKNOWN, NOW, reason="timeout")
    blocking = TradeGate(journal, block_all_on_unknown=True)
    refused = blocking.check(_buy(), RiskLimits(), None, None)
    assert refused.reason_code == "unresolved_order" and refused.count == 0
    assert order.client_order_id in refused.reason
    assert TradeGate(journal).check(_buy(), RiskLimits(), None, None) == _buy()  # key-only
    journal.set_status(order.client_order_id, OrderStatus.REJECTED, NOW, reason="read back")
    assert blocking.check(_buy(), RiskLimits(), None, None) == _buy()


def test_journal_exposure_counts_fills_and_open_orders_at_their_limit(journal: Journal) -> None:
    open_order = journal.record_intent(_intent("KMIA"), "live")
    filled = journal.record_intent(_intent("KNYC"), "live")
    journal.record_fill(
        Fill("f1", filled.client_order_id, filled.market_ticker, Decimal(10), Decimal("0.55"),
             Decimal("0.18"), NOW),
        NOW,
    )  # fmt: skip
    assert open_order.status is OrderStatus.INTENT
    assert journal_exposure(journal, DAY) == Decimal("9.60") + Decimal("5.68")
    assert journal_exposure(journal, DAY + timedelta(days=1)) == 0
    # $15.28 used: one more $9.87 trade fits under $60 and not under $20.
    gate = TradeGate(journal)
    assert gate.check(_buy(), RiskLimits(), None, None) == _buy()
    tight = RiskLimits(stake_min=Decimal(1), stake_max=Decimal(5), max_daily_exposure=Decimal(20))
    refused = gate.check(_buy(), tight, None, None)
    assert refused.reason_code == "risk_limit_daily_exposure"
    assert "15.28" in refused.reason and "would exceed 20" in refused.reason


def test_a_breaker_blocks_before_the_other_gates(journal: Journal) -> None:
    refused = TradeGate(journal).check(_buy(), RiskLimits(), "stale_observation", None)
    assert refused.reason_code == "stale_observation" and refused.action == "NO_TRADE"


def _advice(multiplier: str, created_at: datetime = NOW - timedelta(hours=8)) -> Advice:
    return Advice(
        day=DAY,
        created_at=created_at,
        advisor="rules-v1",
        stations={"KNYC": StationAdvice(Decimal(multiplier), ("front passing",))},
    )


def test_advice_scales_the_stake_or_skips_the_station(journal: Journal) -> None:
    risk = RiskState()
    assert advised_risk(risk, "KNYC", _advice("1")) == risk
    half = advised_risk(risk, "KNYC", _advice("0.5")).limits
    assert (half.stake_max, half.stake_min) == (Decimal("5.00"), Decimal("5.00"))
    quarter = advised_risk(risk, "KNYC", _advice("0.25")).limits
    assert (quarter.stake_max, quarter.stake_min) == (Decimal("2.50"), Decimal("2.50"))
    assert advised_risk(risk, "KMIA", _advice("0.25")) == risk  # not named: defaults
    gate = TradeGate(journal)
    scaled = gate.check(_buy(count=8), RiskLimits(), None, _advice("0.5"))
    assert scaled.is_trade and "advisor rules-v1 x0.5: front passing" in scaled.reason
    skipped = gate.check(_buy(), RiskLimits(), None, _advice("0"))
    assert skipped.reason_code == "advisor_skip" and "front passing" in skipped.reason


def test_the_advice_file_is_used_only_when_fresh_and_never_before_it_was_written(
    tmp_path: Path,
) -> None:
    source = advice_loader(tmp_path)
    assert source(DAY, NOW) is None  # no file: defaults
    write_advice(tmp_path, _advice("0.5", created_at=NOW - timedelta(hours=1)))
    assert source(DAY, NOW - timedelta(hours=2)) is None  # no look-ahead
    advice = source(DAY, NOW)
    assert advice is not None and advice.multiplier("KNYC") == Decimal("0.5")
    assert source(DAY, NOW + timedelta(days=2)) is None  # stale
    (tmp_path / f"advice-{DAY}.json").write_text("{not json")
    assert source(DAY, NOW) is None  # malformed: defaults


def test_only_stations_traded_by_default_unless_named(tmp_path: Path, journal: Journal) -> None:
    export = tmp_path / "station_thresholds.json"
    export.write_text(json.dumps([threshold_row(), threshold_row(station_icao="KSEA")]))
    loaded = load_thresholds(export, datetime.now(UTC))
    state = restore_breakers(journal, RiskLimits())

    def trader(stations: tuple[str, ...] | None) -> Trader:
        return Trader(loaded, journal, None, None, None, state, lambda: NOW, stations)  # type: ignore[arg-type]

    assert set(loaded.stations) == {"KNYC", "KSEA"}
    assert trader(None).stations == ("KNYC",)  # KSEA is not traded by default
    assert trader(("KSEA",)).stations == ("KSEA",)  # named: traded
