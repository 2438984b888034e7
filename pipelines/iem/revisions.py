"""Revisions of an observation: every report of a station, minute and report type is kept.

A station can send two reports for the same minute and type: a correction (``COR``) of a
report already sent, or simply a second one. Both are stored in ``asos_observations``; staging
keeps the latest (``stg_iem__observations``). A report's identity is a hash of its normalised
METAR text (``revision_id``, part of the raw key), so re-loading the same report from any file
or response never adds a row while a report with other text does. ``revision`` numbers the
distinct reports of one key in the order their document lists them.

Warehouses loaded before revisions were kept have none of these columns: ``migrate`` adds them
(old rows get their hash, ``revision`` 1 and the ``COR`` flag of their text) before a load, so
the merge matches old rows instead of adding a second copy of each.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import duckdb
import pyarrow as pa

log = logging.getLogger(__name__)

Row = dict[str, Any]

# The columns this module fills, with their DuckDB types (dlt declares the same in __init__).
REVISION_COLUMNS = {"revision_id": "varchar", "revision": "bigint", "is_correction": "boolean"}
# The observation key before revisions (the key of one station-minute-type).
OBSERVATION_KEY = ("data_source", "station", "valid_at", "report_type")
# The METAR report-type prefixes: a feed may or may not print them, the report is the same.
_PREFIXES = frozenset({"METAR", "SPECI"})
_CORRECTION = "COR"


def _tokens(metar: str) -> list[str]:
    return metar.replace("=", " ").split()


def _revision_id(tokens: list[str] | None, temp_f: float | None, dewpoint_f: float | None) -> str:
    if tokens:
        text = " ".join(tokens[1:] if tokens[0] in _PREFIXES else tokens)
    else:
        text = f"tmpf={temp_f!r} dwpf={dewpoint_f!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def revision_id(metar: str | None, temp_f: float | None, dewpoint_f: float | None) -> str:
    """The identity of one report: a hash of its METAR text (or its readings without one).

    Whitespace, a trailing ``=`` and a leading ``METAR``/``SPECI`` do not change it, so the same
    report from two feeds is one revision.

    Args:
        metar: the raw METAR text, if the row has one.
        temp_f: IEM tmpf (used only without a METAR).
        dewpoint_f: IEM dwpf (used only without a METAR).

    Returns:
        32 hex digits.
    """
    return _revision_id(_tokens(metar) if metar else None, temp_f, dewpoint_f)


def is_correction(metar: str | None) -> bool:
    """True if the METAR says it corrects an earlier report (a ``COR`` group).

    Args:
        metar: the raw METAR text.

    Returns:
        Whether a whole ``COR`` token is in it (FMH-1 puts it after the time group, WMO after
        the ``METAR``/``SPECI`` prefix).
    """
    return metar is not None and _CORRECTION in _tokens(metar)


def add_revisions(rows: list[Row]) -> None:
    """Fill the revision columns of one document's observation rows, in document order.

    The same report twice in a document gets the same revision (dlt's merge keeps one of the
    two identical rows); each new text for a key gets the next number.

    Args:
        rows: rows from ``parsers``, changed in place.
    """
    first: dict[tuple[Any, ...], str] = {}
    later: dict[tuple[Any, ...], list[str]] = {}
    for row in rows:
        metar = row["metar"]
        tokens = _tokens(metar) if metar else None
        rid = _revision_id(tokens, row["temp_f_reported"], row["dewpoint_f_reported"])
        # OBSERVATION_KEY spelt out: this runs once per row
        key = (row["data_source"], row["station"], row["valid_at"], row["report_type"])
        revision = 1
        if first.setdefault(key, rid) != rid:
            others = later.setdefault(key, [])
            if rid not in others:
                others.append(rid)
            revision = others.index(rid) + 2
        row["revision_id"] = rid
        row["revision"] = revision
        row["is_correction"] = tokens is not None and _CORRECTION in tokens


def revision_numbers(con: duckdb.DuckDBPyConnection, table: pa.Table) -> pa.Array:
    """``revision`` for one document's rows, vectorised (``add_revisions`` row by row).

    A report's number is the rank, within its station-minute-type, of the line where its
    ``revision_id`` first appears (the data source is the document's, the same for every row).

    Args:
        con: a DuckDB connection to compute with.
        table: the rows in line order, with the observation key, ``revision_id`` and the line
            number ``n``.

    Returns:
        The numbers, in the table's order.
    """
    con.register("revision_rows", table)
    try:
        several = con.sql(
            "select count(*) from (select 1 from revision_rows "
            "group by station, valid_at, report_type "
            "having min(revision_id) <> max(revision_id))"
        ).fetchall()[0][0]
        if not several:
            # The common case: one report per station-minute-type (or the same one repeated).
            return pa.repeat(1, table.num_rows)
        return (
            con.sql(
                """
                select dense_rank() over (
                    partition by station, valid_at, report_type order by first_n
                ) as revision
                from (
                    select
                        n,
                        station,
                        valid_at,
                        report_type,
                        min(n) over (
                            partition by station, valid_at, report_type, revision_id
                        ) as first_n
                    from revision_rows
                )
                order by n
                """
            )
            .to_arrow_table()
            .column("revision")
            .combine_chunks()
        )
    finally:
        con.unregister("revision_rows")


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, bool]:
    """Column name -> nullable, of one table (empty when there is no such table)."""
    rows = con.execute(
        "select column_name, is_nullable = 'YES' from information_schema.columns "
        "where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {name: bool(nullable) for name, nullable in rows}


def migrate(con: duckdb.DuckDBPyConnection, dataset: str, table: str = "asos_observations") -> int:
    """Give a warehouse's observations the revision columns, if it was loaded without them.

    Adds the missing columns to the table and to dlt's staging copy, fills them for every old
    row (one transaction), then makes them NOT NULL as dlt creates them in a new warehouse.
    A warehouse without the table, or already migrated, is left alone.

    Args:
        con: a write connection to the warehouse.
        dataset: the dlt dataset (``raw_iem``).
        table: the observations table.

    Returns:
        How many rows were filled.
    """
    present = _columns(con, dataset, table)
    if not present or all(present.get(name) is False for name in REVISION_COLUMNS):
        return 0
    con.begin()
    for schema in (dataset, f"{dataset}_staging"):
        existing = _columns(con, schema, table)
        for name, sql_type in REVISION_COLUMNS.items():
            if existing and name not in existing:
                con.execute(f'alter table "{schema}"."{table}" add column {name} {sql_type}')
    old = con.execute(
        f'select rowid, metar, temp_f_reported, dewpoint_f_reported from "{dataset}"."{table}" '
        "where revision_id is null"
    ).fetchall()
    filled = pa.table(
        {
            "row_id": pa.array([row[0] for row in old], pa.int64()),
            "revision_id": pa.array([revision_id(*row[1:]) for row in old], pa.string()),
            "is_correction": pa.array([is_correction(row[1]) for row in old], pa.bool_()),
        }
    )
    con.register("filled_revisions", filled)
    # The old key kept one report per station-minute-type, so every old row is revision 1.
    con.execute(
        f'update "{dataset}"."{table}" as o set revision_id = f.revision_id, revision = 1, '
        "is_correction = f.is_correction from filled_revisions as f where o.rowid = f.row_id"
    )
    con.unregister("filled_revisions")
    con.commit()
    # DuckDB refuses the constraint in the transaction that updated the rows; a crash before it
    # leaves filled, nullable columns, which the next run finishes.
    for name in REVISION_COLUMNS:
        con.execute(f'alter table "{dataset}"."{table}" alter column {name} set not null')
    log.info("gave %d observations loaded before revisions their revision columns", len(old))
    return len(old)
