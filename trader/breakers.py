"""The circuit breakers of the trading design: a pure state machine; every transition is an event.

| breaker | trips on | lifts |
|---|---|---|
| ``venue_backoff`` (per venue) | a Kalshi/IEM error | after 1, 2, 4, 8 ... s (capped at 5 min) and a success |
| ``stale_observation`` (per station) | newest reading older than ``max_obs_age_minutes`` | a fresh reading |
| ``consecutive_losses`` | ``domain.risk``'s losing-streak halt | ``resume`` (manual review) |
| ``daily_loss`` | ``domain.risk``'s daily loss limit on a risk day | the next risk day |
| ``journal_unwritable`` | a journal write failure | never in-process: stop, say why |

The loss limits are ``domain.risk``'s (``RiskLimits``, ``record_settlement``, ``resume``); this
module only notices their transitions. Each update returns the new state and the events to
journal (``trader.journal_state.record_breaker_event``); nothing here reads a clock or a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from domain import risk
from domain.risk import RiskState

BACKOFF_BASE = timedelta(seconds=1)
BACKOFF_CAP = timedelta(minutes=5)
ALL = "all"

V = TypeVar("V")


class Breaker(StrEnum):
    """The breakers, as named in ``breaker_events.breaker``."""

    VENUE_BACKOFF = "venue_backoff"
    STALE_OBSERVATION = "stale_observation"
    CONSECUTIVE_LOSSES = "consecutive_losses"
    DAILY_LOSS = "daily_loss"
    JOURNAL_UNWRITABLE = "journal_unwritable"


@dataclass(frozen=True)
class BreakerEvent:
    """One breaker transition (a ``breaker_events`` row).

    Attributes:
        at: aware instant of the transition.
        breaker: which breaker (a ``Breaker`` value).
        scope: ``all``, a venue (``kalshi``/``iem``) or a station ICAO.
        state_from: state before (``ok``, ``backoff``, ``paused``, ``halted``, ``stopped``).
        state_to: state after.
        reason: why, in words.
        until_at: when it lifts by itself, if it does.
    """

    at: datetime
    breaker: str
    scope: str
    state_from: str
    state_to: str
    reason: str
    until_at: datetime | None = None


def backoff_delay(failures: int) -> timedelta:
    """Wait after ``failures`` consecutive errors: 1 s, 2 s, 4 s, 8 s ... at most 5 minutes."""
    if failures < 1:
        raise ValueError("backoff needs at least one failure")
    # 2**9 s already exceeds the cap; clamping the exponent keeps huge streaks cheap.
    return min(BACKOFF_BASE * (1 << min(failures - 1, 9)), BACKOFF_CAP)


def _frozen(mapping: Mapping[str, V]) -> Mapping[str, V]:
    # A read-only view of a private copy, as in domain.risk.
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class BreakerState:
    """Everything the breakers know; update functions return new states.

    Attributes:
        risk: the ``domain.risk`` state (losing streak, halt, P&L per risk day).
        venue_failures: consecutive errors per venue.
        venue_retry_at: earliest next request per venue while backing off.
        paused_stations: stations paused for a stale observation.
        daily_loss_day: the risk day halted by the daily loss limit, if any.
        journal_error: why the journal failed, once it has (trading is over for this process).
    """

    risk: RiskState = field(default_factory=RiskState)
    venue_failures: Mapping[str, int] = field(default_factory=lambda: _frozen({}))
    venue_retry_at: Mapping[str, datetime] = field(default_factory=lambda: _frozen({}))
    paused_stations: frozenset[str] = frozenset()
    daily_loss_day: date | None = None
    journal_error: str | None = None

    def venue_ready(self, venue: str, now: datetime) -> bool:
        """May we call ``venue`` at ``now`` (not inside a backoff wait)?"""
        retry_at = self.venue_retry_at.get(venue)
        return retry_at is None or now >= retry_at

    def blocked(self, station: str, day: date) -> str | None:
        """Why ``station`` may not trade on risk day ``day``, or None.

        The journal comes first (nothing may be traded that cannot be recorded), then the
        halts that outlive the day, the day's loss limit, and the station's pause.
        """
        if self.journal_error is not None:
            return Breaker.JOURNAL_UNWRITABLE.value
        if self.risk.halted:
            return Breaker.CONSECUTIVE_LOSSES.value
        # The halt is full: a station whose climate day is still the one before the loss's
        # risk day (Los Angeles while New York's settlement is booked) stops too.
        halted_through = self.daily_loss_day
        if self._daily_loss_hit(day) or (halted_through is not None and day <= halted_through):
            return Breaker.DAILY_LOSS.value
        if station.upper() in self.paused_stations:
            return Breaker.STALE_OBSERVATION.value
        return None

    def _daily_loss_hit(self, day: date) -> bool:
        return self.risk.pnl_on(day) <= -self.risk.limits.daily_loss_limit


def on_venue_error(
    state: BreakerState, venue: str, at: datetime, reason: str
) -> tuple[BreakerState, tuple[BreakerEvent, ...]]:
    """A request to ``venue`` failed: back off exponentially (each longer wait is an event)."""
    failures = state.venue_failures.get(venue, 0) + 1
    retry_at = at + backoff_delay(failures)
    event = BreakerEvent(
        at,
        Breaker.VENUE_BACKOFF,
        venue,
        "backoff" if failures > 1 else "ok",
        "backoff",
        f"{reason} (failure {failures}, retry in {backoff_delay(failures).total_seconds():g} s)",
        retry_at,
    )
    new = replace(
        state,
        venue_failures=_frozen({**state.venue_failures, venue: failures}),
        venue_retry_at=_frozen({**state.venue_retry_at, venue: retry_at}),
    )
    return new, (event,)


def on_venue_ok(
    state: BreakerState, venue: str, at: datetime
) -> tuple[BreakerState, tuple[BreakerEvent, ...]]:
    """A request to ``venue`` succeeded: the backoff (if any) ends."""
    failures = state.venue_failures.get(venue, 0)
    if not failures:
        return state, ()
    rest_failures = {k: v for k, v in state.venue_failures.items() if k != venue}
    rest_retry = {k: v for k, v in state.venue_retry_at.items() if k != venue}
    new = replace(state, venue_failures=_frozen(rest_failures), venue_retry_at=_frozen(rest_retry))
    event = BreakerEvent(
        at, Breaker.VENUE_BACKOFF, venue, "backoff", "ok", f"recovered after {failures} failures"
    )
    return new, (event,)


def on_observation(
    state: BreakerState,
    station: str,
    age_minutes: Decimal | None,
    max_age_minutes: int,
    at: datetime,
) -> tuple[BreakerState, tuple[BreakerEvent, ...]]:
    """A station's newest reading is ``age_minutes`` old (None: no reading today).

    Stale means older than ``max_age_minutes`` (inclusive bound, like ``decide``); a stale
    station pauses, and the first fresh reading resumes it.
    """
    key = station.upper()
    stale = age_minutes is None or age_minutes > max_age_minutes
    paused = key in state.paused_stations
    if stale == paused:
        return state, ()
    if stale:
        seen = (
            "no reading today" if age_minutes is None else f"newest reading {age_minutes} min old"
        )
        reason = f"{seen} > {max_age_minutes} min"
        new = replace(state, paused_stations=state.paused_stations | {key})
        return new, (BreakerEvent(at, Breaker.STALE_OBSERVATION, key, "ok", "paused", reason),)
    new = replace(state, paused_stations=state.paused_stations - {key})
    reason = f"fresh reading, {age_minutes} min old"
    return new, (BreakerEvent(at, Breaker.STALE_OBSERVATION, key, "paused", "ok", reason),)


def on_settlement(
    state: BreakerState, pnl: Decimal, day: date, at: datetime
) -> tuple[BreakerState, tuple[BreakerEvent, ...]]:
    """A trade settled with ``pnl`` realised on risk day ``day`` (``domain.risk.record_settlement``).

    Returns:
        The new state and an event for each halt it trips: the losing streak, the day's loss.
    """
    new_risk = risk.record_settlement(state.risk, pnl, day)
    events: list[BreakerEvent] = []
    if new_risk.halted and not state.risk.halted:
        events.append(
            BreakerEvent(
                at,
                Breaker.CONSECUTIVE_LOSSES,
                ALL,
                "ok",
                "halted",
                f"{new_risk.consecutive_losses} losing settlements in a row: halted until resume",
            )
        )
    new = replace(state, risk=new_risk)
    if new._daily_loss_hit(day) and state.daily_loss_day != day:
        new = replace(new, daily_loss_day=day)
        events.append(
            BreakerEvent(
                at,
                Breaker.DAILY_LOSS,
                ALL,
                "ok",
                "halted",
                f"P&L {new_risk.pnl_on(day)} on {day} reached the daily loss limit "
                f"-{new_risk.limits.daily_loss_limit}: halted until the next trading day",
            )
        )
    return new, tuple(events)


def on_new_day(
    state: BreakerState, day: date, at: datetime
) -> tuple[BreakerState, tuple[BreakerEvent, ...]]:
    """Risk day ``day`` has begun: a daily-loss halt of an earlier day lifts."""
    if state.daily_loss_day is None or day <= state.daily_loss_day:
        return state, ()
    reason = f"new trading day {day} (halted on {state.daily_loss_day})"
    new = replace(state, daily_loss_day=None)
    return new, (BreakerEvent(at, Breaker.DAILY_LOSS, ALL, "halted", "ok", reason),)


def on_resume(
    state: BreakerState, at: datetime, who: str = "operator"
) -> tuple[BreakerState, tuple[BreakerEvent, ...]]:
    """``python -m trader resume``: a human lifts the losing-streak halt (``domain.risk.resume``)."""
    if not state.risk.halted:
        return state, ()
    new = replace(state, risk=risk.resume(state.risk))
    reason = f"resumed by {who} after manual review"
    return new, (BreakerEvent(at, Breaker.CONSECUTIVE_LOSSES, ALL, "halted", "ok", reason),)


def on_journal_error(
    state: BreakerState, at: datetime, reason: str
) -> tuple[BreakerState, tuple[BreakerEvent, ...]]:
    """The journal could not be written: stop trading (the event may not be journaled itself:
    the caller logs it and exits)."""
    if state.journal_error is not None:
        return state, ()
    new = replace(state, journal_error=reason)
    return new, (BreakerEvent(at, Breaker.JOURNAL_UNWRITABLE, ALL, "ok", "stopped", reason),)
