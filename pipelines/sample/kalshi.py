"""Simulated Kalshi objects: series, events, 6-market ladders, 1-minute candles and trades.

All objects use the 2026 wire format (``*_dollars`` / ``*_fp`` strings, see
Kalshi's API documentation) and settle on the simulated CLI (first issuance) through
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

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from domain.stations import Station
from pipelines.kalshi.payloads import CandlePayload, KalshiPayloads
from pipelines.sample.bars import trade_object
from pipelines.sample.events import TradeStash, event_object_for, simulate_day
from pipelines.sample.ladder import CONTRACTS, JsonObject, series_for
from pipelines.sample.truth import day_truth
from pipelines.sample.weather import DATA_SOURCE, INGEST_CHANNEL

Progress = Callable[[], None]


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
    stations: Sequence[Station], days: Sequence[date], stash: TradeStash
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
    stations: Sequence[Station], days: Sequence[date], stash: TradeStash
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
    stash = TradeStash()
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
