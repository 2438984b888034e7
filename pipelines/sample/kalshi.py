"""Simulated Kalshi objects: series, events, 6-market ladders, 1-minute candles and trades.

All objects use the 2026 wire format (``*_dollars`` / ``*_fp`` strings, see
``/work/shared/reference/kalshi.md``) and settle on the simulated CLI (first issuance) through
``domain.brackets``.

How prices are made. For each event the market holds a belief about the settlement value V
(the CLI high or low) and prices each bracket as its probability. At an update minute ``u``
the market only knows the world as of ``v = u - lag`` (``MarketProfile.lag_minutes``):

* the running extreme so far, ``M(v)`` (for a high, V can no longer be below it);
* an outlook for the rest of the day centred on the true remaining extreme ``R(v)``, shifted
  by the day-ahead forecast error that fades as the day goes on (weight ``1 - g(v)``), plus
  AR(1) belief noise; its spread shrinks from the forecast error to ~0.6 °F.

For a high: P(V <= k) = 1[k >= M(v)] * Phi((k + 0.5 - mu) / sigma); a low mirrors it. So the
belief converges to the truth through the day, but lags the thermometer: after the day's
extreme is set, a lagging market keeps pricing brackets the observations have already ruled
out or locked in, until the lag has passed. Efficient stations (lag 5-10 min, little noise)
leave nothing an observation-driven strategy can use; lagging ones (1-2.5 h) sometimes do.

Quotes are re-posted only when fair value moved by ``requote_cents`` (quiet minutes produce
no candle, as in reality), with 1-6 cent spreads and no-quote periods (bid 0 / ask 1) after
the open and during occasional overnight gaps. Trades hit the bid or lift the ask.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from domain.brackets import Bracket, bracket_from_strikes, settles_yes
from domain.stations import Station
from pipelines.kalshi.payloads import CandlePayload, KalshiPayloads
from pipelines.sample.profiles import MarketProfile, climate_profile, market_profile
from pipelines.sample.seeding import rng_for
from pipelines.sample.truth import MINUTES_PER_DAY, DayTruth, day_truth, round_half_away
from pipelines.sample.weather import DATA_SOURCE, INGEST_CHANNEL, cli_issues

JsonObject = dict[str, Any]
Progress = Callable[[], None]

CONTRACTS = ("HIGH", "LOW")
LADDER_BINS = 4
EASTERN = ZoneInfo("America/New_York")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_SQRT2 = math.sqrt(2.0)
_NORMAL_CDF = np.vectorize(lambda x: 0.5 * (1.0 + math.erf(x / _SQRT2)), otypes=[float])
# Convergence weight g of the market's outlook, by hour relative to LST midnight of the day.
_G_HOURS = (-14.0, 0.0, 9.0, 15.0, 24.0)
_G_VALUES = (0.0, 0.25, 0.5, 0.75, 1.0)
_SIGMA_FLOOR = 0.6
_NOISE_PHI = 0.8
NO_BID, NO_ASK = 0, 100  # cents: an empty side of the book


# --------------------------------------------------------------------------------------------
# Formatting helpers (integers in, exact strings out)


def cents_text(cents: int) -> str:
    """Whole cents as a ``*_dollars`` string (``27`` -> ``"0.2700"``)."""
    return _CENTS_TEXT[cents]


_CENTS_TEXT = tuple(f"{cents // 100}.{cents % 100:02d}00" for cents in range(101))


def count_text(count: int) -> str:
    """A whole contract count as a ``*_fp`` string (``12`` -> ``"12.00"``)."""
    return f"{count}.00"


def iso_z(at: datetime) -> str:
    """``2025-03-02T05:59:00Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ticker_date(day: date) -> str:
    """``25MAR01`` (locale-independent)."""
    return f"{day:%y}{_MONTHS[day.month - 1]}{day:%d}"


def event_ticker(series_ticker: str, day: date) -> str:
    """``KXHIGHCHI-25MAR01``: the date is the climate date."""
    return f"{series_ticker}-{ticker_date(day)}"


def series_for(station: Station, contract: str) -> str:
    """The series ticker of a station's HIGH or LOW contract."""
    return station.high_series_ticker if contract == "HIGH" else station.low_series_ticker


# --------------------------------------------------------------------------------------------
# Ladder


@dataclass(frozen=True)
class LadderMarket:
    """One market of a ladder: ticker suffix, strikes and its bracket."""

    suffix: str
    strike_type: str
    floor_strike: int | None
    cap_strike: int | None
    bracket: Bracket

    @property
    def subtitle(self) -> str:
        """``72° to 73°``, ``71° or below``, ``80° or above``."""
        low, high = self.bracket.lower, self.bracket.upper
        if low is None:
            return f"{high}° or below"
        if high is None:
            return f"{low}° or above"
        return f"{low}° to {high}°"


def ladder(center_f: float) -> list[LadderMarket]:
    """Two tails and four 2 °F bins centred on a forecast (as in ``KXHIGHCHI-26JUN01``).

    ``L`` is the lowest bin's floor: ``T<L>`` (less: <= L-1), ``B<L+0.5>`` .. ``B<L+6.5>``,
    ``T<L+7>`` (greater: >= L+8).
    """
    low = int(round_half_away(np.array([center_f - 3.5]))[0])
    markets = [LadderMarket(f"T{low}", "less", None, low, bracket_from_strikes("less", None, low))]
    for index in range(LADDER_BINS):
        floor = low + 2 * index
        suffix = f"B{floor}.5"
        markets.append(
            LadderMarket(
                suffix,
                "between",
                floor,
                floor + 1,
                bracket_from_strikes("between", floor, floor + 1),
            )
        )
    top = low + 2 * LADDER_BINS - 1
    markets.append(
        LadderMarket(f"T{top}", "greater", top, None, bracket_from_strikes("greater", top, None))
    )
    return markets


# --------------------------------------------------------------------------------------------
# Belief and prices


def _bracket_probabilities(
    contract: str,
    markets: Sequence[LadderMarket],
    extreme_so_far: np.ndarray,
    mu: np.ndarray,
    sigma: np.ndarray,
) -> np.ndarray:
    """Probabilities (updates x markets) of each bracket under the market's belief.

    Args:
        contract: HIGH or LOW.
        markets: the ladder, ascending.
        extreme_so_far: running max (HIGH) / min (LOW) known to the market; NaN = none yet.
        mu: centre of the outlook for the rest-of-day extreme.
        sigma: its spread.
    """
    # Integer edges between brackets: P(V <= edge) for each edge.
    edges = np.array([m.bracket.upper for m in markets[:-1]], dtype=float)
    known = ~np.isnan(extreme_so_far)
    bound = np.where(known, extreme_so_far, np.nan)[:, None]
    if contract == "HIGH":
        cdf = _NORMAL_CDF((edges[None, :] + 0.5 - mu[:, None]) / sigma[:, None])
        # V = max(running max, rest of day): impossible below what was already observed.
        cdf = np.where(known[:, None] & (edges[None, :] < bound), 0.0, cdf)
    else:
        survival_next = _NORMAL_CDF((mu[:, None] - (edges[None, :] + 0.5)) / sigma[:, None])
        # V = min(running min, rest of day): certainly <= the running min.
        survival_next = np.where(known[:, None] & (edges[None, :] + 1 > bound), 0.0, survival_next)
        cdf = 1.0 - survival_next
    padded = np.concatenate((np.zeros((len(mu), 1)), cdf, np.ones((len(mu), 1))), axis=1)
    return np.clip(np.diff(padded, axis=1), 0.0, 1.0)


def _quote(p: float, spread: int) -> tuple[int, int]:
    """(bid, ask) in cents around fair value ``p``; 0 / 100 mark an empty side."""
    centre = p * 100.0
    bid = math.floor(centre - spread / 2.0)
    ask = bid + spread
    if bid < 1:
        bid, ask = NO_BID, max(ask, 1)
    if ask > 99:
        ask, bid = NO_ASK, min(bid, 99)
    return bid, ask


# --------------------------------------------------------------------------------------------
# Simulation of one event


@dataclass
class _Bar:
    """A 1-minute candle being built."""

    bid: list[int]  # open, high, low, close
    ask: list[int]
    prices: list[tuple[int, int]] = field(default_factory=list)  # (cents, count)
    open_interest: int = 0


# A trade kept compact until it is emitted: (trade_id, ticker, count, yes cents, taker, time).
CompactTrade = tuple[str, str, int, int, str, str]


def trade_object(trade: CompactTrade) -> JsonObject:
    """The ``GET /markets/trades`` object of a compact trade."""
    trade_id, ticker, count, price, taker, created = trade
    return {
        "trade_id": trade_id,
        "ticker": ticker,
        "count_fp": count_text(count),
        "yes_price_dollars": cents_text(price),
        "no_price_dollars": cents_text(100 - price),
        "taker_side": taker,
        "created_time": created,
    }


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
    fair = _bracket_probabilities(contract, ladder_markets, extreme_so_far, mu, sigma)
    fair = np.clip(fair + rng.normal(0.0, 0.004, fair.shape), 0.0, 1.0)

    in_gap = np.zeros(len(u), dtype=bool)
    for start, end in gaps:
        in_gap |= (u >= start) & (u < end)

    # Trades: Poisson count per event, at active minutes, on markets weighted by uncertainty.
    n_markets = len(ladder_markets)
    expected_trades = profile.trades_per_market * n_markets
    n_trades = rng.poisson(expected_trades)
    # Plain Python lists: the trade loop reads them one element at a time.
    trade_minutes = np.sort(rng.choice(minutes, size=n_trades, p=_trade_weights(minutes))).tolist()
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
    bars: list[dict[int, _Bar]] = [{} for _ in range(n_markets)]
    trades: list[list[CompactTrade]] = [[] for _ in range(n_markets)]
    open_interest = [0] * n_markets
    volume = [0] * n_markets
    last_price: list[int | None] = [None] * n_markets
    fair_rows: list[list[float]] = fair.tolist()  # plain floats: the loop below is scalar
    gap_flags: list[bool] = in_gap.tolist()
    last_p = fair_rows[0] if fair_rows else [1.0 / n_markets] * n_markets

    scratch = _Bar([0] * 4, [0] * 4)

    def bar_for(k: int, minute: int) -> _Bar:
        if not with_candles:
            return scratch  # markets and trades need no bars: skip the bookkeeping
        bar = bars[k].get(minute)
        if bar is None:
            bar = _Bar([bids[k]] * 4, [asks[k]] * 4, open_interest=open_interest[k])
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
        _trade(
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
            bid, ask = _quote(p, spread)
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
        candles = _candles(bars[k], truth) if with_candles else []
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


def _trade_weights(minutes: np.ndarray) -> np.ndarray:
    weights = np.select(
        [minutes < 0, minutes < 420, minutes < 1320], [0.15, 0.35, 1.0], default=0.6
    )
    return weights / weights.sum()


def _trade(
    i: int,
    trade_minutes: list[int],
    market_draw: list[float],
    side_draw: list[float],
    counts: list[int],
    micros: list[int],
    oi_draw: list[float],
    fair: list[float],
    bids: list[int],
    asks: list[int],
    bar_for: Callable[[int, int], _Bar],
    open_interest: list[int],
    volume: list[int],
    last_price: list[int | None],
    trades: list[list[CompactTrade]],
    ladder_markets: Sequence[LadderMarket],
    event: str,
    truth: DayTruth,
    rng: np.random.Generator,
) -> None:
    """Execute one taker trade against the standing quote (skipped if that side is empty)."""
    # Pick the market: busier where the outcome is uncertain.
    weights = [0.1 + p * (1.0 - p) for p in fair]
    target = float(market_draw[i]) * sum(weights)
    k = len(weights) - 1
    running = 0.0
    for index, weight in enumerate(weights):
        running += weight
        if target < running:
            k = index
            break
    minute = int(trade_minutes[i])
    taker = "yes" if side_draw[i] < 0.5 else "no"
    price = asks[k] if taker == "yes" else bids[k]
    if price in (NO_BID, NO_ASK):
        return
    count = int(counts[i])
    if open_interest[k] == 0 or oi_draw[i] < 0.65:
        open_interest[k] += count
    else:
        open_interest[k] -= min(count, open_interest[k])
    volume[k] += count
    bar = bar_for(k, minute)
    bar.prices.append((price, count))
    bar.open_interest = open_interest[k]
    last_price[k] = price
    created = truth.start_utc + timedelta(minutes=minute, microseconds=int(micros[i]))
    trade_id = uuid.UUID(bytes=rng.bytes(16), version=4)
    trades[k].append(
        (
            str(trade_id),
            f"{event}-{ladder_markets[k].suffix}",
            count,
            price,
            taker,
            created.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        )
    )


def _mean_text(prices: list[tuple[int, int]]) -> str:
    total = sum(count for _, count in prices)
    mean = Decimal(sum(cents * count for cents, count in prices)) / Decimal(total) / 100
    return format(mean.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), "f")


def _candles(bars: dict[int, _Bar], truth: DayTruth) -> list[JsonObject]:
    """Live-format 1-minute candles of the minutes where something happened (bar END stamps)."""
    start = int(truth.start_utc.timestamp())
    candles: list[JsonObject] = []
    previous: int | None = None
    for minute in sorted(bars):
        bar = bars[minute]
        price: JsonObject = {
            "open_dollars": None,
            "low_dollars": None,
            "high_dollars": None,
            "close_dollars": None,
            "mean_dollars": None,
            "previous_dollars": cents_text(previous) if previous is not None else None,
        }
        traded = sum(count for _, count in bar.prices)
        if bar.prices:
            cents = [c for c, _ in bar.prices]
            price.update(
                open_dollars=cents_text(cents[0]),
                low_dollars=cents_text(min(cents)),
                high_dollars=cents_text(max(cents)),
                close_dollars=cents_text(cents[-1]),
                mean_dollars=_mean_text(bar.prices),
            )
            previous = cents[-1]
        candles.append(
            {
                "end_period_ts": start + (minute + 1) * 60,
                "yes_bid": {
                    "open_dollars": cents_text(bar.bid[0]),
                    "low_dollars": cents_text(bar.bid[2]),
                    "high_dollars": cents_text(bar.bid[1]),
                    "close_dollars": cents_text(bar.bid[3]),
                },
                "yes_ask": {
                    "open_dollars": cents_text(bar.ask[0]),
                    "low_dollars": cents_text(bar.ask[2]),
                    "high_dollars": cents_text(bar.ask[1]),
                    "close_dollars": cents_text(bar.ask[3]),
                },
                "price": price,
                "volume_fp": count_text(traded),
                "open_interest_fp": count_text(bar.open_interest),
            }
        )
    return candles


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


class _TradeStash:
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


# --------------------------------------------------------------------------------------------
# Payload streams


def series_objects(stations: Sequence[Station]) -> list[JsonObject]:
    """``GET /series/{t}`` objects for every station's high and low series."""
    objects = []
    for station in stations:
        for contract in CONTRACTS:
            ticker = series_for(station, contract)
            word = "Highest" if contract == "HIGH" else "Lowest"
            objects.append(
                {
                    "ticker": ticker,
                    "frequency": "daily",
                    "title": f"{word} temperature in {station.city}",
                    "category": "Climate and Weather",
                    "tags": ["Daily temperature"],
                    "settlement_sources": [
                        {
                            "name": (
                                f"National Weather Service Daily Climate Report "
                                f"({station.cli_product})"
                            ),
                            "url": (
                                "https://forecast.weather.gov/product.php?site="
                                f"{station.wfo}&product=CLI&issuedby={station.cli_product[3:]}"
                            ),
                        }
                    ],
                    "contract_terms_url": (
                        "https://kalshi-public-docs.s3.amazonaws.com/contract_terms/"
                        f"{station.legacy_high_series_ticker}.pdf"
                    ),
                    "contract_url": f"simulated://kalshi.com/markets/{ticker.lower()}",
                    # Kalshi sends fee_multiplier as a JSON number (OpenAPI: number).
                    "fee_type": "quadratic",
                    "fee_multiplier": 1,
                }
            )
    return objects


def _station_days(
    stations: Sequence[Station], days: Sequence[date]
) -> Iterator[tuple[Station, date]]:
    for station in stations:
        for day in days:
            yield station, day


def _events(stations: Sequence[Station], days: Sequence[date]) -> Iterator[JsonObject]:
    for station, day in _station_days(stations, days):
        truth = day_truth(station, day)
        for contract in CONTRACTS:
            yield event_object_for(station, truth, contract)


def _markets(
    stations: Sequence[Station], days: Sequence[date], stash: _TradeStash
) -> Iterator[tuple[str, JsonObject, str]]:
    for station, day in _station_days(stations, days):
        events = simulate_day(station, day, with_candles=False)
        stash.put(station, day, events)
        for simulated in events:
            for market in simulated.markets:
                yield simulated.series_ticker, market.market, "live"


def _candle_payloads(
    stations: Sequence[Station], days: Sequence[date], progress: Progress | None
) -> Iterator[CandlePayload]:
    for station, day in _station_days(stations, days):
        for simulated in simulate_day(station, day):
            for market in simulated.markets:
                for candle in market.candles:
                    yield CandlePayload(simulated.series_ticker, market.ticker, 1, candle, "live")
        if progress is not None:
            progress()


def _trades(
    stations: Sequence[Station], days: Sequence[date], stash: _TradeStash
) -> Iterator[JsonObject]:
    for station, day in _station_days(stations, days):
        for trade in stash.take(station, day):
            yield trade_object(trade)


class _Replayable:
    """An iterable that restarts its generator on every ``iter()`` (loaders may pass twice)."""

    def __init__(self, factory: Callable[[], Iterator[Any]]) -> None:
        self._factory = factory

    def __iter__(self) -> Iterator[Any]:
        return self._factory()


def kalshi_payloads(
    stations: Sequence[Station], days: Sequence[date], progress: Progress | None = None
) -> KalshiPayloads:
    """All simulated Kalshi objects for the stations and days, as lazy streams.

    Args:
        stations: stations to simulate.
        days: consecutive climate dates.
        progress: called once per station-day as the candle stream is generated.

    Returns:
        Payloads labelled ``simulated`` / ``sample``.
    """
    stations, days = list(stations), list(days)
    stash = _TradeStash()
    return KalshiPayloads(
        data_source=DATA_SOURCE,
        ingest_channel=INGEST_CHANNEL,
        location="simulated://api.elections.kalshi.com/trade-api/v2",
        series=series_objects(stations),
        events=_Replayable(lambda: _events(stations, days)),
        markets=_Replayable(lambda: _markets(stations, days, stash)),
        candles=_Replayable(lambda: _candle_payloads(stations, days, progress)),
        trades=_Replayable(lambda: _trades(stations, days, stash)),
    )


__all__ = [
    "CONTRACTS",
    "SimulatedEvent",
    "SimulatedMarket",
    "event_ticker",
    "kalshi_payloads",
    "ladder",
    "series_objects",
    "simulate_day",
]
