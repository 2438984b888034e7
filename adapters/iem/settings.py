"""IEM service constants: host, endpoints, politeness and request shapes (no work at import)."""

from __future__ import annotations

import os

DEFAULT_BASE_URL = "https://mesonet.agron.iastate.edu"
BASE_URL_ENV = "IEM_BASE_URL"

ASOS_PATH = "/cgi-bin/request/asos.py"
CLI_PATH = "/json/cli.py"
CF6_PATH = "/json/cf6.py"

# IEM asks for at most one request per second per IP.
MIN_REQUEST_INTERVAL_SECONDS = 1.0
REQUEST_TIMEOUT_SECONDS = 60.0
MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 60.0
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "kalshi-weather/0.1 (research; polite 1 req/s)"

# asos.py: one station per request, at most this many days (IEM allows 1,000 station-years;
# smaller chunks keep a failed request cheap to retry and responses a few MB at most).
ASOS_CHUNK_DAYS = 92
ASOS_FIELDS = ("tmpf", "dwpf", "metar")
# Requested separately so each response's report type is known (1 = HF 5-min, 3 = routine,
# 4 = special).
ASOS_REPORT_TYPES = ("1", "3", "4")


def base_url() -> str:
    """The IEM base URL: ``IEM_BASE_URL`` if set (tests point it at a fake server)."""
    return os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL).rstrip("/")
