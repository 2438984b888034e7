"""Row counts and checksums of every dbt table, to show a refactor changed no numbers.

``python -m bench.checksums [--warehouse PATH] [--json OUT] [--compare BEFORE.json]`` reads the
warehouse read-only and, for every table dbt built (marts and materialised intermediates, from
``target/manifest.json``), prints the row count, a checksum of the key columns (the model's
``unique_combination`` / ``unique`` test) and a checksum of whole rows. With ``--compare`` it
lists every table whose figures differ from an earlier run's JSON and exits 1 if any do.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from domain.layout import warehouse_path

log = logging.getLogger(__name__)
app = typer.Typer(add_completion=False)
MANIFEST = Path("target/manifest.json")


def table_keys(manifest: dict[str, Any]) -> dict[str, list[str]]:
    """Every table-materialised model and its key columns (empty when it declares none)."""
    tables: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["config"]["materialized"] == "table":
            tables[node["unique_id"]] = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        meta = node.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        if node["attached_node"] not in tables:
            continue
        if meta.get("name") == "unique_combination":
            tables[node["attached_node"]] = list(kwargs["combination_of_columns"])
        elif meta.get("name") == "unique" and not tables[node["attached_node"]]:
            tables[node["attached_node"]] = [kwargs["column_name"]]
    return {uid.rsplit(".", 1)[-1]: keys for uid, keys in tables.items()}


def checksums(con: duckdb.DuckDBPyConnection, keys: dict[str, list[str]]) -> dict[str, Any]:
    """Row count, key checksum and whole-row checksum per table (order-independent sums)."""
    out: dict[str, Any] = {}
    for name in sorted(keys):
        key_expr = f"hash({', '.join(keys[name])})" if keys[name] else "0"
        # hash() of the row struct covers every column; the sum is independent of row order.
        row = con.execute(
            f"select count(*), coalesce(sum({key_expr}::hugeint), 0)::varchar, "
            f"coalesce(sum(hash(t)::hugeint), 0)::varchar from main.{name} as t"
        ).fetchall()[0]
        out[name] = {"rows": row[0], "key_checksum": row[1], "row_checksum": row[2]}
    return out


@app.command()
def main(
    warehouse: Annotated[
        Path | None, typer.Option(help="DuckDB file (default: WAREHOUSE_PATH or the warehouse)")
    ] = None,
    manifest: Annotated[Path, typer.Option(help="dbt manifest of the build")] = MANIFEST,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the figures")] = None,
    compare: Annotated[Path | None, typer.Option(help="an earlier --json to compare")] = None,
) -> None:
    """Print row counts and checksums of every dbt table."""
    keys = table_keys(json.loads(manifest.read_text()))
    con = duckdb.connect(str(warehouse or warehouse_path()), read_only=True)
    try:
        figures = checksums(con, keys)
    finally:
        con.close()
    before = json.loads(compare.read_text()) if compare else {}
    table = Table("table", "key", "rows", "key checksum", "row checksum", "vs before")
    changed = 0
    for name, fig in figures.items():
        old = before.get(name)
        status = "" if not compare else "new" if old is None else "same" if old == fig else "DIFF"
        changed += status in ("DIFF", "new")
        table.add_row(
            name,
            ",".join(keys[name]) or "-",
            f"{fig['rows']:,}",
            fig["key_checksum"][-12:],
            fig["row_checksum"][-12:],
            status if status != "DIFF" or old is None else f"DIFF ({old['rows']:,} rows before)",
        )
    for name in sorted(set(before) - set(figures)):
        changed += 1
        table.add_row(name, "-", "-", "-", "-", "gone")
    Console(width=160).print(table)
    if json_out:
        json_out.write_text(json.dumps(figures, indent=2) + "\n")
    if compare and changed:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
