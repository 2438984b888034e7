"""What a load reports back: row counts per table after the load."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from domain.layout import warehouse_path
from pipelines.lake import lake_path, lake_table_counts


@dataclass
class LoadSummary:
    """The outcome of one source's load.

    Attributes:
        source: a short label (``iem live``, ``kalshi files``...).
        dataset: the dlt dataset loaded.
        table_rows: rows per table in the warehouse after the load.
        rejects_added: rejects recorded by this load.
        notes: anything a person should know (skipped files, empty responses...).
    """

    source: str
    dataset: str
    table_rows: dict[str, int] = field(default_factory=dict)
    rejects_added: int = 0
    notes: list[str] = field(default_factory=list)


def table_row_counts(dataset: str) -> dict[str, int]:
    """Row counts of every non-dlt table in a dataset, read-only: in the warehouse file, or
    the rows the marts see in the Parquet lake when ``RAW_LAKE_PATH`` is set."""
    lake = lake_path()
    if lake is not None:
        return lake_table_counts(lake, dataset)
    path = warehouse_path()
    if not path.exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_name not like '\\_dlt%' escape '\\' order by 1",
            [dataset],
        ).fetchall()
        return {
            name: con.execute(f'select count(*) from "{dataset}"."{name}"').fetchall()[0][0]
            for (name,) in tables
        }
