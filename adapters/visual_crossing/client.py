"""HTTP access to the Visual Crossing Timeline API: paced, retried, budgeted, key redacted.

The API key travels as a query parameter, so every URL this module logs or puts in an error
passes through :func:`redact` first, and a logging filter scrubs the key from httpx's own
request lines and from the retry loop's warnings.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import httpx

from adapters.pacing import TokenBucket
from adapters.retry import RequestError, RetryPolicy, send_with_retries
from adapters.visual_crossing import settings
from domain.stations import Station

log = logging.getLogger(__name__)

_KEY_PARAM = re.compile(r"(key=)[^&\s\"']+")
# Loggers whose records may quote a request URL.
_URL_LOGGERS = ("httpx", "httpcore", "adapters.retry")


class VcRequestError(RequestError):
    """A request failed after every retry; the message names the URL with the key redacted."""


class MissingApiKeyError(RuntimeError):
    """No API key in ``VISUAL_CROSSING_API_KEY`` or ``.dlt/secrets.toml``."""


class BudgetExhaustedError(RuntimeError):
    """The next request would spend more records than the budget has left."""


def redact(text: str, key: str | None = None) -> str:
    """``text`` with every ``key=...`` query value (and the key itself, anywhere) hidden."""
    text = _KEY_PARAM.sub(r"\1***", text)
    return text.replace(key, "***") if key else text


class _KeyFilter(logging.Filter):
    """Rewrites a record's message with the key hidden (installed on the URL loggers)."""

    def __init__(self, key: str) -> None:
        super().__init__("visual_crossing_key")
        self.key = key

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.key in message or "key=" in message:
            record.msg, record.args = redact(message, self.key), None
        return True


def _install_key_filter(key: str) -> None:
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _KeyFilter) and f.key == key for f in logger.filters):
            logger.addFilter(_KeyFilter(key))


def api_key(secrets_file: Path | None = None) -> str:
    """The API key: ``VISUAL_CROSSING_API_KEY``, else ``[sources.visual_crossing] api_key`` of
    ``.dlt/secrets.toml``.

    Raises:
        MissingApiKeyError: neither holds a key (the message says where to put one).
    """
    key = os.environ.get(settings.API_KEY_ENV, "").strip()
    if key:
        return key
    path = secrets_file or Path(settings.SECRETS_FILE)
    if path.is_file():
        with path.open("rb") as handle:
            section: object = tomllib.load(handle)
        for part in settings.SECRETS_SECTION:
            section = section.get(part, {}) if isinstance(section, dict) else {}
        if isinstance(section, dict) and str(section.get("api_key", "")).strip():
            return str(section["api_key"]).strip()
    raise MissingApiKeyError(
        f"no Visual Crossing API key: set {settings.API_KEY_ENV} or api_key under "
        f"[sources.visual_crossing] in {settings.SECRETS_FILE}"
    )


def max_records_budget() -> int:
    """Records one load may spend: ``VISUAL_CROSSING_MAX_RECORDS``, else the default."""
    raw = os.environ.get(settings.MAX_RECORDS_ENV, "").strip()
    return int(raw) if raw else settings.DEFAULT_MAX_RECORDS


class QueryKind(StrEnum):
    """What a Timeline request asks for."""

    observations = "observations"
    current_forecast = "current_forecast"
    historical_forecast = "historical_forecast"


@dataclass(frozen=True)
class TimelineQuery:
    """One Timeline request.

    Attributes:
        kind: observations (``stn:`` locked), the current forecast, or a forecast as issued.
        station: the station.
        start: first local date (observations; historical forecasts: the basis date).
        end: last local date.
        basis_date: ``forecastBasisDate`` of a historical forecast.
    """

    kind: QueryKind
    station: Station
    start: date | None = None
    end: date | None = None
    basis_date: date | None = None

    def location(self) -> str:
        """``stn:<ICAO>`` for observations; ``lat,lon`` for forecasts (``stn:`` ignores the
        basis date and answers observations)."""
        if self.kind is QueryKind.observations:
            return f"stn:{self.station.icao}"
        return f"{self.station.latitude:.4f},{self.station.longitude:.4f}"

    def path(self) -> str:
        """The path under the base URL: ``/location[/date1/date2]`` (the leading slash keeps
        ``stn:`` from reading as a URL scheme)."""
        dates = [d.isoformat() for d in (self.start, self.end) if d is not None]
        return "/" + "/".join([self.location(), *dates])

    def params(self) -> dict[str, str]:
        """Query parameters without the key."""
        params = {"unitGroup": "us", "contentType": "json", "elements": settings.ELEMENTS}
        if self.kind is QueryKind.observations:
            params |= {
                "include": "obs,hours",
                "options": "useobs,stnslevel1",
                "maxStations": "1",
                "maxDistance": str(settings.OBS_MAX_DISTANCE_M),
            }
        elif self.kind is QueryKind.current_forecast:
            params |= {"include": "fcst,days,hours", "options": "usefcst"}
        else:
            assert self.basis_date is not None
            params |= {"include": "days,hours", "forecastBasisDate": self.basis_date.isoformat()}
        return params

    def estimated_records(self) -> int:
        """Records the request may cost, counted high: history is 24 per day with hours."""
        if self.kind is QueryKind.current_forecast:
            return 1
        days = (self.end - self.start).days + 1 if self.start and self.end else 1
        return days * 24 if self.kind is QueryKind.observations else days


@dataclass(frozen=True)
class TimelineResponse:
    """One successful response: body, URL (key redacted), query, fetch time, records charged."""

    text: str
    url: str
    query: TimelineQuery
    fetched_at: datetime
    query_cost: int


class VisualCrossingClient:
    """A Timeline client that spends at most ``max_records`` records and never shows its key."""

    def __init__(
        self,
        key: str | None = None,
        base_url: str | None = None,
        max_records: int | None = None,
        min_interval: float = settings.MIN_REQUEST_INTERVAL_SECONDS,
        max_attempts: int = settings.MAX_ATTEMPTS,
        backoff_base: float = settings.BACKOFF_BASE_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Create a client.

        Args:
            key: the API key (default: :func:`api_key`).
            base_url: Timeline root (default: ``settings.base_url()``).
            max_records: the budget (default: :func:`max_records_budget`).
            min_interval: seconds between request starts (tests pass 0).
            max_attempts: attempts per request.
            backoff_base: first retry delay (s), doubling, capped.
            sleep: the sleep function (tests).
            clock: now, aware UTC (stamps ``fetched_at``).
            transport: httpx transport (e.g. ``adapters.circuit.CircuitTransport``).
        """
        self._key = key or api_key()
        _install_key_filter(self._key)
        self.base_url = (base_url or settings.base_url()).rstrip("/")
        self.max_records = max_records_budget() if max_records is None else max_records
        self.spent = 0
        self.retry = RetryPolicy(
            max_attempts=max(1, max_attempts),
            backoff_base_s=backoff_base,
            backoff_cap_s=settings.BACKOFF_MAX_SECONDS,
        )
        self.sleep = sleep
        self.clock = clock
        self.bucket = TokenBucket.min_interval(min_interval, sleep=sleep)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=settings.REQUEST_TIMEOUT_SECONDS,
            headers={"User-Agent": settings.USER_AGENT},
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> VisualCrossingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, query: TimelineQuery) -> TimelineResponse:
        """Send one Timeline request within the budget.

        Args:
            query: the request.

        Returns:
            The response; its ``queryCost`` is added to ``spent`` and logged.

        Raises:
            BudgetExhaustedError: the request's estimated cost would exceed the budget (nothing
                is sent).
            VcRequestError: a final status, or every attempt failed (key redacted).
        """
        estimate = query.estimated_records()
        if self.spent + estimate > self.max_records:
            raise BudgetExhaustedError(
                f"visual crossing budget: {self.spent} of {self.max_records} records spent; "
                f"{query.kind} {query.path()} may cost {estimate}"
            )
        params = {**query.params(), "key": self._key}
        url = redact(str(self._http.build_request("GET", query.path(), params=params).url))
        try:
            response = send_with_retries(
                lambda: self._http.get(query.path(), params=params),
                method="GET",
                url=url,
                policy=self.retry,
                before_attempt=self.bucket.acquire,
                sleep=self.sleep,
                error=VcRequestError,
            )
        except RequestError as exc:
            # from None: the original exception's context may quote the unredacted URL
            raise VcRequestError(redact(str(exc), self._key), url=url, status=exc.status) from None
        cost = _query_cost(response.text, estimate)
        self.spent += cost
        log.info(
            "visual crossing %s %s: queryCost %d records (%d of %d spent)",
            query.kind,
            query.path(),
            cost,
            self.spent,
            self.max_records,
        )
        return TimelineResponse(response.text, url, query, self.clock(), cost)


def _query_cost(text: str, estimate: int) -> int:
    """The response's ``queryCost``; the estimate when it is missing or unreadable."""
    try:
        cost = json.loads(text).get("queryCost")
    except (ValueError, AttributeError):
        return estimate
    return int(cost) if isinstance(cost, int | float) and cost >= 0 else estimate
