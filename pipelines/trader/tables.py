"""The raw trader tables: keys, column types, and how a journal row becomes a raw row.

Every table is keyed by ``data_source`` and ``journal_id`` plus the journal's own key, so two
journals (the paper trader's, a replay's) never merge rows even where their client order ids
coincide (a replay of a day the paper trader also traded derives the same ids). Money and other
exact numbers stay decimal text, checked and normalised here (staging casts them); a value that
does not parse makes the whole row a reject, with the reason and the row as journaled.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from domain.bounds import shown
from domain.money import MoneyFormatError, count, dollars, parse_decimal
from pipelines.kalshi.tables import Row, TableSpec
from pipelines.trader import settings

_IDENTITY = {"data_source": "text", "journal_id": "text"}
_KEY = ("data_source", "journal_id")
_PROVENANCE = {"ingest_channel": "text"}


class ValueRejected(ValueError):
    """A journal value that cannot be loaded; the message says which and why."""


def _price(value: object, column: str) -> str | None:
    parsed = dollars(value, column)
    return None if parsed is None else format(parsed, "f")


def _amount(value: object, column: str) -> str | None:
    parsed = parse_decimal(value, column)
    return None if parsed is None else format(parsed, "f")


def _nonnegative(value: object, column: str) -> str | None:
    parsed = count(value, column)  # a count's rule: a bounded decimal >= 0
    return None if parsed is None else format(parsed, "f")


def _instant(value: object, column: str) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueRejected(f"{column}: {shown(value)} is not an ISO 8601 instant") from exc
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueRejected(f"{column}: {shown(value)} has no UTC offset")
    return at.astimezone(UTC)


def _day(value: object, column: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueRejected(f"{column}: {shown(value)} is not a YYYY-MM-DD date") from exc


def _whole(value: object, column: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueRejected(f"{column}: {shown(value)} is not an integer")
    return value


def _flag(value: object, column: str) -> bool | None:
    if value is None:
        return None
    if value not in (0, 1):
        raise ValueRejected(f"{column}: {shown(value)} is not 0 or 1")
    return bool(value)


def _text(value: object, column: str) -> str | None:
    return None if value is None else str(value)


Convert = Callable[[object, str], Any]
# Journal value kind -> (converter, dlt data type of the raw column).
_KINDS: dict[str, tuple[Convert, str]] = {
    "price": (_price, "text"),
    "amount": (_amount, "text"),
    "nonnegative": (_nonnegative, "text"),
    "timestamp": (_instant, "timestamp"),
    "date": (_day, "date"),
    "integer": (_whole, "bigint"),
    "flag": (_flag, "bool"),
    "text": (_text, "text"),
}


@dataclass(frozen=True)
class JournalTable:
    """One journal table and its raw twin.

    Attributes:
        name: the table, in the journal and in ``raw_trader``.
        key: the journal's key columns (the raw key adds data_source and journal_id).
        columns: journal column -> value kind (a key of ``_KINDS``).
        cursor: the insertion-ordered integer column an incremental load resumes after
            (``journal_row_id`` = SQLite's rowid), or None to read the whole table every time
            (orders: their status and updated_at change in place).
        optional: columns newer journals have and older ones lack, with the value to assume.
        required: whether a journal lacking the table is not a journal at all.
    """

    name: str
    key: tuple[str, ...]
    columns: Mapping[str, str]
    cursor: str | None = None
    optional: Mapping[str, object] | None = None
    required: bool = True

    @property
    def spec(self) -> TableSpec:
        """The raw table (keys, dlt types)."""
        types = {column: _KINDS[kind][1] for column, kind in self.columns.items()}
        return TableSpec(self.name, (*_KEY, *self.key), {**_IDENTITY, **types, **_PROVENANCE})

    def raw_row(self, row: Mapping[str, object], data_source: str, journal_id: str) -> Row:
        """The raw row of one journal row.

        Raises:
            ValueRejected: a value that does not parse (the message names the column).
        """
        out: Row = {"data_source": data_source, "journal_id": journal_id}
        for column, kind in self.columns.items():
            convert = _KINDS[kind][0]
            try:
                out[column] = convert(row.get(column), column)
            except MoneyFormatError as exc:
                raise ValueRejected(str(exc)) from exc
        out["ingest_channel"] = settings.INGEST_CHANNEL
        return out


def row_text(row: Mapping[str, object]) -> str:
    """A journal row as JSON text, as journaled, for a reject's raw_text."""
    return json.dumps(dict(row), default=str, sort_keys=True)


ORDERS = JournalTable(
    "orders",
    ("client_order_id",),
    {
        "client_order_id": "text",
        "order_row_id": "integer",
        "dedup_key": "text",
        "station_icao": "text",
        "contract_type": "text",
        "climate_date": "date",
        "market_ticker": "text",
        "bracket_lower": "integer",
        "bracket_upper": "integer",
        "side": "text",
        "action": "text",
        "count": "integer",
        "limit_price": "price",
        "status": "text",
        "status_reason": "text",
        "venue_order_id": "text",
        "decision_id": "integer",
        "broker": "text",
        "created_at": "timestamp",
        "updated_at": "timestamp",
    },
    optional={"broker": settings.DEFAULT_BROKER},
)

FILLS = JournalTable(
    "fills",
    ("fill_id",),
    {
        "fill_id": "text",
        "journal_row_id": "integer",
        "client_order_id": "text",
        "market_ticker": "text",
        "count": "nonnegative",
        "price": "price",
        "fee": "nonnegative",
        "is_taker": "flag",
        "filled_at": "timestamp",
        "recorded_at": "timestamp",
    },
    cursor="journal_row_id",
)

SETTLEMENTS = JournalTable(
    "settlements",
    ("client_order_id",),
    {
        "client_order_id": "text",
        "journal_row_id": "integer",
        "market_ticker": "text",
        "market_result": "text",
        "settled_value_f": "integer",
        "running_extreme_f": "integer",
        "extreme_disagrees": "flag",
        "pnl": "amount",
        "risk_day": "date",
        "settled_at": "timestamp",
    },
    cursor="journal_row_id",
)

DECISIONS = JournalTable(
    "decisions",
    ("decision_id",),
    {
        "decision_id": "integer",
        "decided_at": "timestamp",
        "station_icao": "text",
        "contract_type": "text",
        "climate_date": "date",
        "checkpoint_minute": "integer",
        "verdict": "text",
        "rule": "text",
        "action": "text",
        "reason_code": "text",
        "reason": "text",
        "market_ticker": "text",
        "price": "price",
        "count": "integer",
        "fee": "nonnegative",
        "probability": "price",
        "expected_value_per_contract": "amount",
        "running_extreme_f": "integer",
        "observation_age_minutes": "nonnegative",
    },
    cursor="decision_id",
)

BREAKER_EVENTS = JournalTable(
    "breaker_events",
    ("event_id",),
    {
        "event_id": "integer",
        "at": "timestamp",
        "breaker": "text",
        "scope": "text",
        "state_from": "text",
        "state_to": "text",
        "reason": "text",
        "until_at": "timestamp",
    },
    cursor="event_id",
)

RECONCILIATION_EVENTS = JournalTable(
    "reconciliation_events",
    ("event_id",),
    {
        "event_id": "integer",
        "at": "timestamp",
        "kind": "text",
        "client_order_id": "text",
        "market_ticker": "text",
        "detail": "text",
    },
    cursor="event_id",
    required=False,
)

JOURNAL_TABLES = (ORDERS, FILLS, SETTLEMENTS, DECISIONS, BREAKER_EVENTS, RECONCILIATION_EVENTS)

# One row per journal loaded: where it was read from, and the first rows that identify it.
JOURNALS = TableSpec(
    "journals",
    _KEY,
    {
        **_IDENTITY,
        "journal_path": "text",
        "first_order": "text",
        "first_decision": "text",
        "first_heartbeat": "text",
        "last_loaded_at": "timestamp",
        **_PROVENANCE,
    },
)
