"""dlt resources and the source for a trader journal (dataset ``raw_trader``).

One resource per journal table (``pipelines.trader.tables``), merged on ``data_source``,
``journal_id`` and the journal's own key, with explicit column types. Append-only tables
(fills, settlements, decisions, breaker and reconciliation events) load incrementally after
their insertion-ordered id (``dlt.sources.incremental``); orders change in place and are read
whole every time. Rows reach dlt as Arrow batches; a row with a value that does not parse
becomes a reject instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from pipelines.kalshi.tables import Row, arrow_batches
from pipelines.rejects import Reject
from pipelines.trader import settings
from pipelines.trader.journal_file import JournalSnapshot
from pipelines.trader.tables import (
    JOURNAL_TABLES,
    JOURNALS,
    JournalTable,
    ValueRejected,
    row_text,
)

log = logging.getLogger(__name__)

__all__ = ["journal_rows", "trader_source"]


def journal_rows(
    snapshot: JournalSnapshot,
    table: JournalTable,
    data_source: str,
    journal_id: str,
    rejects: list[Reject],
    after: int | None = None,
) -> Iterator[Row]:
    """The raw rows of one journal table; rows that do not parse go to ``rejects``.

    Args:
        snapshot: the journal copy.
        table: which table.
        data_source: ``real`` or ``simulated`` (what the trader traded on).
        journal_id: the journal's name in the warehouse.
        rejects: where rejected rows are appended.
        after: resume after this cursor value (incremental tables).

    Returns:
        An iterator of raw rows.
    """
    for row in snapshot.rows(table, after):
        try:
            yield table.raw_row(row, data_source, journal_id)
        except ValueRejected as exc:
            key = "/".join(str(row.get(column)) for column in table.key)
            rejects.append(
                Reject(
                    source_name=f"trader_{table.name}",
                    reason=f"{table.name} {key}: {exc}",
                    raw_text=row_text(row),
                    location=f"{snapshot.path}#{table.name}/{key}",
                    data_source=data_source,
                    ingest_channel=settings.INGEST_CHANNEL,
                )
            )


def _table_resource(
    snapshot: JournalSnapshot,
    table: JournalTable,
    data_source: str,
    journal_id: str,
    rejects: list[Reject],
) -> DltResource:
    spec = table.spec

    def _batches(after: int | None) -> Iterator[pa.Table]:
        rows = journal_rows(snapshot, table, data_source, journal_id, rejects, after)
        yield from arrow_batches(rows, spec, settings.BATCH_ROWS)

    if table.cursor is not None:
        resume_after = dlt.sources.incremental(table.cursor, initial_value=0)

        def _incremental(
            cursor: dlt.sources.incremental[int] = resume_after,
        ) -> Iterator[pa.Table]:
            yield from _batches(cursor.last_value)

        rows_of: Any = _incremental
    else:

        def _whole() -> Iterator[pa.Table]:
            yield from _batches(None)

        rows_of = _whole
    return dlt.resource(
        rows_of,
        name=table.name,
        table_name=table.name,
        write_disposition="merge",
        primary_key=list(spec.primary_key),
        columns=spec.dlt_columns(),
    )


def _journal_resource(snapshot: JournalSnapshot, data_source: str, journal_id: str) -> DltResource:
    fingerprint = snapshot.fingerprint()
    row: Row = {
        "data_source": data_source,
        "journal_id": journal_id,
        "journal_path": str(snapshot.path.resolve()),
        "first_order": fingerprint.first_order,
        "first_decision": fingerprint.first_decision,
        "first_heartbeat": fingerprint.first_heartbeat,
        "last_loaded_at": datetime.now(UTC),
        "ingest_channel": settings.INGEST_CHANNEL,
    }

    def _rows() -> Iterator[pa.Table]:
        yield from arrow_batches([row], JOURNALS)

    return dlt.resource(
        _rows,
        name=JOURNALS.name,
        table_name=JOURNALS.name,
        write_disposition="merge",
        primary_key=list(JOURNALS.primary_key),
        columns=JOURNALS.dlt_columns(),
    )


@dlt.source(name="trader")
def trader_source(
    snapshot: JournalSnapshot, data_source: str, journal_id: str, rejects: list[Reject]
) -> list[DltResource]:
    """The journal's tables, and one ``journals`` row naming the journal.

    Args:
        snapshot: a consistent copy of the journal (``journal_file.open_snapshot``).
        data_source: ``real`` (paper or live trading on real markets) or ``simulated``.
        journal_id: the journal's name in the warehouse (part of every key).
        rejects: filled with the rows that do not parse while the resources are extracted.

    Returns:
        The resources: a journal lacking the optional reconciliation_events table gets none
        for it.
    """
    resources = [
        _table_resource(snapshot, table, data_source, journal_id, rejects)
        for table in JOURNAL_TABLES
        if table.required or table.name in snapshot.tables
    ]
    return [*resources, _journal_resource(snapshot, data_source, journal_id)]
