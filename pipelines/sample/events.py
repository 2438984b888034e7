"""Simulation of one Kalshi event (station x contract x climate day): its markets, prices,
candles and trades, as the module docstring of ``pipelines.sample.kalshi`` describes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from domain.brackets import settles_yes
from domain.stations import Station
from domain.tickers import event_ticker
from pipelines.sample.bars import (
    Bar,
    CompactTrade,
    candles_of,
    simulate_trade,
    trade_object,
    trade_weights,
)
from pipelines.sample.climate_reports import cli_issues
from pipelines.sample.ladder import (
    CONTRACTS,
    NO_ASK,
    NO_BID,
    JsonObject,
    LadderMarket,
    bracket_probabilities,
    cents_text,
    count_text,
    iso_z,
    ladder,
    quote,
    series_for,
)
from pipelines.sample.profiles import MarketProfile, climate_profile, market_profile
from pipelines.sample.seeding import rng_for
from pipelines.sample.truth import MINUTES_PER_DAY, DayTruth, day_truth

EASTERN = ZoneInfo("America/New_York")
# Convergence weight g of the market's outlook, by hour relative to LST midnight of the day.
_G_HOURS = (-14.0, 0.0, 9.0, 15.0, 24.0)
_G_VALUES = (0.0, 0.25, 0.5, 0.75, 1.0)
_SIGMA_FLOOR = 0.6
_NOISE_PHI = 0.8


@dataclass
class SimulatedMarket:
    """One simulated market: the API object, its candles (if built) and trades."""

    ticker: str
    market: JsonObject
    candles: list[JsonObject]
    compact_trades: list[CompactTrade]

    @property
    def trades(self) -> list[JsonObject]:
        """The trades as API objects."""
        return [trade_object(trade) for trade in self.compact_trades]


@dataclass
class SimulatedEvent:
    """One simulated event (station x contract x climate date)."""

    series_ticker: str
    event: JsonObject
    markets: list[SimulatedMarket]
    settlement_value: int


def _g(hours: np.ndarray) -> np.ndarray:
    return np.interp(hours, _G_HOURS, _G_VALUES)


def _activity_rate(u: np.ndarray) -> np.ndarray:
    """Chance per minute of a belief update, by minutes after LST midnight of the day."""
    return np.select([u < 0, u < 360, u < 1260], [1 / 120.0, 1 / 45.0, 1 / 15.0], default=1 / 20.0)


def _rules(station: Station, contract: str, day: date, market: LadderMarket) -> str:
    word = "highest" if contract == "HIGH" else "lowest"
    low, high = market.bracket.lower, market.bracket.upper
    if low is None:
        condition = f"less than {market.cap_strike}°"
    elif high is None:
        condition = f"greater than {market.floor_strike}°"
    else:
        condition = f"between {low}-{high}°"
    return (
        f"If the {word} temperature recorded at {station.station_name}, {station.city} for "
        f"{day:%B} {day.day}, {day.year} as reported by the National Weather Service's "
        f"Climatological Report (Daily) ({station.cli_product}) is {condition}, then the market "
        f"resolves to Yes."
    )


_RULES_SECONDARY = (
    "Not all weather data is the same. The market settles on the final Daily Climate Report "
    "(CLI) the NWS issues for the named station; later revisions do not change the outcome. "
    "SIMULATED SAMPLE DATA: not a real Kalshi market."
)


def _simulate(
    station: Station,
    truth: DayTruth,
    contract: str,
    profile: MarketProfile,
    with_candles: bool = True,
) -> SimulatedEvent:
    day = truth.day
    series = series_for(station, contract)
    event = event_ticker(series, day)
    rng = rng_for("market", station.icao, day.isoformat(), contract)
    first_issue = cli_issues(station, truth)[0]
    value = first_issue.high_f if contract == "HIGH" else first_issue.low_f
    forecast = truth.forecast_high_f if contract == "HIGH" else truth.forecast_low_f
    ladder_markets = ladder(forecast)

    open_at = datetime.combine(day - timedelta(days=1), time(10), tzinfo=EASTERN).astimezone(UTC)
    close_at = truth.start_utc + timedelta(minutes=MINUTES_PER_DAY - 1)
    open_offset = int((open_at - truth.start_utc).total_seconds() // 60)  # negative
    minutes = np.arange(open_offset, MINUTES_PER_DAY - 1)  # u: minutes after LST midnight

    # No-quote periods: market makers arrive a while after the open; some nights they leave.
    gaps = [(open_offset, open_offset + int(rng.integers(15, 91)))]
    if rng.random() < 0.15:
        gap_start = int(rng.integers(60, 180))
        gaps.append((gap_start, gap_start + int(rng.integers(30, 121))))
    update = rng.random(len(minutes)) < _activity_rate(minutes)
    for start, end in gaps:
        update |= (minutes == start) | (minutes == end)
    u = minutes[update]

    # What the market knows at each update: the world as of v = u - lag.
    v = u - profile.lag_minutes
    whole = truth.whole2_f.astype(float)
    if contract == "HIGH":
        so_far = np.maximum.accumulate(whole)
        remaining = np.maximum.accumulate(whole[::-1])[::-1]
    else:
        so_far = np.minimum.accumulate(whole)
        remaining = np.minimum.accumulate(whole[::-1])[::-1]
    index = np.clip(v, 0, MINUTES_PER_DAY - 1)
    extreme_so_far = np.where(v >= 0, so_far[index], np.nan)
    rest = np.where(v >= 0, remaining[index], float(value))
    g = _g(v / 60.0)
    noise = np.empty(len(u))
    level = rng.standard_normal()
    shocks = rng.standard_normal(len(u))
    for i in range(len(u)):
        level = _NOISE_PHI * level + math.sqrt(1 - _NOISE_PHI**2) * shocks[i]
        noise[i] = level
    forecast_sd = climate_profile(station).forecast_sd
    mu = rest + (forecast - value) * (1.0 - g) + profile.belief_noise_sd * (2.0 - g) * noise
    sigma = forecast_sd * (1.0 - g) + _SIGMA_FLOOR
    fair = bracket_probabilities(contract, ladder_markets, extreme_so_far, mu, sigma)
    fair = np.clip(fair + rng.normal(0.0, 0.004, fair.shape), 0.0, 1.0)

    in_gap = np.zeros(len(u), dtype=bool)
    for start, end in gaps:
        in_gap |= (u >= start) & (u < end)

    # Trades: Poisson count per event, at active minutes, on markets weighted by uncertainty.
    n_markets = len(ladder_markets)
    expected_trades = profile.trades_per_market * n_markets
    n_trades = rng.poisson(expected_trades)
    # Plain Python lists: the trade loop reads them one element at a time.
    trade_minutes = np.sort(rng.choice(minutes, size=n_trades, p=trade_weights(minutes))).tolist()
    trade_market_draw = rng.random(n_trades).tolist()
    trade_side_draw = rng.random(n_trades).tolist()
    trade_counts = (
        np.minimum(np.maximum(1, np.floor(rng.lognormal(2.3, 1.0, n_trades))), 500)
        .astype(int)
        .tolist()
    )
    trade_seconds = rng.integers(0, 60_000_000, n_trades).tolist()  # microseconds in minute
    oi_draw = rng.random(n_trades).tolist()
    spread_low, spread_high = profile.spread_cents

    bids = [NO_BID] * n_markets
    asks = [NO_ASK] * n_markets
    quoted_p = [-1.0] * n_markets
    bars: list[dict[int, Bar]] = [{} for _ in range(n_markets)]
    trades: list[list[CompactTrade]] = [[] for _ in range(n_markets)]
    open_interest = [0] * n_markets
    volume = [0] * n_markets
    last_price: list[int | None] = [None] * n_markets
    fair_rows: list[list[float]] = fair.tolist()  # plain floats: the loop below is scalar
    gap_flags: list[bool] = in_gap.tolist()
    last_p = fair_rows[0] if fair_rows else [1.0 / n_markets] * n_markets

    scratch = Bar([0] * 4, [0] * 4)

    def bar_for(k: int, minute: int) -> Bar:
        if not with_candles:
            return scratch  # markets and trades need no bars: skip the bookkeeping
        bar = bars[k].get(minute)
        if bar is None:
            bar = Bar([bids[k]] * 4, [asks[k]] * 4, open_interest=open_interest[k])
            bars[k][minute] = bar
        return bar

    def set_quote(k: int, minute: int, bid: int, ask: int) -> None:
        bar = bar_for(k, minute)
        bids[k], asks[k] = bid, ask
        for values, new in ((bar.bid, bid), (bar.ask, ask)):
            values[1] = max(values[1], new)
            values[2] = min(values[2], new)
            values[3] = new

    def execute_trade(j: int) -> None:
        # Reads last_p at call time: the fair values of the latest belief update.
        simulate_trade(
            j,
            trade_minutes,
            trade_market_draw,
            trade_side_draw,
            trade_counts,
            trade_seconds,
            oi_draw,
            last_p,
            bids,
            asks,
            bar_for,
            open_interest,
            volume,
            last_price,
            trades,
            ladder_markets,
            event,
            truth,
            rng,
        )

    trade_i = 0
    for i, minute in enumerate(u.tolist()):
        # Trades that happened before this update hit the quotes then standing.
        while trade_i < len(trade_minutes) and trade_minutes[trade_i] < minute:
            execute_trade(trade_i)
            trade_i += 1
        row = fair_rows[i]
        last_p = row
        for k in range(n_markets):
            if gap_flags[i]:
                if bids[k] != NO_BID or asks[k] != NO_ASK:
                    set_quote(k, minute, NO_BID, NO_ASK)
                    quoted_p[k] = -1.0
                continue
            p = row[k]
            if quoted_p[k] >= 0 and abs(p - quoted_p[k]) * 100.0 < profile.requote_cents:
                continue
            spread = spread_low + round((spread_high - spread_low) * 4.0 * p * (1.0 - p))
            bid, ask = quote(p, spread)
            quoted_p[k] = p
            if (bid, ask) != (bids[k], asks[k]):
                set_quote(k, minute, bid, ask)
    while trade_i < len(trade_minutes):
        execute_trade(trade_i)
        trade_i += 1

    published = datetime.strptime(first_issue.product_id[:12], "%Y%m%d%H%M").replace(tzinfo=UTC)
    settled_at = published + timedelta(minutes=int(rng.integers(20, 76)))
    expected_expiration = datetime.combine(day + timedelta(days=1), time(10), tzinfo=EASTERN)
    simulated: list[SimulatedMarket] = []
    for k, spec in enumerate(ladder_markets):
        ticker = f"{event}-{spec.suffix}"
        result = (
            "yes"
            if settles_yes(value, spec.strike_type, spec.floor_strike, spec.cap_strike)
            else "no"
        )
        candles = candles_of(bars[k], truth) if with_candles else []
        final_bid, final_ask = bids[k], asks[k]
        market: JsonObject = {
            "ticker": ticker,
            "event_ticker": event,
            "market_type": "binary",
            "title": _event_title(station, contract, day),
            "subtitle": spec.subtitle,
            "yes_sub_title": spec.subtitle,
            "no_sub_title": spec.subtitle,
            "created_time": iso_z(open_at - timedelta(hours=1)),
            "open_time": iso_z(open_at),
            "close_time": iso_z(close_at),
            "expected_expiration_time": iso_z(expected_expiration),
            "expiration_time": iso_z(settled_at),
            "latest_expiration_time": iso_z(close_at + timedelta(days=7)),
            "settlement_timer_seconds": 3600,
            "status": "finalized",
            "result": result,
            "can_close_early": False,
            "expiration_value": str(value),
            "settlement_value_dollars": "1.0000" if result == "yes" else "0.0000",
            "settlement_ts": iso_z(settled_at),
            "notional_value_dollars": "1.0000",
            "yes_bid_dollars": cents_text(final_bid),
            "yes_ask_dollars": cents_text(final_ask),
            "no_bid_dollars": cents_text(100 - final_ask),
            "no_ask_dollars": cents_text(100 - final_bid),
            "last_price_dollars": cents_text(last_price[k] or 0),
            "previous_yes_bid_dollars": "0.0000",
            "previous_yes_ask_dollars": "0.0000",
            "previous_price_dollars": "0.0000",
            "volume_fp": count_text(volume[k]),
            "volume_24h_fp": count_text(volume[k]),
            "open_interest_fp": count_text(open_interest[k]),
            "liquidity_dollars": "0.0000",
            "strike_type": spec.strike_type,
            "rules_primary": _rules(station, contract, day, spec),
            "rules_secondary": _RULES_SECONDARY,
            "price_level_structure": "linear_cent",
            "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}],
            "response_price_units": "usd_cent",
            "tick_size": 1,
            "fractional_trading_enabled": False,
            "updated_time": iso_z(settled_at),
        }
        if spec.floor_strike is not None:
            market["floor_strike"] = spec.floor_strike
        if spec.cap_strike is not None:
            market["cap_strike"] = spec.cap_strike
        simulated.append(SimulatedMarket(ticker, market, candles, trades[k]))
    event_object = event_object_for(station, truth, contract)
    return SimulatedEvent(series, event_object, simulated, value)


def event_object_for(station: Station, truth: DayTruth, contract: str) -> JsonObject:
    """The ``GET /events`` object of one event (needs no market simulation)."""
    day = truth.day
    series = series_for(station, contract)
    close_at = truth.start_utc + timedelta(minutes=MINUTES_PER_DAY - 1)
    return {
        "event_ticker": event_ticker(series, day),
        "series_ticker": series,
        "title": _event_title(station, contract, day),
        "sub_title": f"On {day:%b} {day.day}, {day.year}",
        "category": "Climate and Weather",
        "mutually_exclusive": True,
        "strike_date": iso_z(close_at),
        "strike_period": "",
        "collateral_return_type": "MECNET",
    }


def _event_title(station: Station, contract: str, day: date) -> str:
    word = "Highest" if contract == "HIGH" else "Lowest"
    return f"{word} temperature in {station.city} on {day:%b} {day.day}, {day.year}?"


@lru_cache(maxsize=4)
def simulate_day(
    station: Station, day: date, with_candles: bool = True
) -> tuple[SimulatedEvent, ...]:
    """Both events (HIGH, LOW) of a station-day.

    Args:
        station: the station.
        day: the climate date.
        with_candles: build the candle objects (the costly part; markets and trades need none).
    """
    truth = day_truth(station, day)
    profile = market_profile(station)
    return tuple(
        _simulate(station, truth, contract, profile, with_candles) for contract in CONTRACTS
    )


class TradeStash:
    """Trades simulated by the markets stream, kept (compact) until the trades stream runs.

    The loader reads the streams one after another (markets, candles, trades); without the
    stash every stream would re-simulate. Entries are dropped once emitted, so the stash is at
    most the compact trades of the window (~20 MB for the full default sample).
    """

    def __init__(self) -> None:
        self._pending: dict[tuple[str, date], list[CompactTrade]] = {}

    def put(self, station: Station, day: date, events: Sequence[SimulatedEvent]) -> None:
        self._pending[(station.icao, day)] = [
            trade for event in events for market in event.markets for trade in market.compact_trades
        ]

    def take(self, station: Station, day: date) -> list[CompactTrade]:
        stashed = self._pending.pop((station.icao, day), None)
        if stashed is not None:
            return stashed
        events = simulate_day(station, day, with_candles=False)
        return [
            trade for event in events for market in event.markets for trade in market.compact_trades
        ]
