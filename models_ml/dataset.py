"""Warehouse rows -> feature frames (read-only), through ``models_ml.features``.

The contract checkpoints, observations and forecasts are read from a DuckDB file opened
``read_only=True``; the forecast features are null when ``int_forecast_checkpoints`` is absent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from domain.running_extreme import PUBLICATION_DELAY_MINUTES
from domain.stations import station_by_icao
from models_ml.features import (
    FEATURE_NAMES,
    ObservationSeries,
    checkpoint_features,
    extreme_is_tgroup,
)

logger = logging.getLogger(__name__)

FORECAST_TABLE = "int_forecast_checkpoints"
ROW_KEY = ("data_source", "station_icao", "contract_type", "climate_date", "checkpoint_minute")


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-only (raises when the file is missing)."""
    if not path.is_file():
        raise FileNotFoundError(f"no warehouse at {path}")
    return duckdb.connect(str(path), read_only=True)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [name]
    ).fetchone()
    return bool(found and found[0])


def load_checkpoints(
    con: duckdb.DuckDBPyConnection, step_minutes: int, require_delta: bool = True
) -> pd.DataFrame:
    """Contract checkpoints with a running extreme every ``step_minutes``, with the as-of forecast.

    Args:
        con: the read-only warehouse.
        step_minutes: keep checkpoints whose minute is a multiple of this (15 = all).
        require_delta: keep only rows whose final value (so delta) is known.

    Returns:
        One row per ``ROW_KEY`` with checkpoint_at, running_extreme_f(_precise), delta_f,
        season, sample_period, forecast_high_f, forecast_low_f.
    """
    forecast = "null::double as forecast_high_f, null::double as forecast_low_f"
    join = ""
    if _has_table(con, FORECAST_TABLE):
        forecast = "forecasts.forecast_high_f, forecasts.forecast_low_f"
        join = f"""
            left join (
                select data_source, station_icao, climate_date, checkpoint_at,
                    forecast_high_f, forecast_low_f
                from {FORECAST_TABLE}
                where published_at <= checkpoint_at
                qualify row_number() over (
                    partition by data_source, station_icao, climate_date, checkpoint_at
                    order by published_at desc, lead_days
                ) = 1
            ) as forecasts using (data_source, station_icao, climate_date, checkpoint_at)"""
    else:
        logger.warning("%s is absent: the forecast features are null", FORECAST_TABLE)
    sql = f"""
        select
            checkpoints.data_source, checkpoints.station_icao, checkpoints.contract_type,
            checkpoints.climate_date, checkpoints.checkpoint_minute, checkpoints.checkpoint_at,
            checkpoints.running_extreme_f, checkpoints.running_extreme_f_precise,
            checkpoints.delta_f, checkpoints.season, checkpoints.sample_period, {forecast}
        from int_gate_contract_checkpoints as checkpoints {join}
        where checkpoints.running_extreme_f is not null
            and (checkpoints.delta_f is not null or not ?)
            and checkpoints.checkpoint_minute % ? = 0
        order by all
    """
    return con.execute(sql, [require_delta, step_minutes]).df()


def load_series(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], ObservationSeries]:
    """Every station's readings by (data_source, station_icao)."""
    delays = ", ".join(
        f"({kind}, {minutes})" for kind, minutes in PUBLICATION_DELAY_MINUTES.items()
    )
    frame = con.execute(
        f"""
        select observations.data_source, observations.station_icao,
            epoch(observations.observed_at)::bigint as observed_epoch,
            epoch(observations.observed_at)::bigint + delays.minutes * 60 as available_epoch,
            observations.temp_f, observations.dewpoint_f,
            coalesce(observations.has_precise_temp, false) as is_tgroup
        from stg_iem__observations as observations
        inner join (values {delays}) as delays (report_type, minutes) using (report_type)
        """
    ).df()
    series = {}
    for (source, station), rows in frame.groupby(["data_source", "station_icao"]):
        series[(str(source), str(station))] = ObservationSeries.from_arrays(
            rows["available_epoch"].to_numpy(dtype=np.int64),
            rows["observed_epoch"].to_numpy(dtype=np.int64),
            rows["temp_f"].to_numpy(dtype=float, na_value=np.nan),
            rows["dewpoint_f"].to_numpy(dtype=float, na_value=np.nan),
            rows["is_tgroup"].to_numpy(dtype=bool),
        )
    return series


def _optional(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(str(value))


def build_features(
    checkpoints: pd.DataFrame,
    series: dict[tuple[str, str], ObservationSeries],
    advance: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """``checkpoints`` with one column per feature, computed row by row by the serving function.

    Args:
        checkpoints: rows of ``load_checkpoints``.
        series: readings of ``load_series``.
        advance: called with a row count as rows are done (a progress bar).

    Returns:
        ``checkpoints`` plus ``extreme_is_tgroup`` and ``FEATURE_NAMES``.
    """
    empty = ObservationSeries.from_arrays(
        np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, bool)
    )
    stations = {code: station_by_icao(code) for code in checkpoints["station_icao"].unique()}
    records = []
    for index, row in enumerate(checkpoints.itertuples(index=False)):
        station = stations[row.station_icao]
        readings = series.get((row.data_source, row.station_icao), empty)
        checkpoint_at = row.checkpoint_at.to_pydatetime()
        climate_date = (
            row.climate_date.date() if hasattr(row.climate_date, "date") else row.climate_date
        )
        is_tgroup = extreme_is_tgroup(
            readings, station, climate_date, checkpoint_at, row.contract_type
        )
        records.append(
            checkpoint_features(
                readings,
                station,
                climate_date,
                checkpoint_at,
                int(row.running_extreme_f),
                _optional(row.running_extreme_f_precise),
                is_tgroup,
                _optional(row.forecast_high_f),
                _optional(row.forecast_low_f),
            )
        )
        if advance is not None and index % 1000 == 999:
            advance(1000)
    features = pd.DataFrame.from_records(records, columns=list(FEATURE_NAMES))
    base = checkpoints.drop(columns=[c for c in FEATURE_NAMES if c in checkpoints.columns])
    return pd.concat([base.reset_index(drop=True), features], axis=1)


def load_features(
    path: Path,
    step_minutes: int,
    periods: tuple[str, ...] = ("train", "test"),
    require_delta: bool = True,
    advance: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Checkpoints with features from the warehouse at ``path`` (opened read-only).

    Args:
        path: the warehouse file.
        step_minutes: checkpoint spacing (15 = every checkpoint).
        periods: the gate sample periods to keep.
        require_delta: keep only rows with a known delta.
        advance: progress callback (rows done).

    Returns:
        The rows of ``build_features``.
    """
    con = connect(path)
    try:
        checkpoints = load_checkpoints(con, step_minutes, require_delta)
        checkpoints = checkpoints[checkpoints["sample_period"].isin(periods)]
        series = load_series(con)
    finally:
        con.close()
    return build_features(checkpoints, series, advance)


def load_market_checkpoints(path: Path, step_minutes: int) -> pd.DataFrame:
    """Bracket x checkpoint rows of ``int_gate_market_checkpoints`` (read-only)."""
    con = connect(path)
    try:
        return con.execute(
            """
            select data_source, station_icao, contract_type, climate_date, checkpoint_minute,
                market_ticker, sample_period, running_extreme_f,
                bracket_upper - running_extreme_f as delta_upper_f,
                bracket_lower - 1 - running_extreme_f as delta_below_f
            from int_gate_market_checkpoints
            where running_extreme_f is not null and checkpoint_minute % ? = 0
            """,
            [step_minutes],
        ).df()
    finally:
        con.close()


def load_empirical_pmf(path: Path, fit_period: str = "train") -> pd.DataFrame:
    """The smoothed empirical pmf (``int_extreme_delta_pmf``) of one fit period."""
    con = connect(path)
    try:
        return con.execute(
            """
            select data_source, station_icao, contract_type, checkpoint_minute, season,
                delta_f, smoothed_probability
            from int_extreme_delta_pmf
            where fit_period = ? and smoothed_probability is not null
            """,
            [fit_period],
        ).df()
    finally:
        con.close()
