"""What the alerts already said, kept in the trader's journal: stream cursors and one row per
alert (its body, when it was queued, when its fate was settled).

``alert_cursors`` holds the last journal id alerted per append-only stream (breaker events,
starts, reconciliation events); ``alerts_sent`` one row per alert key, written BEFORE the alert
is queued, so no row is ever alerted twice. ``delivered_at`` is set once the notifier settled
the alert's fate (delivered, or given up and logged); a row queued but never settled (the
process was killed) is re-sent at the next start. The tables belong to the alerts, not to the
trading schema (``trader.journal_schema``): they are created here, on first use.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from trader.alerts import Alert, Priority
from trader.journal import Journal
from trader.journal_codec import to_iso

log = logging.getLogger(__name__)

DDL = (
    "CREATE TABLE IF NOT EXISTS alert_cursors (stream TEXT PRIMARY KEY, "
    "last_id INTEGER NOT NULL, updated_at TEXT NOT NULL) STRICT",
    "CREATE TABLE IF NOT EXISTS alerts_sent (alert_key TEXT PRIMARY KEY, "
    "sent_at TEXT NOT NULL, alert TEXT, delivered_at TEXT) STRICT",
)
# Added to an ``alerts_sent`` of the first version (key and time only).
ALERTS_SENT_COLUMNS = ("alert", "delivered_at")
# Undelivered alerts older than this are not re-sent at a start (the news is too old).
RESEND_WITHIN = timedelta(days=1)
RESENT_NOTE = "Re-sent after a restart: it may be a repeat."
# How long the sender thread waits for the journal to record a delivery.
DELIVERY_WRITE_TIMEOUT_S = 2.0


class AlertStore:
    """The alert tables of one journal (created or brought forward on construction).

    Args:
        journal: the open journal.

    Raises:
        JournalError: the journal cannot be written.
    """

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        for statement in DDL:
            journal.write(statement, ())
        have = {row["name"] for row in journal.query("PRAGMA table_info(alerts_sent)")}
        for column in ALERTS_SENT_COLUMNS:
            if column not in have:
                journal.write(f"ALTER TABLE alerts_sent ADD COLUMN {column} TEXT", ())

    def cursor(self, stream: str) -> int | None:
        """The last id alerted of a stream (None before the first)."""
        rows = self.journal.query("SELECT last_id FROM alert_cursors WHERE stream = ?", (stream,))
        return int(rows[0][0]) if rows else None

    def advance(self, stream: str, last_id: int, now: datetime) -> None:
        """Move a stream's cursor to ``last_id``."""
        self.journal.write(
            "INSERT INTO alert_cursors (stream, last_id, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (stream) DO UPDATE SET last_id = excluded.last_id, "
            "updated_at = excluded.updated_at",
            (stream, last_id, to_iso(now)),
        )

    def sent(self, key: str) -> bool:
        """Whether ``key`` was alerted (or baselined) already."""
        return bool(self.journal.query("SELECT 1 FROM alerts_sent WHERE alert_key = ?", (key,)))

    def mark(self, key: str, now: datetime, alert: Alert | None = None) -> None:
        """Record ``key`` as alerted; with its ``alert`` (re-sent if never settled)."""
        body = None if alert is None else json.dumps(_stored(alert), default=str)
        self.journal.write(
            "INSERT OR IGNORE INTO alerts_sent (alert_key, sent_at, alert) VALUES (?, ?, ?)",
            (key, to_iso(now), body),
        )

    def settled(self, key: str) -> None:
        """Record that an alert's fate is settled; runs on the notifier's sender thread, so on a
        short-lived connection of its own (``Notifier.on_done``)."""
        uri = f"{self.journal.path.resolve().as_uri()}?mode=rw"  # never creates a file
        db = sqlite3.connect(uri, uri=True, timeout=DELIVERY_WRITE_TIMEOUT_S)
        try:
            with db:
                db.execute(
                    "UPDATE alerts_sent SET delivered_at = ? WHERE alert_key = ? "
                    "AND delivered_at IS NULL",
                    (to_iso(datetime.now(UTC)), key),
                )
        finally:
            db.close()

    def unsettled(self, now: datetime) -> list[Alert]:
        """Alerts queued within ``RESEND_WITHIN`` and never settled, marked as re-sent."""
        rows = self.journal.query(
            "SELECT alert_key, alert FROM alerts_sent WHERE delivered_at IS NULL "
            "AND alert IS NOT NULL AND sent_at >= ? ORDER BY rowid",
            (to_iso(now - RESEND_WITHIN),),
        )
        out = []
        for row in rows:
            try:
                out.append(_loaded(row["alert"], row["alert_key"]))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("alert %s cannot be re-sent: %s", row["alert_key"], exc)
        return out


def _stored(alert: Alert) -> dict[str, object]:
    return {
        "kind": alert.kind,
        "summary": alert.summary,
        "payload": dict(alert.payload),
        "priority": int(alert.priority),
    }


def _loaded(text: str, key: str) -> Alert:
    """A stored alert, marked as re-sent (the message's ``content`` says it may repeat)."""
    body = json.loads(text)
    payload = {**body["payload"], "content": RESENT_NOTE}
    summary = f"{body['summary']} (re-sent after a restart)"
    return Alert(str(body["kind"]), summary, payload, Priority(body["priority"]), key)
