"""Shared fixtures: throwaway warehouses, the real-data folder, dbt runs."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
REALDATA = REPO_ROOT.parent / "shared" / "realdata"


@pytest.fixture
def realdata() -> Path:
    """``../shared/realdata``; the test is skipped when the folder is absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is absent")
    return REALDATA


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A throwaway warehouse file; WAREHOUSE_PATH points at it for the test."""
    path = tmp_path / "warehouse" / "kalshi_weather.duckdb"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv("WAREHOUSE_PATH", str(path))
    yield path


# Saved dbt parses (``tests.dbt_cli``), one per --vars and warehouse file name, shared by this
# run's workers. Set by the session fixture ``_dbt_parse_cache``.
_DBT_PARSES: dict[str, Path] = {}


@pytest.fixture(autouse=True)
def _no_lake_or_registry_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's shell must not send test loads to a lake or swap the station registry."""
    monkeypatch.delenv("RAW_LAKE_PATH", raising=False)
    monkeypatch.delenv("KALSHI_WEATHER_STATIONS_DIR", raising=False)


@pytest.fixture(scope="session", autouse=True)
def _dbt_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The folder of this run's saved dbt parses (``run_dbt``)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    _DBT_PARSES["root"] = shared / "dbt_parses"
    _DBT_PARSES["root"].mkdir(exist_ok=True)


def run_dbt(
    args: list[str], warehouse_file: Path, work_dir: Path
) -> subprocess.CompletedProcess[str]:
    """Run dbt from the repo root against ``warehouse_file``, keeping target/logs in ``work_dir``.

    dbt (``tests.dbt_cli``) starts from the last parse saved for the same ``--vars`` and file
    name, and saves its own: a full parse costs about 15 s of CPU, a reused one a fraction.
    """
    cli_vars = args[args.index("--vars") + 1] if "--vars" in args else ""
    key = hashlib.sha256(f"{cli_vars}\0{warehouse_file.name}".encode()).hexdigest()[:16]
    saved = _DBT_PARSES["root"] / f"{key}.msgpack"
    parse = work_dir / "target" / "partial_parse.msgpack"
    if saved.exists():
        parse.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, parse)
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse_file),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.dbt_cli",
            *args,
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if parse.exists():  # replaced whole: another worker may be copying it
        fresh = saved.with_name(f"{saved.name}.{os.getpid()}")
        shutil.copyfile(parse, fresh)
        fresh.replace(saved)
    return result


def query_rows(path: Path, sql: str) -> list[dict[str, Any]]:
    """Rows of ``sql`` on a warehouse file opened read-only, as dicts by column name."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def compile_macros(template: str, work_dir: Path) -> str:
    """``template`` compiled by dbt with the project's real macros (``dbt compile --inline``).

    Parity tests run the result in DuckDB over a ``parity_input`` table of cases, so they check
    the macros themselves, not a copy.
    """
    result = run_dbt(["compile", "--quiet", "--inline", template], work_dir / "w.duckdb", work_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    sql = result.stdout.strip()
    assert sql.lower().startswith("select") and "parity_input" in sql
    return sql


@dataclass(frozen=True)
class ClimateDayCase:
    """One instant at a station with its expected climate date and checkpoint minute.

    The expectation comes from the IANA zone (its January offset is standard time), not from
    the registry's ``std_utc_offset_hours``.
    """

    icao: str
    at: datetime
    climate_date: date
    checkpoint_minute: int


def _transition_instants(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants at which ``zone``'s offset changes in ``year`` (hour resolution)."""
    hour = timedelta(hours=1)
    at = datetime(year, 1, 1, tzinfo=UTC)
    instants = []
    while at.year == year:
        if (at + hour).astimezone(zone).utcoffset() != at.astimezone(zone).utcoffset():
            instants.append(at + hour)
        at += hour
    return instants


@pytest.fixture(scope="session")
def dst_transition_cases() -> list[ClimateDayCase]:
    """Instants around both 2025 DST transitions at every station of the registry.

    For each transition: a minute before and after it, every minute of the civil hour that
    maps to the end of the previous climate date or the start of the next one (civil 00:00..01:00
    under daylight time), and the ends of the local-standard day on either side.
    """
    from domain.stations import load_stations

    minute = timedelta(minutes=1)
    cases = []
    for station in load_stations():
        zone = ZoneInfo(station.iana_timezone)
        standard = datetime(2025, 1, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset()
        assert standard is not None
        # America/Phoenix keeps standard time all year: its cases sit at the US transitions,
        # where its climate day must not move
        transitions = _transition_instants(zone, 2025) or _transition_instants(
            ZoneInfo("America/Denver"), 2025
        )
        assert len(transitions) == 2, (station.icao, transitions)
        for transition in transitions:
            local_day = (transition + standard).date()
            midnights = [
                datetime.combine(local_day + timedelta(days=d), time(0), tzinfo=UTC) - standard
                for d in (0, 1, 2)
            ]
            instants = {transition + k * minute for k in (-61, -60, -1, 0, 1, 59, 60)}
            for midnight in midnights:
                instants |= {midnight + k * minute for k in range(-61, 62, 1)}
            for at in sorted(instants):
                lst = (at + standard).replace(tzinfo=None)
                cases.append(
                    ClimateDayCase(
                        icao=station.icao,
                        at=at,
                        climate_date=lst.date(),
                        checkpoint_minute=lst.hour * 60 + lst.minute,
                    )
                )
    return cases


# The shared sample warehouse: two stations in two zones over the first twelve days of March 2025
# (winter, spanning the 2025-03-09 DST start; days 1-7 train, 8-12 test).
SAMPLE_STATIONS = ("KMDW", "KNYC")
SAMPLE_START = date(2025, 3, 1)
SAMPLE_END = date(2025, 3, 12)
# ~7 train days: let the pmf and the threshold search use them rather than their real minimums;
# one book for both stations, so the engine replay shares one risk state.
SAMPLE_DBT_VARS = (
    "{gate_delta_min_samples: 3, thresholds_min_train_trades: 1, "
    "thresholds_backtest_risk_scope: data_source}"
)
SAMPLE_GATE_MARTS = (
    "+fct_accuracy_by_window",
    "+fct_extreme_delta_distribution",
    "+fct_historical_edge",
    "+fct_market_calibration",
)


def build_sample_models(
    warehouse_file: Path,
    work_dir: Path,
    selectors: tuple[str, ...],
    full_refresh: bool = False,
) -> None:
    """``dbt build`` the seeds and models of ``selectors`` (no data tests) with the sample vars.

    ``full_refresh`` rebuilds incremental models whole: a test that edits raw rows in place
    keeps their load ids, which an incremental build (new loads only) rightly skips.
    """
    result = run_dbt(
        [
            "build",
            "--select",
            *selectors,
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
            "--vars",
            SAMPLE_DBT_VARS,
            *(["--full-refresh"] if full_refresh else []),
        ],
        warehouse_file,
        work_dir,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Path]
) -> Path:
    """``build(folder)`` run once per test run, by whichever xdist worker asks first.

    The others wait for it (a file lock) and share what it built: treat it as read-only.

    Args:
        tmp_path_factory: pytest's factory; the folder is in the run's temporary root, shared by
            its workers (a run without xdist has its own).
        name: the folder's name, unique per build.
        build: builds into the empty folder it is given and returns the path to share.

    Returns:
        The path ``build`` returned.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / name
    done = shared / f"{name}.built"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a failed attempt's leftovers
            folder.mkdir()
            done.write_text(str(build(folder)))
    return Path(done.read_text())


def _build_sample(root: Path) -> Path:
    from domain.stations import station_by_icao
    from pipelines.sample.runner import run_sample

    path = root / "warehouse" / "kalshi_weather.duckdb"
    path.parent.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WAREHOUSE_PATH", str(path))
        run_sample([station_by_icao(code) for code in SAMPLE_STATIONS], SAMPLE_START, SAMPLE_END)
    build_sample_models(
        path, root, (*SAMPLE_GATE_MARTS, "+fct_backtest_daily", "+rpt_station_thresholds_export")
    )
    return path


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample loaded and the gate, thresholds and backtest marts built, once per test run.

    Read it only (``read_only=True``); a test that writes takes ``sample_warehouse_copy``.
    """
    return built_once(tmp_path_factory, "sample_warehouse", _build_sample)


@pytest.fixture
def sample_warehouse_copy(sample_warehouse: Path, warehouse: Path) -> Path:
    """A writable copy of ``sample_warehouse`` at the ``warehouse`` fixture's path.

    The file name stays ``kalshi_weather.duckdb``: the views name their catalog after it.
    """
    shutil.copyfile(sample_warehouse, warehouse)
    return warehouse
