"""Simulated Kalshi trades and 1-minute candles of one market (wire-format objects)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from pipelines.sample.ladder import NO_ASK, NO_BID, JsonObject, LadderMarket, cents_text, count_text
from pipelines.sample.truth import DayTruth

# --------------------------------------------------------------------------------------------
# Simulation of one event


@dataclass
class Bar:
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


def trade_weights(minutes: np.ndarray) -> np.ndarray:
    weights = np.select(
        [minutes < 0, minutes < 420, minutes < 1320], [0.15, 0.35, 1.0], default=0.6
    )
    return weights / weights.sum()


def simulate_trade(
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
    bar_for: Callable[[int, int], Bar],
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


def candles_of(bars: dict[int, Bar], truth: DayTruth) -> list[JsonObject]:
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
