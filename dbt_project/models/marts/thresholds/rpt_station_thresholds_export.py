"""rpt_station_thresholds_export: write dim_station_thresholds for the trader, list the files.

One pair of files per data source, so the trader's default input can only ever hold real rows
(``domain.layout.thresholds_export_stem``):

- ``station_thresholds.parquet`` / ``.json``: ``data_source = 'real'`` rows only (written, empty,
  when there are none, so a stale file never outlives a build);
- ``station_thresholds_simulated.parquet`` / ``.json``: the simulated sample's rows (the demo and
  replays of the sample read these, with ``--simulated``).

Parquet keeps decimals as decimals; JSON is one array with decimal columns as fixed-point strings
such as ``"0.0500"`` (``StationThresholds.from_record`` refuses floats). The folder is var
``thresholds_export_dir`` when set (relative paths are relative to where dbt runs: the repo
root), else ``domain.layout.exports_dir`` of the warehouse file; it is created if missing.

Each file is replaced atomically: written to a hidden temporary file in the same folder, fsynced,
then renamed over the old one (and the folder fsynced), so a reader (the trader, polling while a
refresh cycle rebuilds) sees the old file or the new one, never a half-written one.

The model's own rows are the manifest: one row per file (format, data source, path, rows).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ORDER = "station_icao, contract_type"


def _export_dir(session: Any, configured: object) -> Path:
    from domain.layout import exports_dir

    if configured not in (None, "", "None"):
        return Path(str(configured))
    rows = session.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    path = rows[0][0] if rows else None
    # an in-memory warehouse has no file: the default warehouse's folder
    return exports_dir(Path(str(path)) if path else None)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy(session: Any, query: str, options: str, to: Path) -> None:
    session.execute(f"copy ({query}) to {_quote(str(to))} ({options})")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Write ``target`` through a temporary file beside it, then rename it into place.

    Args:
        target: the file to (re)place.
        write: writes the complete content to the path it is given.
    """
    # hidden and unique (pid + random): two builds never share one, readers never list it
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(temporary)
        _fsync(temporary)  # the content is on disk before the name points at it
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    _fsync(target.parent)  # and the rename itself survives a crash


def model(dbt: Any, session: Any) -> Any:
    """Export the thresholds table per data source to parquet and JSON; list the files."""
    from domain.layout import thresholds_export_stem
    from domain.thresholds import DATA_SOURCES

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
    manifest = []
    for source in DATA_SOURCES:
        where = f"where data_source = {_quote(source)}"
        stem = export_dir / thresholds_export_stem(source)
        parquet_path, json_path = f"{stem}.parquet", f"{stem}.json"
        queries = {
            parquet_path: (
                f"select * from __station_thresholds_export {where} order by {ORDER}",
                "format parquet",
            ),
            json_path: (
                f"select {json_columns} from __station_thresholds_export {where} order by {ORDER}",
                "format json, array true",
            ),
        }
        for path, (query, options) in queries.items():
            replace_atomically(Path(path), partial(_copy, session, query, options))
        count = session.execute(
            f"select count(*) from __station_thresholds_export {where}"
        ).fetchall()
        rows = int(count[0][0])
        for fmt, path in (("parquet", parquet_path), ("json", json_path)):
            manifest.append(f"('{fmt}', {_quote(source)}, {_quote(path)}, {rows})")
    return session.sql(
        f"select * from (values {', '.join(manifest)}) "
        "as files (export_format, data_source, export_path, row_count)"
    )
