"""Paper settlement on the CLI: P&L per fill, audit flag, only after the day, only once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.iem.client import IemClient
from domain.brackets import Bracket
from domain.decision import Decision
from domain.orders import Fill, OrderIntent
from domain.risk import RiskLimits, RiskState, order_pnl
from domain.stations import station_by_icao
from tests.fakes.iem_server import FakeIem
from trader.breakers import BreakerState
from trader.journal import Journal, OrderRecord
from trader.journal_state import breaker_events, record_decision, settlements
from trader.settlement import (
    ClimateReport,
    IemClimate,
    due_settlements,
    parse_cli_json,
    settle_due,
)

DAY = date(2026, 8, 21)
TRADED_AT = datetime(2026, 8, 21, 20, 10, tzinfo=UTC)
DAY_END = datetime(2026, 8, 22, 5, 0, tzinfo=UTC)  # KNYC: UTC-5
MORNING = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
CLI = ClimateReport("KNYC", DAY, 79, 63, "202608220630-KOKX-CDUS41-CLINYC")


def _order(
    journal: Journal, contract: str, bracket: Bracket, extreme: int, fills: list[tuple[int, str]]
) -> OrderRecord:
    decision = Decision("BUY_YES", "trade", "t", "KNYC", contract, DAY, 910, "design")
    decision_id = record_decision(
        journal,
        decision,
        decided_at=TRADED_AT,
        verdict="GO",
        running_extreme_f=extreme,
        observation_age_minutes=Decimal(19),
    )
    intent = OrderIntent(
        DAY,
        "KNYC",
        contract,
        f"KXHIGHNY-26AUG21-{contract}",
        bracket,
        10,
        Decimal("0.90"),
        TRADED_AT,
        decision_id,
    )
    order = journal.record_intent(intent)
    journal.record_fills(
        [
            Fill(
                f"{order.client_order_id}-{n}",
                order.client_order_id,
                intent.market_ticker,
                Decimal(count),
                Decimal(price),
                Decimal("0.05"),
                TRADED_AT,
            )
            for n, (count, price) in enumerate(fills)
        ],
        TRADED_AT,
    )
    return order


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.sqlite")


def test_parse_cli_json_reads_whole_degrees_only() -> None:
    text = json.dumps(
        {
            "results": [
                {"station": "KNYC", "valid": "2026-08-21", "high": 79, "low": "63", "product": "p"},
                {"station": "KNYC", "valid": "2026-08-22", "high": "M", "low": "T", "product": "p"},
                {"station": "KNYC", "valid": "garbage", "high": 1, "low": 1},
            ]
        }
    )
    first, second = parse_cli_json(text)
    assert (first.high, first.low, second.high, second.low) == (79, 63, None, None)
    assert parse_cli_json("") == []
    assert CLI.issued_at == datetime(2026, 8, 22, 6, 30, tzinfo=UTC)


def test_wins_losses_pnl_per_fill_and_the_audit_flag(journal: Journal) -> None:
    won = _order(journal, "HIGH", Bracket(79, 80), 78, [(4, "0.88"), (6, "0.90")])
    # LOW at 63 settles inside 62..63; the running min seen was 62, the CLI says 63: flagged
    flagged = _order(journal, "LOW", Bracket(62, 63), 62, [(10, "0.90")])
    records = {r.client_order_id: r for r in due_settlements(journal, lambda s, d: CLI, MORNING)}
    high, low = records[won.client_order_id], records[flagged.client_order_id]
    expected = order_pnl(4, Decimal("0.88"), Decimal("0.05"), True) + order_pnl(
        6, Decimal("0.90"), Decimal("0.05"), True
    )
    assert (high.market_result, high.pnl, high.extreme_disagrees) == ("yes", expected, False)
    assert high.pnl == Decimal("0.98")  # 4 x 0.12 + 6 x 0.10 - 2 x 0.05
    assert (low.settled_value_f, low.running_extreme_f, low.extreme_disagrees) == (63, 62, True)
    assert high.risk_day == date(2026, 8, 22)  # realised on the settlement's own day


def test_a_lost_high_and_a_cli_below_the_running_max(journal: Journal) -> None:
    order = _order(journal, "HIGH", Bracket(81, 82), 80, [(10, "0.90")])
    (record,) = due_settlements(journal, lambda s, d: CLI, MORNING)
    assert record.client_order_id == order.client_order_id
    assert record.market_result == "no" and record.pnl == Decimal("-9.05")
    assert record.extreme_disagrees  # the CLI high 79 is below the 80 the trader saw


def test_nothing_settles_before_the_day_ends_or_on_a_preliminary_cli(journal: Journal) -> None:
    _order(journal, "HIGH", Bracket(79, 80), 78, [(10, "0.90")])
    asked: list[date] = []

    def climate(station: object, day: date) -> ClimateReport:
        asked.append(day)
        return CLI

    assert due_settlements(journal, climate, DAY_END - timedelta(minutes=1)) == []
    assert asked == []  # not even asked before the day is over
    evening = ClimateReport("KNYC", DAY, 78, 63, "202608212130-KOKX-CDUS41-CLINYC")
    assert due_settlements(journal, lambda s, d: evening, MORNING) == []
    assert due_settlements(journal, lambda s, d: None, MORNING) == []


def test_settle_due_journals_once_and_feeds_the_breakers(journal: Journal) -> None:
    _order(journal, "HIGH", Bracket(81, 82), 80, [(10, "0.90")])
    journal.record_intent(  # rejected, never filled: nothing to settle
        OrderIntent(DAY, "KNYC", "LOW", "T", Bracket(60, 61), 5, Decimal("0.5"), TRADED_AT)
    )
    state = BreakerState(risk=RiskState(limits=RiskLimits(daily_loss_limit=Decimal("9.00"))))
    state, records = settle_due(journal, lambda s, d: CLI, state, MORNING)
    assert len(records) == 1 and settlements(journal) == records
    assert state.risk.pnl_on(date(2026, 8, 22)) == Decimal("-9.05")
    assert [(e.breaker, e.state_to) for e in breaker_events(journal)] == [("daily_loss", "halted")]
    state, again = settle_due(journal, lambda s, d: CLI, state, MORNING)
    assert again == [] and len(settlements(journal)) == 1


def test_cli_reports_through_the_fake_iem() -> None:
    iem = FakeIem(realdata=None)  # its fallback: KNYC 2026-08-21 high 79, low 63
    client = IemClient(iem.start(), min_interval=0, max_attempts=1, sleep=lambda s: None)
    try:
        report = IemClimate(client).report(station_by_icao("KNYC"), DAY)
        missing = IemClimate(client).report(station_by_icao("KNYC"), date(2026, 8, 25))
    finally:
        client.close()
        iem.stop()
    assert report is not None and (report.high, report.low) == (79, 63)
    assert report.issued_at is not None and report.issued_at > DAY_END
    assert missing is None
