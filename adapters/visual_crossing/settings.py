"""Visual Crossing service constants: host, query shapes, politeness (no work at import)."""

from __future__ import annotations

import os

DEFAULT_BASE_URL = (
    "https://weather.visualcrossing.com/VisualCrossingWebServices/rest/services/timeline"
)
BASE_URL_ENV = "VISUAL_CROSSING_BASE_URL"
API_KEY_ENV = "VISUAL_CROSSING_API_KEY"
MAX_RECORDS_ENV = "VISUAL_CROSSING_MAX_RECORDS"
SECRETS_FILE = ".dlt/secrets.toml"
SECRETS_SECTION = ("sources", "visual_crossing")

# The free plan's daily allowance: a load spends at most this unless told otherwise.
DEFAULT_MAX_RECORDS = 1000
MIN_REQUEST_INTERVAL_SECONDS = 0.5
REQUEST_TIMEOUT_SECONDS = 60.0
MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 60.0
USER_AGENT = "kalshi-weather/0.1 (research)"

# Station-locked observations: one station, within a mile (weather.md §10).
OBS_MAX_DISTANCE_M = 1609
ELEMENTS = "datetime,datetimeEpoch,temp,tempmax,tempmin,dew,source,stations"
# Forecasts as issued on a basis date cover the basis day and this many days after it.
FORECAST_DAYS_AHEAD = 3


def base_url() -> str:
    """The Timeline base URL: ``VISUAL_CROSSING_BASE_URL`` if set (tests use a fake server)."""
    return os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL).rstrip("/")
