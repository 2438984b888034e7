"""IEM ``asos.py`` CSV and ``json/cli.py`` files of a simulated station-year (DuckDB string
building and its fast CSV writer)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench.simulate import STEP_MINUTES, STEPS_PER_DAY, StationYear, half_up


def _tenths_c(whole_f: np.ndarray) -> np.ndarray:
    """Tenths °C (as int, 311 = 31.1 °C) of a whole-°F reading, rounded half away from zero."""
    return half_up((whole_f - 32) / 1.8 * 10)


_ASOS_SQL = """
copy (
    select
        '{iem}' as station,
        strftime(valid, '%Y-%m-%d %H:%M') as valid,
        printf('%.2f', tmpf) as tmpf,
        printf('%.2f', dwpf) as dwpf,
        '{icao} ' || strftime(valid, '%d%H%MZ') || {auto}
        || lpad(cast(wind_dir as varchar), 3, '0') || lpad(cast(wind_kt as varchar), 2, '0')
        || 'KT 10SM CLR '
        || case when t_whole < 0 then 'M' else '' end || lpad(cast(abs(t_whole) as varchar), 2, '0')
        || '/'
        || case when d_whole < 0 then 'M' else '' end || lpad(cast(abs(d_whole) as varchar), 2, '0')
        || ' A' || cast(altimeter as varchar) || ' RMK AO2'
        {remarks}
        as metar
    from frame
    order by valid
) to '{path}' (header, delimiter ',')
"""

_ROUTINE_REMARKS = """
        || ' SLP' || lpad(cast(slp as varchar), 3, '0')
        || ' T' || case when t_tenths < 0 then '1' else '0' end
        || lpad(cast(abs(t_tenths) as varchar), 3, '0')
        || case when d_tenths < 0 then '1' else '0' end || lpad(cast(abs(d_tenths) as varchar), 3, '0')
        || case when max6 is null then '' else
            ' 1' || case when max6 < 0 then '1' else '0' end || lpad(cast(abs(max6) as varchar), 3, '0')
            || ' 2' || case when min6 < 0 then '1' else '0' end || lpad(cast(abs(min6) as varchar), 3, '0')
           end
"""


def write_asos(sy: StationYear, folder: Path, rng: np.random.Generator) -> list[tuple[Path, int]]:
    """Write the HF (report type 1) and routine (type 3) CSVs of one station-year."""
    folder.mkdir(parents=True, exist_ok=True)
    station = sy.station
    n = sy.temp_f_whole.size
    valid = pd.date_range(sy.day_start_utc, periods=n, freq=f"{STEP_MINUTES}min", tz=UTC)
    c_whole = half_up((sy.temp_f_whole - 32) / 1.8)
    d_whole = half_up((sy.dew_f_whole - 32) / 1.8)
    hf = pd.DataFrame(
        {
            "valid": valid.tz_localize(None),
            "tmpf": c_whole * 1.8 + 32,  # IEM's tmpf for a whole-°C HF report
            "dwpf": d_whole * 1.8 + 32,
            "t_whole": c_whole,
            "d_whole": d_whole,
            "wind_dir": (rng.integers(0, 36, n) * 10),
            "wind_kt": rng.integers(0, 25, n),
            "altimeter": rng.integers(2960, 3040, n),
        }
    )
    hours = sy.routine_temp_f.size
    r_valid = pd.date_range(
        sy.day_start_utc + timedelta(minutes=53), periods=hours, freq="60min", tz=UTC
    )
    t_tenths = _tenths_c(sy.routine_temp_f)
    d_tenths = _tenths_c(sy.routine_dew_f)
    # 6-hour max/min groups in the :53 reports before 00/06/12/18 UTC (tenths °C of the
    # 5-minute readings of the previous six hours).
    tenths_5min = _tenths_c(sy.temp_f_whole)
    end_index = np.arange(hours) * 12 + 11  # the :55 step after each :53 report
    start_index = np.maximum(end_index - 6 * 12 + 1, 0)
    max6 = np.array(
        [tenths_5min[s : e + 1].max() for s, e in zip(start_index, end_index, strict=True)]
    )
    min6 = np.array(
        [tenths_5min[s : e + 1].min() for s, e in zip(start_index, end_index, strict=True)]
    )
    synoptic = (r_valid.hour % 6) == 5  # hh:53 just before a synoptic hour
    routine = pd.DataFrame(
        {
            "valid": r_valid.tz_localize(None),
            "tmpf": t_tenths / 10 * 1.8 + 32,
            "dwpf": d_tenths / 10 * 1.8 + 32,
            "t_whole": half_up(t_tenths / 10),
            "d_whole": half_up(d_tenths / 10),
            "t_tenths": t_tenths,
            "d_tenths": d_tenths,
            "max6": pd.Series(max6).where(synoptic).astype("Int64"),
            "min6": pd.Series(min6).where(synoptic).astype("Int64"),
            "wind_dir": rng.integers(0, 36, hours) * 10,
            "wind_kt": rng.integers(0, 25, hours),
            "altimeter": rng.integers(2960, 3040, hours),
            "slp": rng.integers(0, 1000, hours),
        }
    )
    written = []
    con = duckdb.connect(":memory:")
    try:
        for frame, suffix, auto, remarks in (
            (hf, "rt1", "' AUTO '", ""),
            (routine, "rt3", "' '", _ROUTINE_REMARKS),
        ):
            path = folder / f"{station.icao}_{sy.year}_{suffix}.csv"
            con.register("frame", frame)
            con.execute(
                _ASOS_SQL.format(
                    iem=station.iem_asos_id,
                    icao=station.icao,
                    auto=auto,
                    remarks=remarks,
                    path=str(path).replace("'", "''"),
                )
            )
            con.unregister("frame")
            written.append((path, len(frame)))
    finally:
        con.close()
    return written


# ---------------------------------------------------------------------------------------------
# CLI JSON


def _clock(minute_of_day: int) -> str:
    hour, minute = divmod(int(minute_of_day), 60)
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"


def write_cli(sy: StationYear, folder: Path) -> tuple[Path, int]:
    """Write the station-year's ``json/cli.py`` response."""
    folder.mkdir(parents=True, exist_ok=True)
    station = sy.station
    daily = sy.temp_f_whole.reshape(sy.days, STEPS_PER_DAY)
    high_step = daily.argmax(axis=1)
    low_step = daily.argmin(axis=1)
    results = []
    for d in range(sy.days):
        day = date(sy.year, 1, 1) + timedelta(days=d)
        # the final CLI: next morning about 06:36 local standard time
        issued = datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(
            hours=6 - station.std_utc_offset_hours, minutes=36
        )
        results.append(
            {
                "station": station.icao,
                "valid": day.isoformat(),
                "wfo": station.wfo,
                "name": station.station_name,
                "product": f"{issued:%Y%m%d%H%M}-K{station.wfo}-CDUS4X-{station.cli_product}",
                "high": int(sy.cli_high[d]),
                "high_time": _clock(high_step[d] * STEP_MINUTES),
                "low": int(sy.cli_low[d]),
                "low_time": _clock(low_step[d] * STEP_MINUTES),
                "precip": 0.0,
            }
        )
    path = folder / f"{station.icao}_{sy.year}.json"
    generated = datetime(sy.year + 1, 1, 2, 13, tzinfo=UTC)
    path.write_text(
        json.dumps({"results": results, "generated_at": f"{generated:%Y-%m-%dT%H:%M:%SZ}"}),
        encoding="utf-8",
    )
    return path, len(results)
