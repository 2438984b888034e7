"""The peers' way: a straightforward pandas loop over every station-day computing
``fct_accuracy_by_window``, for the benchmark to time against the dbt marts.

Same definition as the mart (dbt_project/models/marts/gate/fct_accuracy_by_window.sql and its
parents): for every station, contract (HIGH/LOW), climate day and 15-minute checkpoint of local
standard time, the running extreme of the whole-°F readings *available* by the checkpoint
(observed_at + publication delay per report type); the day counts if that day's ladder settled
exactly one market YES; it is correct if the ladder bracket holding the running extreme is that
market. Counts are then summed per checkpoint x period (all / season / month) x buffer (the
bracket's headroom in the direction of travel must be at least the buffer; buffer 0 takes
every day).

The loop is written the way a notebook would: group by station-day, then for each checkpoint
filter the day's observations and take the max/min, then look the bracket up in the day's
ladder. The inputs are the raw tables the loaders wrote (read once, timed apart).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml

from domain.brackets import BracketError, bracket_from_strikes
from domain.stations import load_stations, station_by_series
from domain.tickers import TickerError, parse_ticker

log = logging.getLogger(__name__)

CHECKPOINTS = range(15, 1441, 15)
_VARS = yaml.safe_load((Path(__file__).resolve().parent.parent / "dbt_project.yml").read_text())[
    "vars"
]
# the same dbt vars the mart reads
BUFFERS = tuple(int(b) for b in _VARS["gate_buffers_f"])
PUBLICATION_DELAY_MINUTES = {
    int(kind): int(minutes) for kind, minutes in _VARS["obs_publication_delay_minutes"].items()
}
KEY = ["data_source", "station_icao", "contract_type", "checkpoint_minute"]
OUTPUT_KEY = [*KEY, "period_type", "period_value", "buffer_f"]
COMPARED = ["day_count", "correct_day_count", "eligible_day_count", "cli_day_count", "accuracy"]


@dataclass
class Inputs:
    """The raw rows the baseline reads."""

    observations: pd.DataFrame
    cli: pd.DataFrame
    markets: pd.DataFrame

    @property
    def rows(self) -> int:
        """Rows read in all."""
        return len(self.observations) + len(self.cli) + len(self.markets)


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description or []]
    return pd.DataFrame(cursor.fetchall(), columns=names)


def load_inputs(con: duckdb.DuckDBPyConnection) -> Inputs:
    """Read the raw observation, CLI and market rows (finished dlt loads only)."""
    finished = "_dlt_load_id in (select load_id from {schema}._dlt_loads where status = 0)"
    observations = con.execute(
        "select data_source, station, valid_at, report_type, temp_f_reported, "
        "cast(temp_c_tenths as double) as temp_c_tenths, temp_c_whole, is_correction, "
        "cast(_dlt_load_id as double) as load_order, revision, revision_id "
        f"from raw_iem.asos_observations where {finished.format(schema='raw_iem')}"
    ).df()
    # The latest revision of each report wins, as in stg_iem__observations: a COR first, then
    # the later load, then the later line.
    key = ["data_source", "station", "valid_at", "report_type"]
    observations = (
        observations.sort_values([*key, "is_correction", "load_order", "revision", "revision_id"])
        .drop_duplicates(key, keep="last")
        .drop(columns=["is_correction", "load_order", "revision", "revision_id"])
    )
    cli = frame(
        con,
        "select data_source, station, climate_date, product_id, published_at, high_f, low_f "
        f"from raw_iem.cli_reports where {finished.format(schema='raw_iem')}",
    )
    markets = frame(
        con,
        "select data_source, market_ticker, series_ticker, strike_type, floor_strike, "
        f"cap_strike, result from raw_kalshi.markets where {finished.format(schema='raw_kalshi')}",
    )
    return Inputs(observations, cli, markets)


def _season(month: int) -> str:
    if month in (12, 1, 2):
        return "DJF"
    if month in (3, 4, 5):
        return "MAM"
    if month in (6, 7, 8):
        return "JJA"
    return "SON"


def _prepare_observations(raw: pd.DataFrame) -> pd.DataFrame:
    offsets = {s.icao: s.std_utc_offset_hours for s in load_stations()}
    obs = raw[raw["station"].isin(offsets)].copy()
    observed = pd.to_datetime(obs["valid_at"], utc=True)
    tenths_f = obs["temp_c_tenths"] * 1.8 + 32
    temp_f = tenths_f.fillna(obs["temp_f_reported"]).fillna(obs["temp_c_whole"] * 1.8 + 32)
    obs = obs[temp_f.notna()].copy()
    temp_f, tenths_f, observed = temp_f[obs.index], tenths_f[obs.index], observed[obs.index]
    # whole °F half away from zero, from the exact tenths when present
    best = tenths_f.fillna(temp_f)
    obs["temp_f_whole"] = (np.sign(best) * np.floor(np.abs(best) + 0.5)).astype("int64")
    delay = obs["report_type"].map(PUBLICATION_DELAY_MINUTES)
    obs["available_at"] = observed + pd.to_timedelta(delay, unit="min")
    local = observed.dt.tz_localize(None) + pd.to_timedelta(obs["station"].map(offsets), unit="h")
    obs["climate_date"] = local.dt.date
    obs["station_icao"] = obs["station"]
    return obs[["data_source", "station_icao", "climate_date", "available_at", "temp_f_whole"]]


def _prepare_cli(raw: pd.DataFrame) -> dict[tuple[str, str, object], tuple[object, object]]:
    latest = raw.sort_values(["published_at", "product_id"]).drop_duplicates(
        ["data_source", "station", "climate_date"], keep="last"
    )
    return {
        (r.data_source, r.station, r.climate_date): (r.high_f, r.low_f)
        for r in latest.itertuples(index=False)
    }


def _prepare_ladders(raw: pd.DataFrame) -> dict[tuple[str, str, str, object], pd.DataFrame]:
    rows = []
    for m in raw.itertuples(index=False):
        try:
            station, contract = station_by_series(str(m.series_ticker))
            day = parse_ticker(str(m.market_ticker)).climate_date
            bracket = bracket_from_strikes(str(m.strike_type), m.floor_strike, m.cap_strike)
        except (KeyError, TickerError, BracketError):
            continue
        if bracket.lower is None and bracket.upper is None:
            continue
        rows.append(
            (
                m.data_source,
                station.icao,
                contract,
                day,
                m.market_ticker,
                bracket.lower,
                bracket.upper,
                m.result,
            )
        )
    ladders = pd.DataFrame(
        rows,
        columns=[
            "data_source",
            "station_icao",
            "contract_type",
            "climate_date",
            "market_ticker",
            "lower",
            "upper",
            "result",
        ],
    ).sort_values("market_ticker")
    return {
        key: group.reset_index(drop=True)
        for key, group in ladders.groupby(
            ["data_source", "station_icao", "contract_type", "climate_date"], sort=False
        )
    }


def _bracket_of(ladder: pd.DataFrame, value: int, contract: str) -> tuple[str | None, int]:
    """The first (by ticker) bracket holding ``value``, and its headroom capped at the largest
    buffer: degrees the running extreme can still move inside it (HIGH up to the upper edge,
    LOW down to the lower edge); the cap when open-ended that way; -1 when no bracket holds it.
    """
    inside = ladder[
        (ladder["lower"].isna() | (ladder["lower"] <= value))
        & (ladder["upper"].isna() | (ladder["upper"] >= value))
    ]
    if inside.empty:
        return None, -1
    row = inside.iloc[0]
    edge = row["upper"] if contract == "HIGH" else row["lower"]
    if pd.isna(edge):
        return str(row["market_ticker"]), max(BUFFERS)
    room = int(edge - value) if contract == "HIGH" else int(value - edge)
    return str(row["market_ticker"]), min(room, max(BUFFERS))


DayKey = tuple[str, str, object]


def station_days(inputs: Inputs) -> list[DayKey]:
    """Every (data_source, station, climate date) with observations, sorted."""
    obs = _prepare_observations(inputs.observations)
    keys = obs[["data_source", "station_icao", "climate_date"]].drop_duplicates()
    return sorted(keys.itertuples(index=False, name=None))


def day_records(inputs: Inputs, only: set[DayKey] | None = None) -> pd.DataFrame:
    """The per station x contract x day x checkpoint loop: one record per running extreme.

    Args:
        inputs: the raw rows.
        only: restrict the loop to these station-days (the benchmark samples at large scale).

    Returns:
        One row per station, contract, climate date and checkpoint with a running extreme.
    """
    offsets = {s.icao: s.std_utc_offset_hours for s in load_stations()}
    obs = _prepare_observations(inputs.observations)
    cli = _prepare_cli(inputs.cli)
    ladders = _prepare_ladders(inputs.markets)
    empty = pd.DataFrame(columns=["market_ticker", "lower", "upper", "result"])
    records = []
    for (source, station, day), day_obs in obs.groupby(
        ["data_source", "station_icao", "climate_date"], sort=True
    ):
        if only is not None and (source, station, day) not in only:
            continue
        day_start = pd.Timestamp(
            datetime.combine(day, datetime.min.time()) - timedelta(hours=offsets[station]),
            tz="UTC",
        )
        high, low = cli.get((source, station, day), (None, None))
        for contract, final in (("HIGH", high), ("LOW", low)):
            ladder = ladders.get((source, station, contract, day), empty)
            yes = ladder[ladder["result"] == "yes"]
            settled = len(yes) == 1
            yes_ticker = yes["market_ticker"].iloc[0] if settled else None
            for checkpoint in CHECKPOINTS:
                checkpoint_at = day_start + pd.Timedelta(minutes=checkpoint)
                available = day_obs[day_obs["available_at"] <= checkpoint_at]
                if available.empty:
                    continue
                if contract == "HIGH":
                    running = int(available["temp_f_whole"].max())
                else:
                    running = int(available["temp_f_whole"].min())
                ticker, headroom = _bracket_of(ladder, running, contract)
                records.append(
                    (
                        source,
                        station,
                        contract,
                        checkpoint,
                        day,
                        day.month,
                        running,
                        headroom,
                        settled,
                        settled and ticker == yes_ticker,
                        pd.notna(final),
                        pd.notna(final) and int(str(final)) == running,
                    )
                )
    return pd.DataFrame(
        records,
        columns=[
            *KEY,
            "climate_date",
            "climate_month",
            "running_extreme_f",
            "headroom_capped_f",
            "has_settled_ladder",
            "is_correct",
            "has_cli",
            "running_equals_final",
        ],
    )


def aggregate(records: pd.DataFrame) -> pd.DataFrame:
    """Sum the day records per checkpoint x period x buffer, as the mart does."""
    periods = []
    for period_type in ("all", "season", "month"):
        part = records.copy()
        part["period_type"] = period_type
        if period_type == "all":
            part["period_value"] = "all"
        elif period_type == "season":
            part["period_value"] = part["climate_month"].map(_season)
        else:
            part["period_value"] = part["climate_month"].map(lambda m: f"{m:02d}")
        periods.append(part)
    expanded = pd.concat(periods, ignore_index=True)
    outputs = []
    for buffer in BUFFERS:
        part = expanded.copy()
        counted = part["has_settled_ladder"] & (
            (part["headroom_capped_f"] >= buffer) | (buffer == 0)
        )
        part["day_count"] = counted
        part["correct_day_count"] = counted & part["is_correct"]
        part["eligible_day_count"] = part["has_settled_ladder"]
        part["cli_day_count"] = part["has_cli"]
        summed = (
            part.groupby([*KEY, "period_type", "period_value"], sort=False)[
                ["day_count", "correct_day_count", "eligible_day_count", "cli_day_count"]
            ]
            .sum()
            .reset_index()
        )
        summed["buffer_f"] = buffer
        outputs.append(summed)
    out = pd.concat(outputs, ignore_index=True)
    for column in ("day_count", "correct_day_count", "eligible_day_count", "cli_day_count"):
        out[column] = out[column].astype("int64")
    out["accuracy"] = np.where(
        out["day_count"] > 0,
        out["correct_day_count"] / out["day_count"].where(out["day_count"] > 0),
        np.nan,
    )
    return out[[*OUTPUT_KEY, *COMPARED]]


def accuracy_by_window(inputs: Inputs) -> pd.DataFrame:
    """The whole baseline: the loop, then the sums."""
    return aggregate(day_records(inputs))
