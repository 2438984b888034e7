"""rpt_station_thresholds_export: write dim_station_thresholds for the trader, list the files.

Writes ``station_thresholds.parquet`` (decimals stay decimals) and ``station_thresholds.json``
(one JSON array; decimal columns as fixed-point strings such as ``"0.0500"``, because
``StationThresholds.from_record`` refuses floats) into the export folder:

- var ``thresholds_export_dir`` when set (relative paths are relative to where dbt runs: the repo
  root), else
- ``<folder of the warehouse file>/exports``: ``warehouse/exports`` for the default warehouse,
  beside the file for a throwaway one (``WAREHOUSE_PATH``). The folder is created if missing.

The model's own rows are the manifest: one row per file (format, path, rows written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

EXPORT_NAME = "station_thresholds"
ORDER = "data_source, station_icao, contract_type"


def _export_dir(session: Any, configured: object) -> Path:
    if configured not in (None, "", "None"):
        return Path(str(configured))
    rows = session.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    path = rows[0][0] if rows else None
    if not path:
        # in-memory warehouse: fall back to the repo default
        return Path("warehouse") / "exports"
    return Path(str(path)).parent / "exports"


def _quote(path: str) -> str:
    return "'" + path.replace("'", "''") + "'"


def model(dbt: Any, session: Any) -> Any:
    """Export the thresholds table to parquet and JSON; return the manifest of files."""
    dbt.config(materialized="table")
    thresholds = dbt.ref("dim_station_thresholds")
    export_dir = _export_dir(session, dbt.config.meta_get("export_dir"))
    export_dir.mkdir(parents=True, exist_ok=True)

    session.register("__station_thresholds_export", thresholds)
    columns = list(thresholds.columns)
    types = [str(t).upper() for t in thresholds.types]
    json_columns = ", ".join(
        f"cast({name} as varchar) as {name}" if sql_type.startswith("DECIMAL") else name
        for name, sql_type in zip(columns, types, strict=True)
    )
    parquet_path = str(export_dir / f"{EXPORT_NAME}.parquet")
    json_path = str(export_dir / f"{EXPORT_NAME}.json")
    session.execute(
        f"copy (select * from __station_thresholds_export order by {ORDER}) "
        f"to {_quote(parquet_path)} (format parquet)"
    )
    session.execute(
        f"copy (select {json_columns} from __station_thresholds_export order by {ORDER}) "
        f"to {_quote(json_path)} (format json, array true)"
    )
    row_count = session.execute("select count(*) from __station_thresholds_export").fetchall()
    rows = int(row_count[0][0])
    return session.sql(
        "select * from (values "
        f"('parquet', {_quote(parquet_path)}, {rows}), "
        f"('json', {_quote(json_path)}, {rows})"
        ") as files (export_format, export_path, row_count)"
    )
