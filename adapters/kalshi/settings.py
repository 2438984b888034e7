"""Kalshi API constants: hosts, credential names, request limits (no work at import time)."""

from __future__ import annotations

import os
from pathlib import Path

PROD_BASE_URL = "https://external-api.kalshi.com/trade-api/v2"
DEMO_BASE_URL = "https://external-api.demo.kalshi.co/trade-api/v2"
BASE_URL_ENV = "KALSHI_BASE_URL"

API_KEY_ID_ENV = "KALSHI_API_KEY_ID"
PRIVATE_KEY_PATH_ENV = "KALSHI_PRIVATE_KEY_PATH"
# The dlt secrets file (read as plain TOML) and the table holding the Kalshi keys.
SECRETS_FILE = Path(".dlt") / "secrets.toml"
SECRETS_TABLE = ("sources", "kalshi")

# Basic tier: 200 read tokens/s at 10 tokens per request = 20 reads/s (docs/kalshi: rate limits).
DEFAULT_RATE_LIMIT_PER_S = 20.0
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_RETRIES = 6
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
# 429 carries no Retry-After; any 5xx may be transient.
RETRY_STATUSES = frozenset({429, *range(500, 600)})

# Page-size ceilings per endpoint.
MARKETS_PAGE_LIMIT = 1000
EVENTS_PAGE_LIMIT = 200
TRADES_PAGE_LIMIT = 1000
HISTORICAL_PAGE_LIMIT = 1000
# A runaway guard: no listing we make needs more pages than this.
MAX_PAGES = 10_000
# The candlesticks endpoint returns at most this many candles per request.
MAX_CANDLES_PER_REQUEST = 5000


def base_url() -> str:
    """The REST base URL: ``KALSHI_BASE_URL`` if set, else production.

    Returns:
        The base URL without a trailing slash.
    """
    return os.environ.get(BASE_URL_ENV, PROD_BASE_URL).rstrip("/")
