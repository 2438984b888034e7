"""dbt build of the weather models over a throwaway warehouse loaded by the IEM runner."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from domain.climate_day import climate_date
from domain.metar import parse_metar
from domain.stations import station_by_icao
from pipelines.iem import runner
from tests.conftest import run_dbt
from tests.pipelines.iem.test_revisions import CORRECTED, FIRST, HEADER

FIRST_CLI = {
    "station": "KMDW",
    "valid": "2026-01-04",
    "high": 33,
    "low": 25,
    "product": "202601050634-KLOT-CDUS43-CLIMDW",
}


@pytest.mark.dbt
@pytest.mark.realdata
def test_fct_climate_day_builds_and_matches_python(
    realdata: Path, warehouse: Path, tmp_path: Path
) -> None:
    hourly = realdata / "weather" / "knyc_asos_hourly_sample_2026-08.csv"
    cli = realdata / "weather" / "cli_daily_kmdw_knyc.csv"
    # The correction example at another station: both reports stored, the COR wins.
    corrections = tmp_path / "asos_corrections.csv"
    corrections.write_text(HEADER + (FIRST + CORRECTED).replace("NYC", "MDW"))
    # weather/README: KMDW 2026-01-04 first said 33; the file holds only the corrected 34.
    first_cli = tmp_path / "cli_first_issuance.json"
    first_cli.write_text(json.dumps({"results": [FIRST_CLI]}))
    runner.run_files([hourly, cli, corrections, first_cli])

    # cautious: the stations seed is a parent of other teams' models too; eager selection would
    # run their relationships tests against models this build does not create.
    result = run_dbt(
        ["build", "--select", "+fct_climate_day", "--indirect-selection", "cautious"],
        warehouse,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:]

    # The same figures computed in Python from the files, with the domain helpers.
    knyc = station_by_icao("KNYC")
    whole_by_day: dict[date, list[int]] = defaultdict(list)
    with hourly.open(newline="") as f:
        for row in csv.DictReader(f):
            at = datetime.strptime(row["timestamp"], "%Y-%m-%d %H:%M:%S%z")
            metar = parse_metar(row["nws_metar"])
            if metar.temp_f_whole is not None:
                whole_by_day[climate_date(at, knyc)].append(metar.temp_f_whole)
    with cli.open(newline="") as f:
        cli_high = {
            date.fromisoformat(r["date"]): int(r["high"])
            for r in csv.DictReader(f)
            if r["station"] == "KNYC"
        }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select climate_date, obs_max_temp_f_whole, cli_high_f, cli_high_minus_obs_max "
            "from main.fct_climate_day where station_icao = 'KNYC' and observation_count > 0 "
            "and data_source = 'real' order by 1"
        ).fetchall()
        total = con.execute("select count(*) from main.fct_climate_day").fetchall()[0][0]
        reissued = con.execute(
            "select cli_high_f, cli_issuance_count from main.fct_climate_day "
            "where station_icao = 'KMDW' and climate_date = '2026-01-04'"
        ).fetchall()
        corrected = con.execute(
            "select round(temp_f, 2), is_correction, revision_count from main.stg_iem__observations "
            "where station_icao = 'KMDW'"
        ).fetchall()
    assert corrected == [(84.02, True, 2)]
    assert reissued == [(34, 2)]
    assert total == 500  # one row per CLI station-day; observations add no new days here
    assert [r[0] for r in rows] == sorted(whole_by_day)
    for day, obs_max, high, gap in rows:
        assert obs_max == max(whole_by_day[day])
        assert high == cli_high[day]
        assert gap == high - obs_max
    # weather/README: on 08-21 the observations peak at 78 °F and the CLI says 79.
    assert (date(2026, 8, 21), 78, 79, 1) in rows
