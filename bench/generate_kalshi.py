"""Kalshi files of a simulated station-year: settled ladders in the ``GET /markets`` shape and
1-minute candlestick bodies."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from bench.simulate import GenerateConfig, StationYear, norm_cdf
from domain.tickers import event_ticker


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
            event = event_ticker(series, day)
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
        upper = norm_cdf((ladder.upper + 0.5 - mu) / sd) if math.isfinite(ladder.upper) else 1.0
        lower = norm_cdf((ladder.lower - 0.5 - mu) / sd) if math.isfinite(ladder.lower) else 0.0
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
            candles = body["candlesticks"]
            assert isinstance(candles, list)
            count += len(candles)
            handle.write(json.dumps(body, separators=(",", ":")))
            handle.write("\n")
    return path, count
