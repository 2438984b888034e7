"""The benchmark's results table (``bench/out/results.json`` printed for a person)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _fmt(value: float | None, unit: str = "", places: int = 1) -> str:
    return "–" if value is None else f"{value:,.{places}f}{unit}"


def print_table(console: Console, results: dict[str, Any]) -> None:
    """The figures, one line each."""
    table = Table(
        title=f"Benchmark: {results['station_years']} station-years, {results['cpus']} CPUs"
    )
    table.add_column("step")
    table.add_column("rows", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("rows/s", justify="right")
    table.add_column("note")
    g = results.get("generate", {})
    table.add_row(
        "generate files",
        f"{g.get('rows_total', 0):,}",
        _fmt(g.get("seconds")),
        "",
        "numpy + DuckDB COPY",
    )
    limit = results.get("read_csv")
    if limit:
        table.add_row(
            "DuckDB read_csv (limit)",
            f"{limit['rows']:,}",
            _fmt(limit["seconds"], places=2),
            f"{limit['rows_per_s']:,.0f}",
            f"median of {len(limit['all_seconds'])}",
        )
    obs = results.get("ingest_observations")
    if obs:
        share = obs["rows_per_s"] / limit["rows_per_s"] if limit else None
        table.add_row(
            "our loader: observations",
            f"{obs['rows']:,}",
            _fmt(obs["seconds"]),
            f"{obs['rows_per_s']:,.0f}",
            f"{share:.1%} of read_csv; {obs['dlt_runs']} dlt runs; {obs['rejects']} rejects"
            if share
            else "",
        )
    for key, label in (
        ("ingest_cli", "our loader: CLI"),
        ("ingest_kalshi", "our loader: ladders+candles"),
    ):
        item = results.get(key)
        if item:
            rows = item.get("rows", item.get("markets", 0) + item.get("candles", 0))
            table.add_row(
                label, f"{rows:,}", _fmt(item["seconds"]), f"{item['rows_per_s']:,.0f}", ""
            )
    dbt = results.get("dbt_build")
    if dbt:
        note = "ok" if dbt["returncode"] == 0 else f"FAILED ({len(dbt.get('failed', []))} nodes)"
        table.add_row("dbt build (all)", "", _fmt(dbt["seconds"]), "", note)
        if "accuracy_lineage_seconds" in dbt:
            table.add_row(
                "  fct_accuracy_by_window lineage",
                "",
                _fmt(dbt["accuracy_lineage_seconds"]),
                "",
                "sum of model times, seeds..mart",
            )
    pandas = results.get("pandas")
    if pandas:
        table.add_row(
            "pandas: read raw rows",
            f"{pandas.get('input_rows', 0):,}",
            _fmt(pandas["read_seconds"]),
            "",
            "",
        )
        verdict = ("equal to " if pandas.get("equal") else "NOT equal to ") + pandas.get(
            "compared_with", "the mart"
        )
        if pandas.get("projected"):
            verdict = (
                f"projected from {pandas['sampled_station_days']:,} of "
                f"{pandas['station_days']:,} station-days; " + verdict
            )
        table.add_row(
            "pandas: per-day loop",
            f"{pandas['station_days']:,} days",
            _fmt(pandas["compute_seconds"]),
            "",
            verdict,
        )
    ratios = results.get("ratios", {})
    for key, value in ratios.items():
        table.add_row(f"ratio {key}", "", f"{value:.1f}x", "", "")
    console.print(table)
