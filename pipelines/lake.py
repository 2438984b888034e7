"""The raw layer as a Parquet lake: dlt's filesystem destination instead of the DuckDB file.

With ``RAW_LAKE_PATH`` set (``python -m pipelines run --lake DIR`` sets it for the run), every
pipeline writes its dataset as Parquet files,
``<lake>/<dataset>/<table>/load_date=YYYY-MM-DD/<load_id>.<file_id>.parquet``, and dlt's
own tables (``_dlt_loads``, ``_dlt_version``, ``_dlt_pipeline_state``) as JSON lines beside
them. Several machines can read one lake; dbt reads it through the macro ``optional_source``
(the same variable, or var ``raw_lake_path``) and builds the marts into its own DuckDB file.

The filesystem destination merges only Delta or Iceberg tables (neither can be read offline
here: no ``deltalake`` package, no DuckDB ``delta`` extension), so a ``merge`` table is
appended to, and every reader keeps what dlt's delete-insert merge keeps in the DuckDB file:
per primary key, the row of the latest finished load (``visible_rows_sql`` here,
``optional_source`` in dbt). Re-running a load adds files, never rows the marts see.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dlt
import duckdb
from dlt.common.destination.reference import Destination

log = logging.getLogger(__name__)

LAKE_ENV = "RAW_LAKE_PATH"
# Hive-style folders by load date: a reader or a clean-up job can prune by day.
LAYOUT = "{table_name}/load_date={YYYY}-{MM}-{DD}/{load_id}.{file_id}.{ext}"
LOADS_TABLE = "_dlt_loads"
VERSION_TABLE = "_dlt_version"
_APPEND_FALLBACK = "Falling back to `append`"


def lake_path() -> str | None:
    """The lake ``RAW_LAKE_PATH`` names, or None (the raw layer is the DuckDB file).

    Returns:
        A local folder as an absolute path (a relative one is taken from the working
        directory), or a URL (``s3://bucket/lake``) as given.
    """
    configured = os.environ.get(LAKE_ENV, "").strip()
    if not configured:
        return None
    if "://" in configured:
        return configured.rstrip("/")
    return str(Path(configured).expanduser().resolve())


@contextmanager
def lake_chosen(lake: str | None) -> Iterator[None]:
    """``RAW_LAKE_PATH`` set to ``lake`` for the block, then restored (None: left as it is).

    Args:
        lake: a local folder or a URL (``run --lake``).

    Returns:
        A context manager.
    """
    if lake is None:
        yield
        return
    before = os.environ.get(LAKE_ENV)
    os.environ[LAKE_ENV] = lake
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(LAKE_ENV, None)
        else:
            os.environ[LAKE_ENV] = before


def lake_destination(lake: str) -> Destination:
    """dlt's filesystem destination writing Parquet in ``LAYOUT`` under ``lake``."""
    _quiet_append_fallback()
    url = lake if "://" in lake else Path(lake).as_uri()
    return dlt.destinations.filesystem(url, layout=LAYOUT, preferred_loader_file_format="parquet")


def lake_pipelines_dir(lake: str, warehouse: Path) -> Path:
    """dlt's working folder for loads into ``lake``, beside the warehouse, one per lake."""
    digest = hashlib.sha256(lake.encode()).hexdigest()[:12]
    return warehouse.parent / ".dlt_pipelines" / f"lake_{digest}"


class _AppendFallbackFilter(logging.Filter):
    """Drops dlt's per-table "Falling back to `append`" warnings: appending is the design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _APPEND_FALLBACK not in record.getMessage()


def _quiet_append_fallback() -> None:
    dlt_log = logging.getLogger("dlt")
    if not any(isinstance(f, _AppendFallbackFilter) for f in dlt_log.filters):
        dlt_log.addFilter(_AppendFallbackFilter())
        log.info("lake: merge tables are appended; readers keep the latest row per primary key")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _local_glob(lake: str, *parts: str) -> str:
    """A DuckDB glob under the lake (``file://`` URLs read as local paths)."""
    root = lake.removeprefix("file://")
    return "/".join([root, *parts])


def table_keys(con: duckdb.DuckDBPyConnection, lake: str, dataset: str) -> dict[str, list[str]]:
    """The tables of a lake dataset and the primary key of each merge table.

    Args:
        con: any DuckDB connection (reads files only).
        lake: the lake (``lake_path()``).
        dataset: the dlt dataset, e.g. ``raw_iem``.

    Returns:
        Table name -> its primary key columns (empty for an append or replace table), from the
        newest stored dlt schema of each schema name in the dataset; dlt's own tables left out.
    """
    pattern = _quote(_local_glob(lake, dataset, VERSION_TABLE, "*.jsonl"))
    if not con.execute(f"select count(*) from glob({pattern})").fetchall()[0][0]:
        return {}
    rows = con.execute(
        f"select schema from read_json({pattern}, format = 'newline_delimited', "
        "columns = {schema_name: 'varchar', version: 'bigint', schema: 'varchar'}) "
        "qualify row_number() over (partition by schema_name order by version desc) = 1"
    ).fetchall()
    keys: dict[str, list[str]] = {}
    for (text,) in rows:
        schema: dict[str, Any] = json.loads(text)
        for name, table in schema.get("tables", {}).items():
            if name.startswith("_dlt"):
                continue
            merged = table.get("write_disposition") == "merge"
            columns = table.get("columns", {}).values()
            keys[name] = [c["name"] for c in columns if merged and c.get("primary_key")]
    return keys


def visible_rows_sql(lake: str, dataset: str, table: str, keys: list[str]) -> str:
    """A query of the rows of a lake table the marts see (the macro ``optional_source``'s rule).

    Rows of finished loads only; with a key, the latest load's row per key (load ids are unix
    times with ten integer digits, so they sort as text).

    Args:
        lake: the lake.
        dataset: the dlt dataset.
        table: the table.
        keys: its primary key (``table_keys``), empty for no deduplication.

    Returns:
        A ``select`` over ``read_parquet`` of the table's files.
    """
    files = _quote(_local_glob(lake, dataset, table, "**", "*.parquet"))
    loads = _quote(_local_glob(lake, dataset, LOADS_TABLE, "*.jsonl"))
    sql = (
        f"select * from read_parquet({files}, union_by_name = true, hive_partitioning = false) "
        f"where _dlt_load_id in (select load_id from read_json({loads}, "
        "format = 'newline_delimited', columns = {load_id: 'varchar', status: 'bigint'}) "
        "where status = 0)"
    )
    if keys:
        partition = ", ".join(f'"{key}"' for key in keys)
        sql += (
            f" qualify row_number() over (partition by {partition} order by _dlt_load_id desc) = 1"
        )
    return sql


def lake_table_counts(lake: str, dataset: str) -> dict[str, int]:
    """Rows the marts see per table of a lake dataset (dlt's own tables left out).

    Args:
        lake: the lake.
        dataset: the dlt dataset.

    Returns:
        Table name -> visible rows; tables with no file yet count 0.
    """
    with duckdb.connect() as con:
        counts: dict[str, int] = {}
        for table, keys in sorted(table_keys(con, lake, dataset).items()):
            files = _quote(_local_glob(lake, dataset, table, "**", "*.parquet"))
            if not con.execute(f"select count(*) from glob({files})").fetchall()[0][0]:
                counts[table] = 0
                continue
            sql = visible_rows_sql(lake, dataset, table, keys)
            counts[table] = con.execute(f"select count(*) from ({sql})").fetchall()[0][0]
        return counts
