"""HTTP access to IEM: paced, chunked, retried. Every response becomes a ``RawDocument``."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from domain.stations import Station
from pipelines.documents import RawDocument
from pipelines.iem import settings

log = logging.getLogger(__name__)


class IemRequestError(RuntimeError):
    """A request failed after every retry; the message names the URL."""


@dataclass(frozen=True)
class AsosRequest:
    """One asos.py request: one station, one report type, one UTC window ``[start, end)``."""

    station: Station
    report_type: str
    start: datetime
    end: datetime

    def params(self) -> list[tuple[str, str]]:
        """Query parameters in IEM's vocabulary (``tz=UTC`` always explicit)."""
        params: list[tuple[str, str]] = [("station", self.station.iem_asos_id)]
        params += [("data", field) for field in settings.ASOS_FIELDS]
        for suffix, at in (("1", self.start), ("2", self.end)):
            params += [
                (f"year{suffix}", str(at.year)),
                (f"month{suffix}", str(at.month)),
                (f"day{suffix}", str(at.day)),
                (f"hour{suffix}", str(at.hour)),
                (f"minute{suffix}", str(at.minute)),
            ]
        params += [
            ("tz", "UTC"),
            ("format", "onlycomma"),
            ("missing", "M"),
            ("trace", "T"),
            ("report_type", self.report_type),
        ]
        return params


def asos_requests(
    stations: list[Station], start: datetime, end: datetime, chunk_days: int | None = None
) -> list[AsosRequest]:
    """Split a UTC window into polite requests: station x report type x chunk of days.

    Args:
        stations: the stations.
        start: window start (UTC, inclusive).
        end: window end (UTC, exclusive).
        chunk_days: days per request (default ``settings.ASOS_CHUNK_DAYS``).

    Returns:
        The requests, station by station in time order.
    """
    step = timedelta(days=chunk_days or settings.ASOS_CHUNK_DAYS)
    out: list[AsosRequest] = []
    for station in stations:
        for report_type in settings.ASOS_REPORT_TYPES:
            at = start
            while at < end:
                chunk_end = min(at + step, end)
                out.append(AsosRequest(station, report_type, at, chunk_end))
                at = chunk_end
    return out


class IemClient:
    """A polite IEM client: at most one request per ``min_interval`` seconds, retries on
    429/5xx/timeouts with exponential backoff.

    Args:
        base_url: service root (default: ``settings.base_url()``).
        min_interval: seconds between request starts (tests pass 0).
        max_attempts: attempts per request before giving up.
        backoff_base: first retry delay in seconds; doubles each attempt (capped).
        timeout: per-request timeout in seconds.
        sleep: the sleep function (injectable so tests need not wait).
    """

    def __init__(
        self,
        base_url: str | None = None,
        min_interval: float = settings.MIN_REQUEST_INTERVAL_SECONDS,
        max_attempts: int = settings.MAX_ATTEMPTS,
        backoff_base: float = settings.BACKOFF_BASE_SECONDS,
        timeout: float = settings.REQUEST_TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = (base_url or settings.base_url()).rstrip("/")
        self.min_interval = min_interval
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.sleep = sleep
        self._last_request = float("-inf")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": "kalshi-weather/0.1 (research; polite 1 req/s)"},
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> IemClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pace(self) -> None:
        wait = self._last_request + self.min_interval - time.monotonic()
        if wait > 0:
            self.sleep(wait)
        self._last_request = time.monotonic()

    def get_text(
        self, path: str, params: list[tuple[str, str]] | dict[str, Any]
    ) -> tuple[str, str]:
        """GET a path and return (body text, full URL).

        Args:
            path: path under the base URL (``/json/cli.py``).
            params: query parameters.

        Returns:
            The body and the URL it came from.

        Raises:
            IemRequestError: after ``max_attempts`` failures, or at once on a non-retryable status.
        """
        url = str(self._http.build_request("GET", path, params=params).url)
        problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            self._pace()
            try:
                response = self._http.get(path, params=params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    return response.text, url
                problem = f"HTTP {response.status_code}"
                if response.status_code not in settings.RETRY_STATUSES:
                    raise IemRequestError(f"GET {url} failed: {problem}")
            if attempt < self.max_attempts:
                delay = min(self.backoff_base * 2 ** (attempt - 1), settings.BACKOFF_MAX_SECONDS)
                log.info("GET %s: %s; retry %d in %.1f s", url, problem, attempt, delay)
                self.sleep(delay)
        raise IemRequestError(f"GET {url} failed after {self.max_attempts} attempts: {problem}")

    def asos_documents(
        self, requests: list[AsosRequest]
    ) -> Iterator[RawDocument | IemRequestError]:
        """Fetch asos.py CSV, one document per request (report type in ``hint``).

        Args:
            requests: the planned requests.

        Returns:
            Documents, or the error of a request that failed for good (the caller decides).
        """
        for request in requests:
            try:
                text, url = self.get_text(settings.ASOS_PATH, request.params())
            except IemRequestError as exc:
                yield exc
                continue
            yield RawDocument(text, url, "real", "http", hint=request.report_type)

    def yearly_json_documents(
        self, path: str, stations: list[Station], start: date, end: date
    ) -> Iterator[RawDocument | IemRequestError]:
        """Fetch json/cli.py or json/cf6.py: one request per station (4-char id) and year.

        Args:
            path: ``settings.CLI_PATH`` or ``settings.CF6_PATH``.
            stations: the stations.
            start: first climate date wanted.
            end: last climate date wanted.

        Returns:
            Documents, or the error of a request that failed for good.
        """
        for station in stations:
            for year in range(start.year, end.year + 1):
                params = {"station": station.cli_station_id, "year": str(year)}
                try:
                    text, url = self.get_text(path, params)
                except IemRequestError as exc:
                    yield exc
                    continue
                yield RawDocument(text, url, "real", "http")
