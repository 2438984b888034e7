"""Constants for the Kalshi source: hosts, paging limits, rate limits, series of interest."""

from __future__ import annotations

import os

PROD_BASE_URL = "https://external-api.kalshi.com/trade-api/v2"
DEMO_BASE_URL = "https://external-api.demo.kalshi.co/trade-api/v2"
BASE_URL_ENV = "KALSHI_BASE_URL"

API_KEY_ID_ENV = "KALSHI_API_KEY_ID"
PRIVATE_KEY_PATH_ENV = "KALSHI_PRIVATE_KEY_PATH"

# Basic tier: 200 read tokens/s at 10 tokens per request = 20 reads/s (reference §8).
DEFAULT_RATE_LIMIT_PER_S = 20.0
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_RETRIES = 6
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0

# Page-size ceilings per endpoint (reference §4).
MARKETS_PAGE_LIMIT = 1000
EVENTS_PAGE_LIMIT = 200
TRADES_PAGE_LIMIT = 1000
HISTORICAL_PAGE_LIMIT = 1000
# A runaway guard: no listing we make needs more pages than this.
MAX_PAGES = 10_000

# Candle intervals we load (minutes); the live endpoint also offers 1440.
CANDLE_PERIODS = (1, 60)
# The candlesticks endpoint returns at most this many candles per request.
MAX_CANDLES_PER_REQUEST = 5000

# Row batch size handed to dlt (lists of rows are much faster than single rows).
BATCH_ROWS = 20_000


def base_url() -> str:
    """The REST base URL: ``KALSHI_BASE_URL`` if set, else production.

    Returns:
        The base URL without a trailing slash.
    """
    return os.environ.get(BASE_URL_ENV, PROD_BASE_URL).rstrip("/")
