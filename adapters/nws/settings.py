"""api.weather.gov constants (no work at import).

NWS requires a ``User-Agent`` naming the application and a contact; requests without one are
refused (403). Set ``NWS_USER_AGENT`` to include the operator's e-mail in production.
"""

from __future__ import annotations

import os

DEFAULT_BASE_URL = "https://api.weather.gov"
BASE_URL_ENV = "NWS_BASE_URL"
USER_AGENT_ENV = "NWS_USER_AGENT"
DEFAULT_USER_AGENT = "kalshi-weather/0.1 (daily advisor; set NWS_USER_AGENT to add a contact)"

# The API accepts at most 4 decimals in /points (more answers a 301 to the rounded point).
POINT_DECIMALS = 4
ACCEPT = "application/geo+json"
REQUEST_TIMEOUT_SECONDS = 20.0
MAX_ATTEMPTS = 3
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 20.0
# No published limit; one request per second is polite for a once-a-day job.
MIN_REQUEST_INTERVAL_SECONDS = 1.0


def base_url() -> str:
    """The API root: ``NWS_BASE_URL`` if set (tests point it at a fake server)."""
    return os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL).rstrip("/")


def user_agent() -> str:
    """The ``User-Agent``: ``NWS_USER_AGENT`` if set, else a generic one."""
    return os.environ.get(USER_AGENT_ENV, "").strip() or DEFAULT_USER_AGENT
