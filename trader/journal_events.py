"""The journal's ``reconciliation_events``: every difference between the exchange and the journal.

One row per difference the reconciliation (``trader.reconcile``) finds or resolves; the alerts
read them (``reconciliation_events(journal, after=last_seen_id)``). Kinds:

| kind | meaning |
|---|---|
| ``adopted`` | an order of ours (``kw-`` client id) found only on the exchange, now journaled |
| ``foreign`` | an order on the exchange that is not ours: reported, never touched |
| ``missing`` | an unresolved order of ours not on the exchange after N consecutive reads: |
| | rejected in the journal (never resent) |
| ``resolved`` | an unresolved (``intent``/``sent``/``unknown``) order read back from the exchange |
| ``late`` | an order the journal had given up on appeared on the exchange afterwards |
| ``fill_added`` | fills the journal lacked, read from the exchange and journaled |
| ``exposure_mismatch`` | a position or exposure that differs between the exchange and journal |
| ``settlement_mismatch`` | ``/portfolio/settlements`` disagrees with our CLI-based settlement |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trader.journal import Journal
from trader.journal_codec import to_iso


class EventKind(StrEnum):
    """The ``kind`` of a reconciliation event (see the module's table)."""

    ADOPTED = "adopted"
    FOREIGN = "foreign"
    MISSING = "missing"
    RESOLVED = "resolved"
    LATE = "late"
    FILL_ADDED = "fill_added"
    EXPOSURE_MISMATCH = "exposure_mismatch"
    SETTLEMENT_MISMATCH = "settlement_mismatch"


@dataclass(frozen=True)
class ReconciliationEvent:
    """One ``reconciliation_events`` row."""

    event_id: int
    at: datetime
    kind: EventKind
    client_order_id: str | None
    market_ticker: str | None
    detail: str


def record_event(
    journal: Journal,
    at: datetime,
    kind: EventKind,
    detail: str,
    *,
    client_order_id: str | None = None,
    market_ticker: str | None = None,
    once: bool = False,
) -> int | None:
    """Journal one reconciliation event.

    Args:
        journal: the open journal.
        at: aware instant of the reconciliation pass.
        kind: what was found.
        detail: the difference in words (never a secret).
        client_order_id: the order concerned, if any.
        market_ticker: the market concerned, if any.
        once: skip the row when the same kind, order, market and detail is already journaled
            (a standing difference is reported once, not on every pass).

    Returns:
        The new ``event_id``, or None when ``once`` skipped it.
    """
    if once:
        seen = journal.query(
            "SELECT 1 FROM reconciliation_events WHERE kind = ? AND client_order_id IS ? "
            "AND market_ticker IS ? AND detail = ? LIMIT 1",
            (kind.value, client_order_id, market_ticker, detail),
        )
        if seen:
            return None
    return journal.write(
        "INSERT INTO reconciliation_events (at, kind, client_order_id, market_ticker, detail) "
        "VALUES (?, ?, ?, ?, ?)",
        (to_iso(at), kind.value, client_order_id, market_ticker, detail),
    )


def reconciliation_events(
    journal: Journal, after: int = 0, kind: EventKind | None = None
) -> list[ReconciliationEvent]:
    """Events in journal order.

    Args:
        journal: the open journal.
        after: only events with a larger ``event_id`` (an alert sender's cursor).
        kind: only this kind.

    Returns:
        The events.
    """
    rows = journal.query(
        "SELECT * FROM reconciliation_events WHERE event_id > ? AND (? IS NULL OR kind = ?) "
        "ORDER BY event_id",
        (after, None if kind is None else kind.value, None if kind is None else kind.value),
    )
    return [
        ReconciliationEvent(
            row["event_id"],
            datetime.fromisoformat(row["at"]),
            EventKind(row["kind"]),
            row["client_order_id"],
            row["market_ticker"],
            row["detail"],
        )
        for row in rows
    ]
