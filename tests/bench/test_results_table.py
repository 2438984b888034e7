"""The results table (every target with its limit and verdict) and the 70 -> 700 cost curve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import scale
from bench.results_table import MET, MISSED, markdown, rows


def _results(station_years: int = 70, **overrides: Any) -> dict[str, Any]:
    results: dict[str, Any] = {
        "started_at": "2026-12-01T15:00:00+00:00",
        "station_years": station_years,
        "stations": 7,
        "cpus": 2,
        "generate": {"rows_total": 1000, "seconds": 1.0},
        "read_csv": {"rows": 900, "seconds": 1.0, "all_seconds": [1.0], "rows_per_s": 1000.0},
        "ingest_observations": {
            "rows": 900,
            "rejects": 0,
            "seconds": 1.5,
            "rows_per_s": 600.0,
            "dlt_runs": 1,
            "peak_rss_mb": 300.0,
        },
        "ingest_cli": {"rows": 10, "seconds": 0.5, "rows_per_s": 20.0},
        "ingest_kalshi": {
            "markets": 5,
            "candles": 5,
            "seconds": 1.0,
            "rows_per_s": 10.0,
            "peak_rss_mb": 200.0,
        },
        "dbt_build": {"seconds": 31.0, "returncode": 0, "peak_rss_mb": 1500.0, "nodes": 300},
        "refresh": {"seconds": 4.0, "nodes": 40, "peak_rss_mb": 500.0},
        "engine": {
            "decide": {
                "design": {"p50_us": 8.0, "p99_us": 15.0, "calls": 100},
                "fair_value": {"p50_us": 14.0, "p99_us": 36.0, "calls": 100},
            },
            "decide_p99_us": {"design": 15.0, "fair_value": 36.0},
        },
        "ratios": {},
    }
    results.update(overrides)
    return results


def _verdicts(results: dict[str, Any]) -> dict[str, str]:
    return {row.step.strip(): row.verdict for row in rows(results)}


def test_each_target_has_its_verdict() -> None:
    verdicts = _verdicts(_results())

    assert verdicts["IEM loader: observations"] == MET  # 60% of read_csv
    assert verdicts["dbt build: wall"] == MISSED  # 31 s at 70
    assert verdicts["dbt build: peak memory"] == MET
    assert verdicts["hourly refresh"] == MET
    assert verdicts["decide p99: design"] == MET
    assert verdicts["decide p99: fair_value"] == MISSED
    assert verdicts["scale: 700 station-years"] == ""  # not run yet


def test_build_time_is_judged_only_at_70_and_a_failed_build_misses() -> None:
    assert _verdicts(_results(7))["dbt build: wall"] == "n/a"
    failed = _results(dbt_build={"seconds": 5.0, "returncode": 1, "peak_rss_mb": 10.0})
    assert _verdicts(failed)["dbt build: wall"] == MISSED


def test_missing_modules_are_named_not_fatal() -> None:
    table = rows(_results(refresh={"missing": "bench.refresh"}, engine={"missing": "bench.decide"}))

    notes = {row.step: row.note for row in table}
    assert notes["hourly refresh"] == "bench.refresh missing"
    assert notes["decide p99"] == "bench.decide missing"


def test_scale_merges_the_other_size_and_the_table_shows_the_growth(tmp_path: Path) -> None:
    large = _results(700, stations=70)
    large["ingest_observations"] = {**large["ingest_observations"], "seconds": 15.0}
    large["dbt_build"] = {"seconds": 200.0, "returncode": 0, "peak_rss_mb": 6000.0}
    other = tmp_path / "results.json"
    other.write_text(json.dumps(large))
    small = _results()

    curve = scale.merge(small, other)

    assert curve is not None
    assert curve["station_years"] == [70, 700]
    assert curve["load_seconds"] == [3.0, 16.5]
    assert curve["build_peak_rss_mb"] == [1500.0, 6000.0]
    assert curve["peak_rss_mb"] == [1500.0, 6000.0]
    assert curve["growth"]["station_years"] == 10
    assert curve["growth"]["build_seconds"] == 200.0 / 31.0
    assert curve["growth"]["loader_peak_rss_mb"] == 1.0
    small["scale"] = curve
    verdicts = _verdicts(small)
    assert verdicts["scale: peak memory"] == MET
    assert verdicts["IEM loader: peak memory"] == MET  # flat from 70 to 700


def test_the_iem_loader_memory_is_judged_on_its_own_process(tmp_path: Path) -> None:
    # at 700 the CLI + Kalshi process peaks far higher; the IEM loader's own peak grows 2x
    large = _results(700, stations=70)
    large["ingest_observations"] = {**large["ingest_observations"], "peak_rss_mb": 600.0}
    large["ingest_kalshi"] = {**large["ingest_kalshi"], "peak_rss_mb": 9000.0}
    other = tmp_path / "results.json"
    other.write_text(json.dumps(large))
    small = _results()

    small["scale"] = scale.merge(small, other)

    assert small["scale"]["growth"]["observation_loader_peak_rss_mb"] == 2.0
    assert small["scale"]["growth"]["loader_peak_rss_mb"] == 30.0
    assert _verdicts(small)["IEM loader: peak memory"] == MISSED


def test_a_smaller_curve_is_shown_but_not_judged(tmp_path: Path) -> None:
    other = tmp_path / "results.json"
    other.write_text(json.dumps(_results(14, stations=14)))
    small = _results(7)
    small["scale"] = scale.merge(small, other)

    verdicts = _verdicts(small)

    assert small["scale"]["station_years"] == [7, 14]
    assert verdicts["scale: peak memory"] == "n/a"
    assert verdicts["IEM loader: peak memory"] == ""


def test_no_curve_from_one_size_or_no_file(tmp_path: Path) -> None:
    same = tmp_path / "same.json"
    same.write_text(json.dumps(_results()))

    assert scale.merge(_results(), same) is None
    assert scale.merge(_results(), tmp_path / "absent.json") is None


def test_markdown_has_one_line_per_row() -> None:
    results = _results()

    text = markdown(results)

    table = [line for line in text.splitlines() if line.startswith("|")]
    assert table[0] == "| step | figure | limit | verdict | note |"
    assert len(table) == 2 + len(rows(results))
    assert (
        "| dbt build: wall | 31.0 s (300 nodes) | <= 30 s at 70 station-years | **missed** |"
        in text
    )
