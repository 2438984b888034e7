"""Smoke test of the benchmark generator at a toy size (not a timing test)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from bench.generate import GenerateConfig, generate
from bench.simulate import STEPS_PER_DAY
from pipelines.documents import RawDocument
from pipelines.iem.daily import parse_daily
from pipelines.iem.parsers import Kind, parse_observations, sniff


def test_generator_writes_parseable_files(tmp_path: Path) -> None:
    days = 10
    files = generate(
        GenerateConfig(station_years=1, days_per_year=days, candle_days=2, candle_step_minutes=60),
        tmp_path,
    )

    hf, routine = sorted(files.asos)
    assert hf.name.endswith("_rt1.csv") and routine.name.endswith("_rt3.csv")
    assert hf.read_text().splitlines()[0] == "station,valid,tmpf,dwpf,metar"
    with duckdb.connect() as con:
        counted = con.execute(
            "select count(*), count(distinct valid), min(valid), max(valid) "
            "from read_csv(?, header = true)",
            [str(hf)],
        ).fetchall()[0]
        routine_rows = con.execute(
            "select count(*) from read_csv(?, header = true)", [str(routine)]
        ).fetchall()[0][0]
    assert counted[0] == counted[1] == days * STEPS_PER_DAY == files.rows["asos_hf"]
    assert routine_rows == days * 24 == files.rows["asos_routine"]
    assert files.rows["cli"] == days
    assert files.rows["markets"] == days * 2 * 6  # HIGH and LOW ladders of six markets
    assert files.rows["candles"] == 2 * 2 * 6 * 24


def test_generated_rows_pass_our_parsers(tmp_path: Path) -> None:
    files = generate(GenerateConfig(station_years=1, days_per_year=2, candle_days=0), tmp_path)

    for path in files.asos:
        text = path.read_text()
        assert sniff(text) is Kind.asos
        hint = path.stem.rsplit("_rt", 1)[1]
        parsed = parse_observations(RawDocument(text, str(path), "simulated", "sample", hint))
        assert not parsed.rejects, parsed.rejects[:2]
        assert {row["report_type"] for row in parsed.rows} == {int(hint)}
        if hint == "3":
            assert all(row["temp_c_tenths"] is not None for row in parsed.rows)
            assert any(row["max_6h_c"] is not None for row in parsed.rows)
    cli = parse_daily(RawDocument(files.cli[0].read_text(), "cli", "simulated", "sample"), Kind.cli)
    assert not cli.rejects and len(cli.rows) == 2
    pages = json.loads(files.markets[0].read_text())
    for page in pages:
        results = [m["result"] for m in page["markets"]]
        assert results.count("yes") == 2  # one winner per day's ladder, two days
