"""Faults a trader left running for weeks meets: malformed venue bodies, a resume run beside
it, a loss booked on another station's day, an export that ages, a second writer, a journal
that cannot be read. Against the fake IEM and Kalshi servers of ``test_loop`` (real HTTP)."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.brackets import Bracket
from domain.orders import OrderIntent
from tests.trader import test_loop
from tests.trader.test_loop import EVENT, NOW, World
from trader.breakers import BreakerState, on_resume, on_settlement
from trader.inputs import load_thresholds
from trader.journal import Journal, JournalError
from trader.journal_state import breaker_events, record_breaker_event
from trader.loop import Stop

LOSS = Decimal("-8.10")

# test_loop's fixtures: KNYC at 15:10 EST, a GO HIGH row, one bracket with depth.
key_pair = test_loop.key_pair
world = test_loop.world


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (f"/events/{EVENT}", ["not", "an", "object"]),
        (f"/events/{EVENT}", {"event": {"markets": ["a market that is a string"]}}),
        ("/series/KXHIGHNY", "a bare string"),
        (f"/markets/{EVENT}-B77.5/orderbook", [["0.40", "10.00"]]),
    ],
)
def test_a_malformed_kalshi_body_backs_off_never_crashes(
    world: World, path: str, body: object
) -> None:
    world.kalshi.route(path, [(200, body)])
    (station,) = world.trader.tick().stations
    assert station.status == "cannot reach Kalshi" and station.executions == []
    (event,) = breaker_events(world.journal)
    assert (event.scope, event.state_to) == ("kalshi", "backoff") and "unreadable" in event.reason
    assert world.journal.orders() == []


def test_a_malformed_cli_body_backs_off_and_settles_later(world: World) -> None:
    world.trader.tick()  # buys 10 of B77.5
    good = list(world.iem.cli[("KNYC", 2026)])
    world.iem.cli[("KNYC", 2026)] = ["not an object"]  # type: ignore[list-item]
    world.clock[0] = NOW.replace(day=22, hour=12)
    report = world.trader.tick()
    assert report.settled == [] and report.stopped is None
    assert [(e.scope, e.state_to) for e in breaker_events(world.journal)][-1] == ("iem", "backoff")
    world.iem.cli[("KNYC", 2026)] = good
    world.clock[0] += timedelta(seconds=1)
    assert len(world.trader.tick().settled) == 1


def _halt(state: BreakerState) -> BreakerState:
    for n in range(5):
        state, _ = on_settlement(state, LOSS, NOW.date(), NOW + timedelta(seconds=n))
    return state


def test_a_resume_run_beside_the_trader_lifts_its_halt(world: World, tmp_path: Path) -> None:
    world.trader.state = _halt(world.trader.state)
    (station,) = world.trader.tick().stations
    assert station.executions == [] and world.trader.state.risk.halted
    with Journal(tmp_path / "journal.sqlite") as other:  # ``python -m trader resume``
        _, events = on_resume(world.trader.state, NOW)
        for event in events:
            record_breaker_event(other, event)
    world.clock[0] = NOW + timedelta(minutes=1)
    (station,) = world.trader.tick().stations
    assert not world.trader.state.risk.halted and len(station.executions) == 1


def test_a_daily_loss_halts_every_station_at_once() -> None:
    # KNYC's loss settles at 06:30Z on the 22nd: risk day 22 in New York, while Los Angeles
    # (22:30 PST) is still trading the 21st. The halt is full.
    day = NOW.date()
    at = NOW.replace(day=22, hour=6, minute=30)
    state, events = on_settlement(BreakerState(), Decimal("-60.00"), day + timedelta(days=1), at)
    assert [e.breaker for e in events] == ["daily_loss"]
    assert state.blocked("KLAX", day) == "daily_loss"
    assert state.blocked("KNYC", day + timedelta(days=1)) == "daily_loss"
    assert state.blocked("KNYC", day + timedelta(days=2)) is None


def test_an_export_that_ages_while_running_stops_trading(world: World, tmp_path: Path) -> None:
    path = tmp_path / "station_thresholds.json"
    written = (NOW - timedelta(hours=2)).timestamp()
    os.utime(path, (written, written))
    limit = timedelta(hours=3)
    world.trader.export = load_thresholds(path, NOW, max_age=limit)
    world.trader.reload_export = lambda at: load_thresholds(path, at, max_age=limit)
    world.trader.max_export_age = limit
    assert world.trader.tick().stopped is None
    world.clock[0] = NOW + timedelta(hours=2)  # the export is now 4 h old and dbt never ran
    stopped = world.trader.tick()
    assert stopped.stopped_by is Stop.EXPORT and "h old" in (stopped.stopped or "")
    assert json.loads(path.read_text())  # the file itself is fine: only its age refuses it


def test_a_key_another_writer_ordered_is_counted_traded(world: World) -> None:
    world.journal.record_intent(
        OrderIntent(
            NOW.date(), "KNYC", "HIGH", f"{EVENT}-B77.5", Bracket(77, 78), 5, Decimal("0.60"), NOW
        )
    )  # not in the trader's memory: a second process wrote it
    (station,) = world.trader.tick().stations
    assert station.executions == [] and len(world.journal.orders()) == 1
    assert ("KNYC", "HIGH", NOW.date()) in world.trader.state.risk.traded
    world.clock[0] = NOW + timedelta(minutes=1)
    (station,) = world.trader.tick().stations
    assert station.decisions[0].reason_code == "risk_limit_one_trade_per_day"


def test_an_unreadable_journal_is_a_journal_error(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite")
    journal.close()
    for read in (journal.orders, journal.fills, lambda: journal.order_by_key("k")):
        with pytest.raises(JournalError, match="read failed"):
            read()


def test_a_trade_a_breaker_blocks_is_journaled_as_no_trade(world: World) -> None:
    world.trader.state, _ = on_settlement(
        world.trader.state, Decimal("-60.00"), NOW.date() + timedelta(days=1), NOW
    )  # a daily-loss halt booked on the next risk day: decide() alone would still buy
    (station,) = world.trader.tick().stations
    (decision,) = station.decisions
    assert (decision.action, decision.reason_code) == ("NO_TRADE", "daily_loss")
    assert "would have: buy 16" in decision.reason and station.executions == []
    rows = world.journal.query("SELECT action, reason_code, count FROM decisions")
    assert [tuple(r) for r in rows] == [("NO_TRADE", "daily_loss", 0)]
    assert world.journal.orders() == []
