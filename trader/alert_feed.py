"""What to alert, read from the JOURNAL after each tick, so alerts survive restarts and need no
hook in the loop.

After every tick ``JournalAlerts.after_tick`` turns the journal rows it has not alerted yet into
alerts: order outcomes (trades), settlements, breaker transitions, reconciliation differences
(``trader.journal_events``), trader starts; plus the morning heartbeat
and the end-of-day report once their local time has passed. What was alerted is kept in the
journal itself (``trader.alert_store``) and marked BEFORE the alert is queued, so a restart
never alerts a row twice; an alert still queued or in flight at a ``kill -9`` (or left over when
``Notifier.close`` gave up) is re-sent at the next start, marked as a possible repeat: nothing
is skipped silently, and a repeat is at most the one alert whose delivery was being recorded at
the kill. The first run on an existing journal alerts only what follows. ``after_tick`` must run
on the thread that owns the journal (the loop's); it never raises.

The report of climate date D is due once the report time has passed in the zone AND every
station's climate day D has ended (the westernmost, UTC-8 standard, at D+1 08:00 UTC): a late
trade of D (a climate day runs to 01:00 EDT in New York, 04:00 EDT for Los Angeles) is never
left out. With the default 23:00 America/New_York that is 03:00 EST / 04:00 EDT the next night.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

from domain.climate_day import climate_day_window
from domain.orders import OrderStatus
from domain.risk import RiskLimits
from domain.stations import load_stations
from trader.alert_messages import (
    DecisionView,
    breaker_alert,
    error_alert,
    heartbeat_alert,
    reconciliation_alert,
    settlement_alert,
    start_alert,
    trade_alert,
)
from trader.alert_store import AlertStore
from trader.alerts import Alert, Notifier
from trader.daily_reports import daily_report, daily_report_alert
from trader.journal import Journal, JournalError, OrderRecord
from trader.journal_codec import from_text
from trader.journal_events import reconciliation_events
from trader.journal_state import breaker_events, settlements
from trader.loop import TickReport
from trader.status import status_report

log = logging.getLogger(__name__)

# Orders in these states have an outcome worth a message (``sent`` is only on the way there).
OUTCOMES = (OrderStatus.FILLED, OrderStatus.PARTIAL, OrderStatus.REJECTED, OrderStatus.UNKNOWN)
# Orders of older climate dates (settlements of older days) are not re-read every tick.
LOOKBACK_DAYS = 3
DEFAULT_ZONE = "America/New_York"
HEARTBEAT_AT = time(8, 0)
REPORT_AT = time(23, 0)
# Reports of these many past days are still sent after a restart (older ones are not).
REPORT_CATCH_UP_DAYS = 2


class JournalAlerts:
    """Alerts from the journal; one instance per trader process, created before the trader.

    Args:
        journal: the open journal (also stores what was alerted).
        notifier: where alerts go.
        now: the aware instant of creation (the baseline of a first run).
        zone: IANA zone of the heartbeat and report times.
        heartbeat_at: local time of the morning heartbeat.
        report_at: local time of the end-of-day report.
        limits: the risk limits (for the breaker state shown).
    """

    def __init__(
        self,
        journal: Journal,
        notifier: Notifier,
        now: datetime,
        zone: str = DEFAULT_ZONE,
        heartbeat_at: time = HEARTBEAT_AT,
        report_at: time = REPORT_AT,
        limits: RiskLimits | None = None,
    ) -> None:
        self.journal = journal
        self.notifier = notifier
        self.zone = ZoneInfo(zone)
        self.heartbeat_at = heartbeat_at
        self.report_at = report_at
        self.limits = limits or RiskLimits()
        self._last_error: str | None = None  # a standing failure is alerted once
        self.store = AlertStore(journal)
        if self.store.cursor("baseline") is None:
            self._baseline(now)
        notifier.on_done = self.store.settled
        for alert in self.store.unsettled(now):  # queued by a process that died
            log.warning("alert %s was not delivered before the restart: re-sent", alert.key)
            notifier.post(alert)

    # -- what was sent ---------------------------------------------------------------------

    def _once(self, key: str, build: Callable[[], Alert], now: datetime) -> None:
        """Alert ``key`` once; a row the alert cannot be built from gets an error alert instead
        (so one odd row neither repeats every tick nor holds up the others)."""
        if self.store.sent(key):
            return
        try:
            alert = build()
        except JournalError:
            raise
        except Exception as exc:
            log.exception("alert %s could not be built", key)
            alert = error_alert("Alert could not be built", f"{key}: {_problem(exc)}", now)
        self.store.mark(key, now, alert)  # first: a failed mark sends nothing, retried next tick
        self.notifier.post(replace(alert, key=key))

    def _baseline(self, now: datetime) -> None:
        """A first run alerts only what happens from now on (no flood of the journal's past)."""
        for stream, table, column in self._streams():
            self.store.advance(stream, self._max_id(table, column), now)
        for order in self.journal.orders():
            self.store.mark(f"order:{order.client_order_id}:{order.status.value}", now)
        for record in settlements(self.journal):
            self.store.mark(f"settlement:{record.client_order_id}", now)
        for day in self._report_days(now):
            if self._report_due(day, now):
                self.store.mark(f"report:{day}", now)
        self.store.advance("baseline", 0, now)

    @staticmethod
    def _streams() -> tuple[tuple[str, str, str], ...]:
        return (
            ("breakers", "breaker_events", "event_id"),
            ("starts", "heartbeats", "heartbeat_id"),
            ("reconciliation", "reconciliation_events", "event_id"),
        )

    def _max_id(self, table: str, column: str) -> int:
        sql = f"SELECT coalesce(max({column}), 0) FROM {table}"  # noqa: S608 - names from _streams
        return int(self.journal.query(sql)[0][0])

    # -- after each tick -------------------------------------------------------------------

    def after_tick(self, report: TickReport, now: datetime) -> None:
        """Queue the alerts the tick's journal rows call for; never raises.

        Args:
            report: the tick's report (its ``stopped`` becomes an error alert).
            now: the aware instant (decides whether the heartbeat and the report are due).
        """
        if report.stopped:
            self.notifier.post(error_alert("Trading stopped", report.stopped, now))
        problem: tuple[str, str] | None = None
        steps = (
            self._starts,
            self._orders,
            self._settlements,
            self._breakers,
            self._reconciliation,
            self._daily,
        )
        for step in steps:  # each on its own: one failing step does not silence the others
            try:
                step(now)
            except JournalError as exc:
                problem = problem or ("Alerts cannot use the journal", str(exc))
            except Exception as exc:  # alerting must never take the trader down
                log.exception("alert feed step %s failed", step.__name__)
                problem = problem or ("Alert feed failed", f"{step.__name__}: {_problem(exc)}")
        if problem is None:
            self._last_error = None
        elif not (report.stopped and problem[0].startswith("Alerts cannot")):
            self._error(*problem, now)  # a stopped tick already said the journal is unusable

    def _error(self, title: str, detail: str, now: datetime) -> None:
        if detail != self._last_error:
            self._last_error = detail
            self.notifier.post(error_alert(title, detail, now))

    def _starts(self, now: datetime) -> None:
        last = self.store.cursor("starts") or 0
        rows = self.journal.query(
            "SELECT heartbeat_id, at, kind, detail FROM heartbeats WHERE heartbeat_id > ? "
            "AND kind = 'start' ORDER BY heartbeat_id",
            (last,),
        )
        for row in rows:
            build = partial(_start_alert, row["at"], row["detail"])
            self._once(f"start:{row['heartbeat_id']}", build, now)
            self.store.advance("starts", int(row["heartbeat_id"]), now)

    def _orders(self, now: datetime) -> None:
        since = now.date() - timedelta(days=LOOKBACK_DAYS)
        for order in self.journal.orders():
            if order.climate_date < since or order.status not in OUTCOMES:
                continue
            key = f"order:{order.client_order_id}:{order.status.value}"
            if self.store.sent(key):
                continue
            self._once(key, partial(self._trade, order), now)

    def _trade(self, order: OrderRecord) -> Alert:
        fills = self.journal.fills(order.client_order_id)
        return trade_alert(order, fills, self._decision(order.decision_id))

    def _decision(self, decision_id: int | None) -> DecisionView | None:
        if decision_id is None:
            return None
        rows = self.journal.query(
            "SELECT fee, expected_value_per_contract, probability, reason FROM decisions "
            "WHERE decision_id = ?",
            (decision_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return DecisionView(
            fee=Decimal(row["fee"]),
            expected_value_per_contract=from_text(row["expected_value_per_contract"]),
            probability=from_text(row["probability"]),
            reason=row["reason"],
        )

    def _settlements(self, now: datetime) -> None:
        since = now - timedelta(days=LOOKBACK_DAYS)
        for record in settlements(self.journal):
            if record.settled_at >= since:
                key = f"settlement:{record.client_order_id}"
                self._once(key, partial(settlement_alert, record), now)

    def _breakers(self, now: datetime) -> None:
        last = self.store.cursor("breakers") or 0
        if self._max_id("breaker_events", "event_id") <= last:
            return
        # Ids are append-only, so the first N ids are those of the N events read, even when
        # another process (``resume``) adds one between the two reads.
        events = breaker_events(self.journal)
        rows = self.journal.query(
            "SELECT event_id FROM breaker_events ORDER BY event_id LIMIT ?", (len(events),)
        )
        new = [(int(row[0]), event) for row, event in zip(rows, events, strict=True)]
        for event_id, event in new:
            if event_id > last:
                self._once(f"breaker:{event_id}", partial(breaker_alert, event), now)
                self.store.advance("breakers", event_id, now)

    def _reconciliation(self, now: datetime) -> None:
        events = reconciliation_events(self.journal, after=self.store.cursor("reconciliation") or 0)
        for event in events:
            key = f"reconciliation:{event.event_id}"
            self._once(key, partial(reconciliation_alert, event), now)
            self.store.advance("reconciliation", event.event_id, now)

    def _daily(self, now: datetime) -> None:
        local = now.astimezone(self.zone)
        today = local.date()
        if local.time() >= self.heartbeat_at:
            self._once(f"heartbeat:{today}", partial(self._heartbeat, today, now), now)
        for day in self._report_days(now):  # past days too: a report missed while down
            if self._report_due(day, now):
                self._once(f"report:{day}", partial(self._report, day, now), now)

    def _heartbeat(self, today: date, now: datetime) -> Alert:
        return heartbeat_alert(today, status_report(self.journal, now, self.limits), now)

    def _report(self, day: date, now: datetime) -> Alert:
        return daily_report_alert(daily_report(self.journal, day, self.limits), now)

    def _report_days(self, now: datetime) -> list[date]:
        today = now.astimezone(self.zone).date()
        return [today - timedelta(days=n) for n in range(REPORT_CATCH_UP_DAYS, -1, -1)]

    def _report_due(self, day: date, now: datetime) -> bool:
        """The report of climate date ``day``: after its local time and every climate day."""
        at = datetime.combine(day, self.report_at, self.zone)
        return now >= max(at, _climate_days_end(day))


def _climate_days_end(day: date) -> datetime:
    """When the last station's climate day ``day`` ends (UTC)."""
    return max(climate_day_window(day, station)[1] for station in load_stations())


def _start_alert(at: str, detail: str) -> Alert:
    return start_alert(datetime.fromisoformat(at), detail)


def _problem(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"
