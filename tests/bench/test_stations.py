"""The bench's stations: the seven real ones, synthetic copies for the scale run, its registry."""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bench.generate import GenerateConfig, generate
from bench.simulate import plan
from bench.stations import (
    REGISTRY_ENV,
    REPO_ROOT,
    RegistryNotSwitchedError,
    bench_stations,
    registry_csv,
    switch_registry,
)
from domain.stations import default_stations, load_stations
from domain.tickers import event_ticker, parse_ticker


def test_seventy_stations_are_the_seven_then_distinct_copies() -> None:
    chosen = bench_stations(70)

    real = default_stations()
    assert [s for s, _ in chosen[:7]] == list(real)
    ids = [s.icao for s, _ in chosen]
    assert len(set(ids)) == 70
    assert len({s.iem_asos_id for s, _ in chosen}) == 70
    assert not set(ids[7:]) & {s.icao for s in load_stations()}
    copy, climate = chosen[7]
    assert climate == real[0].icao
    assert copy.std_utc_offset_hours == real[0].std_utc_offset_hours
    assert not copy.trade_by_default
    event = event_ticker(copy.high_series_ticker, date(2025, 1, 31))
    assert parse_ticker(event).series_ticker == copy.high_series_ticker


def test_plan_is_seven_stations_to_70_and_one_per_ten_beyond() -> None:
    small = plan(GenerateConfig(station_years=70))
    large = plan(GenerateConfig(station_years=700))

    assert len({p.station.icao for p in small}) == 7
    assert {p.year for p in small} == set(range(2016, 2026))
    assert [p.station.icao for p in small[:7]] == [s.icao for s in default_stations()]
    assert len({p.station.icao for p in large}) == 70
    assert {p.year for p in large} == set(range(2016, 2026))
    assert len({(p.station.icao, p.year) for p in large}) == 700


def test_registry_csv_keeps_the_registry_and_adds_the_copies() -> None:
    stations = [s for s, _ in bench_stations(9)]
    packaged = (Path(__file__).parents[2] / "domain" / "data" / "stations.csv").read_text()

    text = registry_csv(stations)

    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0] == packaged.splitlines()[0]
    assert text.splitlines()[1 : len(load_stations()) + 1] == packaged.splitlines()[1:]
    assert [r["icao"] for r in rows[-2:]] == ["KZAA", "KZAB"]
    assert rows[-1]["trade_by_default"] == "false"
    assert rows[-1]["legacy_high_series_ticker"] == ""


def test_registry_csv_has_one_row_per_station_of_a_station_year_plan() -> None:
    # the scale run passes its plan's stations: each one ten times, once per year
    stations = [p.station for p in plan(GenerateConfig(station_years=700, stations=70))]

    rows = list(csv.DictReader(io.StringIO(registry_csv(stations))))

    assert len(rows) == len({r["icao"] for r in rows}) == len({r["iem_asos_id"] for r in rows})
    assert {s.icao for s in stations} <= {r["icao"] for r in rows}
    assert len(rows) == len(load_stations()) + 63


def test_real_stations_switch_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REGISTRY_ENV, raising=False)

    assert switch_registry(list(default_stations()), tmp_path) is None
    assert not (tmp_path / "registry").exists()


@pytest.fixture
def registry_env_removed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``switch_registry`` sets the variable itself: teardown must remove it, not restore it.

    (A ``delenv`` after the switch would record the switched value and put it back at teardown,
    where the next module's fixtures, which run before its autouse cleanup, would see it.)
    """
    monkeypatch.setenv(REGISTRY_ENV, "")
    monkeypatch.delenv(REGISTRY_ENV)
    yield
    load_stations.cache_clear()


@pytest.mark.usefixtures("registry_env_removed")
def test_synthetic_stations_switch_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)
    stations = [s for s, _ in bench_stations(8)]
    # inside the repository (bench/out is gitignored): dbt's seed path must stay near the project
    out = Path(tempfile.mkdtemp(prefix="test-registry-", dir=_bench_out()))
    try:
        folder = switch_registry(stations, out)

        assert folder == out / "registry"
        assert (folder / "stations.csv").exists()
        assert "KZAA" in {s.icao for s in load_stations()}
    finally:
        shutil.rmtree(out, ignore_errors=True)


@pytest.mark.usefixtures("registry_env_removed")
def test_an_out_folder_far_from_the_repository_is_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a checkout three folders deep, its --out four `..` away: dbt would write the seed's
    # compiled copy outside its target folder
    root = tmp_path / "a" / "b" / "checkout"
    root.mkdir(parents=True)
    monkeypatch.setattr("bench.stations.REPO_ROOT", root)
    monkeypatch.chdir(root)

    with pytest.raises(RegistryNotSwitchedError, match="the default bench/out works"):
        switch_registry([s for s, _ in bench_stations(8)], tmp_path.parent / "far")
    assert REGISTRY_ENV not in os.environ
    assert not (tmp_path.parent / "far").exists()


def _bench_out() -> Path:
    folder = REPO_ROOT / "bench" / "out"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_generated_copies_carry_their_own_ids(tmp_path: Path) -> None:
    files = generate(
        GenerateConfig(station_years=8, stations=8, days_per_year=1, candle_days=0), tmp_path
    )

    names = {p.name for p in files.asos}
    assert {"KZAA_2025_rt1.csv", "KZAA_2025_rt3.csv"} <= names
    text = (tmp_path / "asos" / "KZAA_2025_rt3.csv").read_text().splitlines()
    assert text[1].startswith("ZAA,") and ",KZAA " in text[1]
    markets = (tmp_path / "kalshi" / "markets_KZAA_2025.json").read_text()
    assert "KXHIGHZAA-25JAN01" in markets and "KXLOWTZAA-25JAN01" in markets
