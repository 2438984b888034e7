"""Kalshi API payloads handed to the loader: live responses, sample data and files alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

JsonObject = dict[str, Any]


@dataclass
class CandlePayload:
    """One candlestick object as the API returns it, with the context the object lacks."""

    series_ticker: str
    market_ticker: str
    period_minutes: int
    candle: JsonObject
    tier: str = "live"


@dataclass
class KalshiPayloads:
    """API objects in the real wire format (``*_dollars`` / ``*_fp`` strings or legacy cents).

    Attributes:
        data_source: ``real`` or ``simulated``.
        ingest_channel: ``http``, ``files`` or ``sample``.
        series: ``GET /series/{t}`` objects.
        events: ``GET /events`` objects (without nested markets).
        markets: (series_ticker, market object, tier) triples; the API's market has no series.
        candles: candlestick objects with their market context.
        trades: ``GET /markets/trades`` objects.
        orderbooks: (market_ticker, snapshot ISO time, ``GET /markets/{t}/orderbook`` body).
        location: where these came from (URL base or file), for rejects.
    """

    data_source: str
    ingest_channel: str
    location: str
    series: Iterable[JsonObject] = field(default_factory=list)
    events: Iterable[JsonObject] = field(default_factory=list)
    markets: Iterable[tuple[str, JsonObject, str]] = field(default_factory=list)
    candles: Iterable[CandlePayload] = field(default_factory=list)
    trades: Iterable[JsonObject] = field(default_factory=list)
    orderbooks: Iterable[tuple[str, str, JsonObject]] = field(default_factory=list)
