"""Read-only access to the warehouse file, and where reports are written beside it.

Nothing here writes the warehouse: every connection is ``read_only``, so a reader never takes
the writer's lock from a running load or ``dbt build``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from domain.layout import warehouse_path

REPORTS_DIRNAME = "reports"
LATEST_NAME = "latest.html"
# Every dlt dataset holds this table (its staging twin does not), so it marks the raw schemas.
DLT_LOADS_TABLE = "_dlt_loads"


def reports_dir(warehouse: Path | None = None) -> Path:
    """``reports/`` beside the warehouse file (default ``warehouse_path()``)."""
    return (warehouse or warehouse_path()).parent / REPORTS_DIRNAME


def latest_report(warehouse: Path | None = None) -> Path | None:
    """The most recent report beside the warehouse, if one was written."""
    latest = reports_dir(warehouse) / LATEST_NAME
    return latest if latest.exists() else None


class WarehouseUnavailableError(Exception):
    """The warehouse file is missing or cannot be opened; the message says what to do."""


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only (never takes the writer's lock).

    Raises:
        WarehouseUnavailableError: no file at ``path``, or DuckDB cannot open it (e.g. a load
            or ``dbt build`` holds it), with a one-line message.
    """
    if not path.exists():
        raise WarehouseUnavailableError(
            f"no warehouse at {path}: build it with `make demo` (the offline sample) or "
            "`python -m pipelines run --source live` then `dbt build`"
        )
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WarehouseUnavailableError(
            f"cannot open {path} read-only (is a load or dbt build running?): {first}"
        ) from exc


def raw_schemas(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The schemas the loaders wrote (dlt datasets such as ``raw_iem``), sorted.

    Discovered rather than listed, so a reader needs no copy of the loaders' dataset names;
    dlt's ``*_staging`` datasets carry no ``_dlt_loads`` and are left out.
    """
    rows = con.execute(
        "select distinct table_schema from information_schema.tables "
        "where table_name = ? order by 1",
        [DLT_LOADS_TABLE],
    ).fetchall()
    return tuple(str(r[0]) for r in rows)


def relations(
    con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]
) -> list[tuple[str, str, str]]:
    """Tables and views in ``schemas`` other than dlt bookkeeping: (schema, name, type)."""
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        f"where table_schema in ({placeholders}) "
        "and table_name not like '\\_dlt%' escape '\\' order by 1, 2",
        list(schemas),
    ).fetchall()
    return [(str(s), str(n), "view" if "VIEW" in str(t).upper() else "table") for s, n, t in rows]


def columns_of(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    """Column names of a relation, in order (empty if it does not exist)."""
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return [str(r[0]) for r in rows]


def fetch_frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> pd.DataFrame:
    """Run a query and return its rows as a DataFrame (DuckDB 2.0: via ``fetchall``)."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description or []]
    return pd.DataFrame(cursor.fetchall(), columns=names)
