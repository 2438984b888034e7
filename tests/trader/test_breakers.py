"""Circuit breakers: backoff, stale pause/resume, 5-loss halt and resume, daily loss, journal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from domain.risk import RiskLimits, RiskState
from trader.breakers import (
    Breaker,
    BreakerEvent,
    BreakerState,
    backoff_delay,
    on_journal_error,
    on_new_day,
    on_observation,
    on_resume,
    on_settlement,
    on_venue_error,
    on_venue_ok,
)
from trader.journal import Journal
from trader.journal_state import breaker_events, record_breaker_event

T0 = datetime(2026, 2, 19, 15, 0, tzinfo=UTC)
DAY = date(2026, 2, 19)


def test_backoff_doubles_from_one_second_and_caps_at_five_minutes() -> None:
    delays = [backoff_delay(n).total_seconds() for n in range(1, 12)]
    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert backoff_delay(10_000) == timedelta(minutes=5)
    with pytest.raises(ValueError):
        backoff_delay(0)


def test_venue_errors_back_off_and_a_success_recovers() -> None:
    state = BreakerState()
    events: list[BreakerEvent] = []
    at = T0
    for _ in range(4):  # a 429 storm
        state, new = on_venue_error(state, "kalshi", at, "HTTP 429")
        events += new
        at = state.venue_retry_at["kalshi"]
    assert [e.state_from for e in events] == ["ok", "backoff", "backoff", "backoff"]
    assert [(e.until_at - e.at).total_seconds() for e in events] == [1, 2, 4, 8]  # type: ignore[operator]
    assert not state.venue_ready("kalshi", at - timedelta(seconds=1))
    assert state.venue_ready("kalshi", at) and state.venue_ready("iem", T0)
    state, new = on_venue_ok(state, "kalshi", at)
    assert [(e.state_from, e.state_to) for e in new] == [("backoff", "ok")]
    assert state.venue_failures == {} and state.venue_ready("kalshi", T0)
    assert on_venue_ok(state, "kalshi", at) == (state, ())  # no transition, no event
    state, _ = on_venue_error(state, "kalshi", at, "HTTP 503")
    assert state.venue_retry_at["kalshi"] == at + timedelta(seconds=1)  # restarts at 1 s


def test_stale_station_pauses_and_resumes_on_a_fresh_reading() -> None:
    state = BreakerState()
    state, events = on_observation(state, "KNYC", Decimal(20), 20, T0)  # 20 is still fresh
    assert events == () and state.blocked("KNYC", DAY) is None
    state, events = on_observation(state, "knyc", Decimal("20.5"), 20, T0)
    assert [(e.breaker, e.scope, e.state_to) for e in events] == [
        (Breaker.STALE_OBSERVATION, "KNYC", "paused")
    ]
    assert state.blocked("KNYC", DAY) == "stale_observation"
    assert state.blocked("KMDW", DAY) is None
    state, events = on_observation(state, "KNYC", Decimal(45), 20, T0)
    assert events == ()  # still paused: no new transition
    state, events = on_observation(state, "KNYC", None, 20, T0)
    assert events == ()
    state, events = on_observation(state, "KNYC", Decimal(3), 20, T0)
    assert [(e.state_from, e.state_to) for e in events] == [("paused", "ok")]
    assert state.blocked("KNYC", DAY) is None
    state, events = on_observation(state, "KMIA", None, 20, T0)
    assert "no reading today" in events[0].reason


def test_five_losing_settlements_halt_until_resume() -> None:
    state = BreakerState(risk=RiskState(limits=RiskLimits(daily_loss_limit=Decimal("1000"))))
    halts = []
    for n in range(5):
        state, events = on_settlement(state, Decimal("-5.00"), DAY, T0 + timedelta(hours=n))
        halts += events
        assert state.risk.halted is (n == 4)
    assert [(e.breaker, e.state_to) for e in halts] == [(Breaker.CONSECUTIVE_LOSSES, "halted")]
    assert state.blocked("KNYC", DAY + timedelta(days=3)) == "consecutive_losses"
    state, events = on_settlement(state, Decimal("-5.00"), DAY, T0)
    assert events == ()  # already halted
    state, events = on_resume(state, T0 + timedelta(days=1), who="alice")
    assert [(e.state_from, e.state_to) for e in events] == [("halted", "ok")]
    assert "alice" in events[0].reason
    assert not state.risk.halted and state.risk.consecutive_losses == 0
    assert on_resume(state, T0) == (state, ())


def test_a_win_resets_the_streak() -> None:
    state = BreakerState(risk=RiskState(limits=RiskLimits(daily_loss_limit=Decimal("1000"))))
    for pnl in ("-1", "-1", "-1", "-1", "2", "-1", "-1"):
        state, _ = on_settlement(state, Decimal(pnl), DAY, T0)
    assert not state.risk.halted and state.risk.consecutive_losses == 2


def test_daily_loss_halts_until_the_next_trading_day() -> None:
    limits = RiskLimits(daily_loss_limit=Decimal("20.00"))
    state = BreakerState(risk=RiskState(limits=limits))
    state, events = on_settlement(state, Decimal("-12.00"), DAY, T0)
    assert events == () and state.blocked("KNYC", DAY) is None
    state, events = on_settlement(state, Decimal("-8.00"), DAY, T0)  # exactly the limit
    assert [(e.breaker, e.state_to) for e in events] == [(Breaker.DAILY_LOSS, "halted")]
    assert state.blocked("KNYC", DAY) == "daily_loss"
    assert on_new_day(state, DAY, T0) == (state, ())  # same day: still halted
    state, events = on_new_day(state, DAY + timedelta(days=1), T0 + timedelta(days=1))
    assert [(e.state_from, e.state_to) for e in events] == [("halted", "ok")]
    assert state.blocked("KNYC", DAY + timedelta(days=1)) is None
    assert state.blocked("KNYC", DAY) == "daily_loss"  # the limit itself is domain.risk's


def test_journal_failure_stops_everything_first() -> None:
    state = BreakerState()
    state, _ = on_observation(state, "KNYC", Decimal(99), 20, T0)
    state, events = on_journal_error(state, T0, "disk full")
    assert [(e.breaker, e.state_to, e.reason) for e in events] == [
        (Breaker.JOURNAL_UNWRITABLE, "stopped", "disk full")
    ]
    assert state.blocked("KNYC", DAY) == state.blocked("KMDW", DAY) == "journal_unwritable"
    assert on_journal_error(state, T0, "again") == (state, ())


def test_events_round_trip_through_the_journal(tmp_path: Path) -> None:
    state = BreakerState()
    _, events = on_venue_error(state, "iem", T0, "HTTP 503")
    with Journal(tmp_path / "j.sqlite") as journal:
        for event in events:
            record_breaker_event(journal, event)
        assert breaker_events(journal) == list(events)
