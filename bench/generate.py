"""Generate N station-years of simulated raw data in the real wire formats, fast (numpy + DuckDB).

Written under ``<out>/`` (default ``bench/out/data``):

- ``asos/<ICAO>_<year>_rt1.csv``: 5-minute HF-METAR observations (report type 1), and
  ``asos/<ICAO>_<year>_rt3.csv``: routine hourly METARs at :53 (report type 3, with the
  ``T`` group, ``SLP`` and the 6-hour max/min groups at 00/06/12/18 UTC); IEM ``asos.py`` CSV,
  header ``station,valid,tmpf,dwpf,metar``, ``valid`` in UTC.
- ``cli/<ICAO>_<year>.json``: IEM ``json/cli.py`` responses (the settlement value).
- ``kalshi/markets_<ICAO>_<year>.json``: ``GET /markets``-style pages of settled ladders
  (6 markets per station, contract and day: two tails and four 2 °F bins).
- ``kalshi/candles_<ICAO>_<year>.jsonl``: one ``GET .../candlesticks`` body per line (1-minute
  candles, one every ``candle_step_minutes`` of the climate day, for the last ``candle_days``
  days up to the end of ``last_year``), with ``series_ticker`` and ``period_interval`` beside
  ``ticker``.

Every value is simulated (the loaders label it ``data_source = 'simulated'``). The model is
deliberately simple: seasonal + diurnal cycle + a smooth daily anomaly + 5-minute noise; the CLI
extreme is the 5-minute extreme, sometimes one degree beyond it (peaks between samples).
"""

from __future__ import annotations

import argparse
import calendar
import json
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from domain.stations import Station, load_stations

log = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "data"
STEP_MINUTES = 5
STEPS_PER_DAY = 24 * 60 // STEP_MINUTES
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# Rough climatology per station (°F): annual mean, seasonal half-range, diurnal half-range.
CLIMATE: dict[str, tuple[float, float, float]] = {
    "KMDW": (51.0, 23.0, 9.0),
    "KNYC": (56.0, 21.0, 7.5),
    "KMIA": (77.0, 7.0, 6.0),
    "KLAX": (64.0, 5.0, 6.0),
    "KAUS": (69.0, 16.0, 10.0),
    "KDEN": (50.0, 20.0, 13.0),
    "KPHL": (56.0, 21.0, 8.0),
}


@dataclass(frozen=True)
class GenerateConfig:
    """What to generate.

    Attributes:
        station_years: how many station-years (stations round-robin, then earlier years).
        last_year: the most recent calendar year generated.
        candle_days: candles for climate dates in the last this many days up to the end of
            ``last_year`` (0 = none): Kalshi's weather history is short, observations are long.
        candle_step_minutes: one 1-minute candle every this many minutes of the climate day.
        seed: RNG seed; the same config gives the same files.
        days_per_year: only the first this many days of each year (tests); None = all.
    """

    station_years: int = 70
    last_year: int = 2025
    candle_days: int = 365
    candle_step_minutes: int = 60
    seed: int = 20261121
    days_per_year: int | None = None


@dataclass
class GeneratedFiles:
    """Paths written, and row counts per kind."""

    asos: list[Path] = field(default_factory=list)
    cli: list[Path] = field(default_factory=list)
    markets: list[Path] = field(default_factory=list)
    candles: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def add_rows(self, kind: str, count: int) -> None:
        """Count rows of one kind."""
        self.rows[kind] = self.rows.get(kind, 0) + count


def plan(station_years: int, last_year: int) -> list[tuple[Station, int]]:
    """Which (station, year) pairs: all seven stations per year, going back from ``last_year``."""
    stations = load_stations()
    return [
        (stations[i % len(stations)], last_year - i // len(stations)) for i in range(station_years)
    ]


# ---------------------------------------------------------------------------------------------
# Simulation


def _erf(x: np.ndarray) -> np.ndarray:
    """Vectorised erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7)."""
    sign = np.sign(x)
    ax = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * ax)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-ax * ax))


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))


def _half_up(x: np.ndarray) -> np.ndarray:
    """Round halves away from zero (METAR/NWS rounding), as int64."""
    return (np.sign(x) * np.floor(np.abs(x) + 0.5)).astype(np.int64)


def _smooth_noise(rng: np.random.Generator, n: int, sd: float, span: int) -> np.ndarray:
    """Correlated noise: white noise through an exponential kernel of ``span`` steps."""
    kernel = np.exp(-np.arange(4 * span) / span)
    kernel /= np.sqrt(np.sum(kernel**2))
    white = rng.normal(0.0, sd, n + kernel.size)
    return np.convolve(white, kernel, mode="valid")[:n]


@dataclass
class StationYear:
    """One simulated station-year on the 5-minute grid of local standard time."""

    station: Station
    year: int
    days: int
    day_start_utc: datetime
    temp_f_whole: np.ndarray  # int64, whole °F at every 5-minute step
    dew_f_whole: np.ndarray
    routine_temp_f: np.ndarray  # int64, whole °F at hh:53 LST, one per hour
    routine_dew_f: np.ndarray
    cli_high: np.ndarray  # int64 per day
    cli_low: np.ndarray
    forecast_high: np.ndarray  # float per day: what the market expected at the open
    forecast_low: np.ndarray


def simulate(
    station: Station, year: int, rng: np.random.Generator, days_limit: int | None = None
) -> StationYear:
    """Simulate one station-year of whole-°F readings and the CLI extremes."""
    days = 366 if calendar.isleap(year) else 365
    days = min(days, days_limit) if days_limit else days
    n = days * STEPS_PER_DAY
    mean, seasonal_amp, diurnal_amp = CLIMATE.get(station.icao, (55.0, 15.0, 8.0))
    t_days = np.arange(n) / STEPS_PER_DAY
    hour = (np.arange(n) % STEPS_PER_DAY) / (STEPS_PER_DAY / 24)
    seasonal = mean - seasonal_amp * np.cos(2 * np.pi * (t_days - 20) / 365.25)
    diurnal_scale = diurnal_amp * (1 + 0.25 * rng.normal(size=days)).clip(0.3, 2.0)
    diurnal = np.repeat(diurnal_scale, STEPS_PER_DAY) * np.cos(2 * np.pi * (hour - 15) / 24)
    anomaly_daily = _smooth_noise(rng, days + 2, 4.5, 3)
    anomaly = np.interp(t_days, np.arange(-1, days + 1) + 0.5, anomaly_daily)
    temp = seasonal + diurnal + anomaly + _smooth_noise(rng, n, 0.7, 12)
    spread = 4 + 6 * np.abs(_smooth_noise(rng, n, 1.0, 288))
    temp_f_whole = _half_up(temp)
    dew_f_whole = _half_up(temp - spread)

    # Routine reports at hh:53 LST: between the :50 and :55 readings.
    idx50 = np.arange(days * 24) * 12 + 10
    routine = 0.4 * temp[idx50] + 0.6 * temp[idx50 + 1]
    routine_dew = 0.4 * (temp - spread)[idx50] + 0.6 * (temp - spread)[idx50 + 1]
    daily = temp_f_whole.reshape(days, STEPS_PER_DAY)
    routine_whole = _half_up(routine)
    daily_routine = routine_whole.reshape(days, 24)
    high = np.maximum(daily.max(axis=1), daily_routine.max(axis=1))
    low = np.minimum(daily.min(axis=1), daily_routine.min(axis=1))
    high = high + (rng.random(days) < 0.35)  # the official 2-minute peak between samples
    low = low - (rng.random(days) < 0.30)
    start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(hours=station.std_utc_offset_hours)
    return StationYear(
        station=station,
        year=year,
        days=days,
        day_start_utc=start,
        temp_f_whole=temp_f_whole,
        dew_f_whole=dew_f_whole,
        routine_temp_f=routine_whole,
        routine_dew_f=_half_up(routine_dew),
        cli_high=high.astype(np.int64),
        cli_low=low.astype(np.int64),
        forecast_high=high + rng.normal(0, 2.5, days),
        forecast_low=low + rng.normal(0, 2.5, days),
    )


# ---------------------------------------------------------------------------------------------
# IEM asos.py CSV (through DuckDB: vectorised string building and a fast CSV writer)


def _tenths_c(whole_f: np.ndarray) -> np.ndarray:
    """Tenths °C (as int, 311 = 31.1 °C) of a whole-°F reading, rounded half away from zero."""
    return _half_up((whole_f - 32) / 1.8 * 10)


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
    c_whole = _half_up((sy.temp_f_whole - 32) / 1.8)
    d_whole = _half_up((sy.dew_f_whole - 32) / 1.8)
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
            "t_whole": _half_up(t_tenths / 10),
            "d_whole": _half_up(d_tenths / 10),
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


# ---------------------------------------------------------------------------------------------
# Kalshi ladders and candles


@dataclass(frozen=True)
class Ladder:
    """One settled market of a day's ladder."""

    series_ticker: str
    event_ticker: str
    ticker: str
    contract: str
    day_index: int
    strike_type: str
    floor: int | None
    cap: int | None
    lower: float  # inclusive whole-°F bounds (inf for open tails)
    upper: float
    result: str


def _strike(value: float) -> str:
    return f"{value:g}"


def ladders(sy: StationYear) -> list[Ladder]:
    """Six markets per contract and day: ``less`` tail, four 2 °F bins, ``greater`` tail."""
    out = []
    for contract, series, finals, forecast in (
        ("HIGH", sy.station.high_series_ticker, sy.cli_high, sy.forecast_high),
        ("LOW", sy.station.low_series_ticker, sy.cli_low, sy.forecast_low),
    ):
        for d in range(sy.days):
            day = date(sy.year, 1, 1) + timedelta(days=d)
            event = f"{series}-{day:%y}{MONTHS[day.month - 1]}{day:%d}"
            centre = int(round(float(forecast[d])))
            final = int(finals[d])
            first = centre - 3
            specs: list[tuple[str, str, int | None, int | None, float, float]] = [
                (f"T{first}", "less", None, first, -math.inf, first - 1)
            ]
            for k in range(4):
                lo = first + 2 * k
                specs.append((f"B{lo + 0.5:g}", "between", lo, lo + 1, lo, lo + 1))
            top = first + 7
            specs.append((f"T{top}", "greater", top, None, top + 1, math.inf))
            for suffix, kind, floor, cap, lower, upper in specs:
                out.append(
                    Ladder(
                        series,
                        event,
                        f"{event}-{suffix}",
                        contract,
                        d,
                        kind,
                        floor,
                        cap,
                        lower,
                        upper,
                        "yes" if lower <= final <= upper else "no",
                    )
                )
    return out


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _dollars(value: float) -> str:
    return f"{value:.4f}"


def market_object(sy: StationYear, ladder: Ladder, final: int) -> dict[str, object]:
    """A settled market in the 2026 ``GET /markets`` shape."""
    day_start = sy.day_start_utc + timedelta(days=ladder.day_index)
    yes = ladder.result == "yes"
    what = "highest" if ladder.contract == "HIGH" else "lowest"
    bounds = {
        "between": f"between {ladder.floor}-{ladder.cap}°",
        "less": f"less than {ladder.cap}°",
        "greater": f"greater than {ladder.floor}°",
    }[ladder.strike_type]
    market: dict[str, object] = {
        "ticker": ladder.ticker,
        "event_ticker": ladder.event_ticker,
        "market_type": "binary",
        "title": f"Will the {what} temperature in {sy.station.city} be {bounds}?",
        "open_time": _iso(day_start - timedelta(hours=14)),
        "close_time": _iso(day_start + timedelta(days=1) - timedelta(minutes=1)),
        "expected_expiration_time": _iso(day_start + timedelta(days=1, hours=9)),
        "status": "finalized",
        "result": ladder.result,
        "strike_type": ladder.strike_type,
        "yes_bid_dollars": "0.0000",
        "yes_ask_dollars": "0.0000",
        "no_bid_dollars": "0.0000",
        "no_ask_dollars": "0.0000",
        "last_price_dollars": "0.9900" if yes else "0.0100",
        "volume_fp": "1500.00",
        "open_interest_fp": "0.00",
        "settlement_value_dollars": "1.0000" if yes else "0.0000",
        "settlement_ts": _iso(day_start + timedelta(days=1, hours=9)),
        "expiration_value": str(final),
        "rules_primary": (
            f"If the {what} temperature recorded at {sy.station.station_name} for the date "
            f"is {bounds}, as reported by the National Weather Service's Climatological Report "
            "(Daily), then the market resolves to Yes."
        ),
        "updated_time": _iso(day_start + timedelta(days=1, hours=9)),
    }
    if ladder.floor is not None:
        market["floor_strike"] = ladder.floor
    if ladder.cap is not None:
        market["cap_strike"] = ladder.cap
    return market


def write_markets(sy: StationYear, ladder_rows: list[Ladder], folder: Path) -> tuple[Path, int]:
    """Write the station-year's ladders as one ``GET /markets`` page per series (JSON list)."""
    folder.mkdir(parents=True, exist_ok=True)
    pages: dict[str, list[dict[str, object]]] = {}
    for ladder in ladder_rows:
        finals = sy.cli_high if ladder.contract == "HIGH" else sy.cli_low
        pages.setdefault(ladder.series_ticker, []).append(
            market_object(sy, ladder, int(finals[ladder.day_index]))
        )
    path = folder / f"markets_{sy.station.icao}_{sy.year}.json"
    body = [{"series_ticker": s, "markets": m, "cursor": ""} for s, m in pages.items()]
    path.write_text(json.dumps(body, separators=(",", ":")), encoding="utf-8")
    return path, len(ladder_rows)


def candle_bodies(
    sy: StationYear,
    ladder_rows: list[Ladder],
    config: GenerateConfig,
    rng: np.random.Generator,
) -> Iterator[dict[str, object]]:
    """Candlestick response bodies (1-minute bars), one per market in the candle period.

    The simulated market prices each bracket from a normal belief around a blend of the
    morning forecast and the final value that tightens through the day, plus quote noise.
    """
    if config.candle_days <= 0:
        return
    last_date = (
        date(config.last_year, 1, 1) + timedelta(days=config.days_per_year - 1)
        if config.days_per_year
        else date(config.last_year, 12, 31)
    )
    first_date = last_date - timedelta(days=config.candle_days - 1)
    first_day = (first_date - date(sy.year, 1, 1)).days
    if first_day >= sy.days:
        return
    minutes = np.arange(config.candle_step_minutes, 1441, config.candle_step_minutes)
    weight = (minutes / 1440.0) ** 1.5
    sd = 3.0 * (1 - weight) + 0.6
    for ladder in ladder_rows:
        if ladder.day_index < first_day:
            continue
        finals = sy.cli_high if ladder.contract == "HIGH" else sy.cli_low
        forecast = sy.forecast_high if ladder.contract == "HIGH" else sy.forecast_low
        mu = weight * finals[ladder.day_index] + (1 - weight) * forecast[ladder.day_index]
        upper = _norm_cdf((ladder.upper + 0.5 - mu) / sd) if math.isfinite(ladder.upper) else 1.0
        lower = _norm_cdf((ladder.lower - 0.5 - mu) / sd) if math.isfinite(ladder.lower) else 0.0
        fair = np.asarray(upper) - np.asarray(lower)
        mid = np.clip(fair + rng.normal(0, 0.03, minutes.size), 0.02, 0.98)
        spread = rng.integers(1, 5, minutes.size) / 100
        bid = np.clip(np.floor((mid - spread / 2) * 100) / 100, 0.01, 0.97)
        ask = np.clip(bid + spread, bid + 0.01, 0.99)
        day_start = sy.day_start_utc + timedelta(days=ladder.day_index)
        base = int(day_start.timestamp())
        candles = []
        for i, minute in enumerate(minutes):
            b, a = _dollars(bid[i]), _dollars(ask[i])
            candles.append(
                {
                    "end_period_ts": base + int(minute) * 60,
                    "yes_bid": {
                        "open_dollars": b,
                        "low_dollars": b,
                        "high_dollars": b,
                        "close_dollars": b,
                    },
                    "yes_ask": {
                        "open_dollars": a,
                        "low_dollars": a,
                        "high_dollars": a,
                        "close_dollars": a,
                    },
                    "price": {
                        "open_dollars": None,
                        "low_dollars": None,
                        "high_dollars": None,
                        "close_dollars": None,
                        "mean_dollars": None,
                        "previous_dollars": None,
                    },
                    "volume_fp": "0.00",
                    "open_interest_fp": "100.00",
                }
            )
        yield {
            "series_ticker": ladder.series_ticker,
            "ticker": ladder.ticker,
            "period_interval": 1,
            "candlesticks": candles,
        }


def write_candles(
    sy: StationYear,
    ladder_rows: list[Ladder],
    config: GenerateConfig,
    rng: np.random.Generator,
    folder: Path,
) -> tuple[Path, int]:
    """Write candlestick bodies as JSON lines; returns the path and the number of candles."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"candles_{sy.station.icao}_{sy.year}.jsonl"
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for body in candle_bodies(sy, ladder_rows, config, rng):
            count += len(body["candlesticks"])  # type: ignore[arg-type]
            handle.write(json.dumps(body, separators=(",", ":")))
            handle.write("\n")
    return path, count


def generate(config: GenerateConfig, out: Path = DEFAULT_OUT) -> GeneratedFiles:
    """Generate every file for ``config.station_years`` station-years under ``out``.

    Args:
        config: sizes and seed.
        out: the output folder (replaced file by file; other files are left alone).

    Returns:
        The files written and row counts per kind (``asos_hf``, ``asos_routine``, ``cli``,
        ``markets``, ``candles``).
    """
    files = GeneratedFiles()
    for index, (station, year) in enumerate(plan(config.station_years, config.last_year)):
        rng = np.random.default_rng([config.seed, index])
        sy = simulate(station, year, rng, config.days_per_year)
        for (path, rows), kind in zip(
            write_asos(sy, out / "asos", rng), ("asos_hf", "asos_routine"), strict=True
        ):
            files.asos.append(path)
            files.add_rows(kind, rows)
        path, rows = write_cli(sy, out / "cli")
        files.cli.append(path)
        files.add_rows("cli", rows)
        ladder_rows = ladders(sy)
        path, rows = write_markets(sy, ladder_rows, out / "kalshi")
        files.markets.append(path)
        files.add_rows("markets", rows)
        path, rows = write_candles(sy, ladder_rows, config, rng, out / "kalshi")
        files.candles.append(path)
        files.add_rows("candles", rows)
        log.info("generated %s %d", station.icao, year)
    return files


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.generate [--station-years N] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--station-years", type=int, default=GenerateConfig.station_years)
    parser.add_argument("--last-year", type=int, default=GenerateConfig.last_year)
    parser.add_argument("--candle-days", type=int, default=GenerateConfig.candle_days)
    parser.add_argument(
        "--candle-step-minutes", type=int, default=GenerateConfig.candle_step_minutes
    )
    parser.add_argument("--days-per-year", type=int, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    files = generate(
        GenerateConfig(
            station_years=args.station_years,
            last_year=args.last_year,
            candle_days=args.candle_days,
            candle_step_minutes=args.candle_step_minutes,
            days_per_year=args.days_per_year,
        ),
        args.out,
    )
    for kind, rows in sorted(files.rows.items()):
        log.info("%-13s %12s rows", kind, f"{rows:,}")


if __name__ == "__main__":  # pragma: no cover
    main()
