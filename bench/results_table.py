"""The benchmark's results table: every target of issue 13, its figure, its limit and met/missed.

One list of rows (``rows``) from a ``results.json``; printed for a person (``print_table``) and
as the README's Markdown (``markdown``, ``python -m bench.readme_table``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.scale import MEMORY_LIMIT_MB, SCALE_STATION_YEARS

TARGET_STATION_YEARS = 70  # the build target is stated at this size
LOADER_SHARE = 0.5  # of DuckDB read_csv
BUILD_SECONDS = 30.0
BUILD_RSS_MB = 2048.0
REFRESH_SECONDS = 10.0
DECIDE_P99_US = 20.0
PANDAS_RATIO = 10.0  # the marts at least this much faster than the peers' loop
LOADER_MEMORY_GROWTH = 1.5  # "bounded by a chunk": the peak barely moves from 70 to 700

MET, MISSED, NONE = "met", "missed", ""


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    step: str
    figure: str
    limit: str = ""
    verdict: str = NONE
    note: str = ""


def _verdict(ok: bool | None) -> str:
    return NONE if ok is None else (MET if ok else MISSED)


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} MB"


def _s(value: float | None, places: int = 1) -> str:
    return "–" if value is None else f"{value:,.{places}f} s"


def _sizes() -> str:
    return f"{TARGET_STATION_YEARS} -> {SCALE_STATION_YEARS}"


def _full(curve: dict[str, Any]) -> bool:
    """The curve spans the issue's two sizes (a smaller pair is shown, never judged)."""
    sizes = curve.get("station_years", [])
    return bool(sizes) and (sizes[0], sizes[-1]) == (TARGET_STATION_YEARS, SCALE_STATION_YEARS)


def _ingest_rows(results: dict[str, Any]) -> list[Row]:
    out = []
    g = results.get("generate")
    if g:
        out.append(
            Row(
                "generate files",
                f"{g['rows_total']:,} rows in {_s(g['seconds'])}",
                note="numpy + DuckDB COPY",
            )
        )
    limit = results.get("read_csv")
    if limit:
        out.append(
            Row(
                "DuckDB read_csv (the limit)",
                f"{limit['rows_per_s']:,.0f} rows/s",
                note=f"{limit['rows']:,} rows, median of {len(limit['all_seconds'])}",
            )
        )
    obs = results.get("ingest_observations")
    if obs:
        share = obs["rows_per_s"] / limit["rows_per_s"] if limit else None
        out.append(
            Row(
                "IEM loader: observations",
                f"{obs['rows_per_s']:,.0f} rows/s"
                + (f" ({share:.1%} of read_csv)" if share is not None else ""),
                f">= {LOADER_SHARE:.0%} of read_csv",
                _verdict(None if share is None else share >= LOADER_SHARE),
                f"{obs['rows']:,} rows in {_s(obs['seconds'])}; dlt runs: {obs['dlt_runs']}; "
                f"{obs['rejects']:,} rejects",
            )
        )
        curve = results.get("scale", {})
        growth = curve.get("growth", {}).get("observation_loader_peak_rss_mb")
        judged = growth is not None and _full(curve)
        out.append(
            Row(
                "IEM loader: peak memory",
                _mb(obs.get("peak_rss_mb")),
                f"bounded by a chunk: {_sizes()} growth <= {LOADER_MEMORY_GROWTH}x",
                _verdict(growth <= LOADER_MEMORY_GROWTH if judged else None),
                "loader process (ru_maxrss)"
                + (
                    f"; growth {growth:.2f}x ({' -> '.join(map(str, curve['station_years']))})"
                    if growth is not None
                    else "; needs --scale"
                ),
            )
        )
    for key, label in (("ingest_cli", "CLI loader"), ("ingest_kalshi", "Kalshi loader")):
        item = results.get(key)
        if item:
            rows = item.get("rows", item.get("markets", 0) + item.get("candles", 0))
            peak = item.get("peak_rss_mb")
            out.append(
                Row(
                    label,
                    f"{item['rows_per_s']:,.0f} rows/s",
                    note=f"{rows:,} rows in {_s(item['seconds'])}"
                    + (f"; CLI + Kalshi process peak {_mb(peak)}" if peak else ""),
                )
            )
    return out


def _build_rows(results: dict[str, Any]) -> list[Row]:
    dbt = results.get("dbt_build")
    if not dbt:
        return []
    ok = dbt["returncode"] == 0
    at_target = results.get("station_years") == TARGET_STATION_YEARS
    failed = (
        "" if ok else f"FAILED ({len(dbt.get('failed', []))} nodes failed, rc {dbt['returncode']})"
    )
    out = [
        Row(
            "dbt build: wall",
            _s(dbt["seconds"]) + (f" ({dbt['nodes']} nodes)" if "nodes" in dbt else ""),
            f"<= {BUILD_SECONDS:.0f} s at {TARGET_STATION_YEARS} station-years",
            (_verdict(dbt["seconds"] <= BUILD_SECONDS) if at_target else "n/a") if ok else MISSED,
            failed or "seeds, models, data and unit tests",
        ),
        Row(
            "dbt build: peak memory",
            _mb(dbt.get("peak_rss_mb")),
            f"< {BUILD_RSS_MB / 1024:.0f} GB",
            _verdict(dbt["peak_rss_mb"] < BUILD_RSS_MB) if "peak_rss_mb" in dbt else NONE,
            f"dbt process ru_maxrss; process tree sampled {_mb(dbt.get('tree_peak_rss_mb'))}",
        ),
    ]
    if "accuracy_lineage_seconds" in dbt:
        out.append(
            Row(
                "  fct_accuracy_by_window lineage",
                _s(dbt["accuracy_lineage_seconds"]),
                note="sum of model times, seeds..mart",
            )
        )
    refresh = results.get("refresh")
    if refresh is not None:
        if "missing" in refresh:
            out.append(Row("hourly refresh", "not measured", note=f"{refresh['missing']} missing"))
        else:
            seconds = float(refresh["seconds"])
            out.append(
                Row(
                    "hourly refresh",
                    _s(seconds),
                    f"<= {REFRESH_SECONDS:.0f} s",
                    _verdict(seconds <= REFRESH_SECONDS),
                    f"{refresh.get('nodes', '?')} nodes; peak {_mb(refresh.get('peak_rss_mb'))}",
                )
            )
    return out


def _engine_rows(results: dict[str, Any]) -> list[Row]:
    engine = results.get("engine")
    if engine is None:
        return []
    if "missing" in engine:
        return [Row("decide p99", "not measured", note=f"{engine['missing']} missing")]
    out = []
    for rule, figures in engine["decide"].items():
        p99 = float(figures["p99_us"])
        out.append(
            Row(
                f"decide p99: {rule}",
                f"{p99:.1f} µs",
                f"<= {DECIDE_P99_US:.0f} µs",
                _verdict(p99 <= DECIDE_P99_US),
                f"p50 {float(figures['p50_us']):.1f} µs over {figures['calls']:,} calls",
            )
        )
    return out


def _pandas_rows(results: dict[str, Any]) -> list[Row]:
    pandas = results.get("pandas")
    if not pandas:
        return []
    verdict = ("equal to " if pandas.get("equal") else "NOT equal to ") + pandas.get(
        "compared_with", "the mart"
    )
    if pandas.get("projected"):
        verdict = (
            f"projected from {pandas['sampled_station_days']:,} of "
            f"{pandas['station_days']:,} station-days; " + verdict
        )
    out = [
        Row(
            "pandas per-day loop (peer baseline)",
            _s(pandas["compute_seconds"]),
            verdict=NONE if pandas.get("equal") else "NOT EQUAL",
            note=verdict + f"; reading the raw rows {_s(pandas['read_seconds'])}",
        )
    ]
    for key, value in results.get("ratios", {}).items():
        out.append(
            Row(
                f"  {key}",
                f"{value:,.1f}x",
                f">= {PANDAS_RATIO:.0f}x",
                _verdict(value >= PANDAS_RATIO),
            )
        )
    return out


def _pair(values: list[Any], sizes: list[Any], fmt: Any) -> str:
    return " -> ".join(f"{size}: {fmt(value)}" for size, value in zip(sizes, values, strict=True))


def _scale_rows(results: dict[str, Any]) -> list[Row]:
    curve = results.get("scale")
    if not curve:
        return [
            Row(
                "scale: 700 station-years",
                "not run",
                f"load and build within {MEMORY_LIMIT_MB // 1024} GB",
                note="python -m bench.run --scale (then this run again, or --scale-with)",
            )
        ]
    sizes, growth = curve["station_years"], curve["growth"]
    size_growth = f"for {growth['station_years']:.0f}x the station-years"

    def grown(name: str) -> str:
        value = growth.get(name)
        return "" if value is None else f"growth {value:.2f}x {size_growth}"

    peaks = curve["peak_rss_mb"]
    largest = peaks[-1]
    return [
        Row("scale: load", _pair(curve["load_seconds"], sizes, _s), note=grown("load_seconds")),
        Row("scale: build", _pair(curve["build_seconds"], sizes, _s), note=grown("build_seconds")),
        Row(
            "scale: peak memory",
            _pair(peaks, sizes, _mb),
            f"<= {MEMORY_LIMIT_MB // 1024} GB at {SCALE_STATION_YEARS}",
            _verdict(None if largest is None else largest <= MEMORY_LIMIT_MB)
            if _full(curve)
            else "n/a",
            grown("peak_rss_mb")
            + f" (larger loader process {_pair(curve['loader_peak_rss_mb'], sizes, _mb)}; "
            + f"build {_pair(curve['build_peak_rss_mb'], sizes, _mb)})",
        ),
    ]


def rows(results: dict[str, Any]) -> list[Row]:
    """Every line of the table, in order: ingest, build, refresh, engine, pandas, scale."""
    return (
        _ingest_rows(results)
        + _build_rows(results)
        + _engine_rows(results)
        + _pandas_rows(results)
        + _scale_rows(results)
    )


def title(results: dict[str, Any]) -> str:
    """What the run measured: size, CPUs, date."""
    stations = results.get("stations")
    size = f"{results['station_years']} station-years"
    if stations:
        size += f" ({stations} stations)"
    return f"{size}, {results.get('cpus')} CPUs, {str(results.get('started_at', ''))[:10]}"


def print_table(console: Console, results: dict[str, Any]) -> None:
    """The table for a person."""
    table = Table(title=f"Benchmark: {title(results)}")
    for name, justify in (
        ("step", "left"),
        ("figure", "right"),
        ("limit", "left"),
        ("", "center"),
        ("note", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in rows(results):
        style = {MET: "green", MISSED: "red"}.get(row.verdict, "")
        verdict = f"[{style}]{row.verdict}[/]" if style else row.verdict
        table.add_row(row.step, row.figure, row.limit, verdict, row.note)
    console.print(table)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(results: dict[str, Any]) -> str:
    """The README's Markdown table of the same rows."""
    lines = [
        f"Benchmark: {title(results)}.",
        "",
        "| step | figure | limit | verdict | note |",
        "|---|---:|---|:---:|---|",
    ]
    for row in rows(results):
        step = row.step.strip()
        step = f"&nbsp;&nbsp;{step}" if row.step.startswith("  ") else step
        cells = (step, row.figure, row.limit, f"**{row.verdict}**" if row.verdict else "", row.note)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"
