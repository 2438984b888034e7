"""HTTP access to IEM: paced, chunked, retried. Responses come back as text with their URL."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx

from adapters.iem import settings
from adapters.pacing import TokenBucket
from adapters.retry import RequestError, RetryPolicy, send_with_retries
from domain.stations import Station


class IemRequestError(RequestError):
    """A request failed after every retry; the message names the URL."""


@dataclass(frozen=True)
class IemResponse:
    """One successful response: the body, its URL and the report type asked for (asos.py)."""

    text: str
    url: str
    report_type: str | None = None


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
    429/5xx/transport errors with exponential backoff.
    """

    def __init__(
        self,
        base_url: str | None = None,
        min_interval: float = settings.MIN_REQUEST_INTERVAL_SECONDS,
        max_attempts: int = settings.MAX_ATTEMPTS,
        backoff_base: float = settings.BACKOFF_BASE_SECONDS,
        timeout: float = settings.REQUEST_TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Create a client.

        Args:
            base_url: service root (default: ``settings.base_url()``).
            min_interval: seconds between request starts (tests pass 0).
            max_attempts: attempts per request before giving up.
            backoff_base: first retry delay in seconds; doubles each attempt (capped).
            timeout: per-request timeout in seconds.
            sleep: the sleep function (injectable so tests need not wait).
            transport: httpx transport (loads pass an ``adapters.circuit.CircuitTransport``).
        """
        self.base_url = (base_url or settings.base_url()).rstrip("/")
        self.retry = RetryPolicy(
            max_attempts=max(1, max_attempts),
            backoff_base_s=backoff_base,
            backoff_cap_s=settings.BACKOFF_MAX_SECONDS,
            retry_statuses=settings.RETRY_STATUSES,
        )
        self.sleep = sleep
        self.bucket = TokenBucket.min_interval(min_interval, sleep=sleep)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": settings.USER_AGENT},
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> IemClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_text(
        self, path: str, params: Sequence[tuple[str, str]] | Mapping[str, str]
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
        query = tuple(params.items()) if isinstance(params, Mapping) else tuple(params)
        url = str(self._http.build_request("GET", path, params=query).url)
        response = send_with_retries(
            lambda: self._http.get(path, params=query),
            method="GET",
            url=url,
            policy=self.retry,
            before_attempt=self.bucket.acquire,
            sleep=self.sleep,
            error=IemRequestError,
        )
        return response.text, url

    def asos_responses(
        self, requests: list[AsosRequest]
    ) -> Iterator[IemResponse | IemRequestError]:
        """Fetch asos.py CSV, one response per request (with its report type).

        Args:
            requests: the planned requests.

        Returns:
            Responses, or the error of a request that failed for good (the caller decides).
        """
        for request in requests:
            try:
                text, url = self.get_text(settings.ASOS_PATH, request.params())
            except IemRequestError as exc:
                yield exc
                continue
            yield IemResponse(text, url, report_type=request.report_type)

    def yearly_json_responses(
        self, path: str, stations: list[Station], start: date, end: date
    ) -> Iterator[IemResponse | IemRequestError]:
        """Fetch json/cli.py or json/cf6.py: one request per station (4-char id) and year.

        Args:
            path: ``settings.CLI_PATH`` or ``settings.CF6_PATH``.
            stations: the stations.
            start: first climate date wanted.
            end: last climate date wanted.

        Returns:
            Responses, or the error of a request that failed for good.
        """
        for station in stations:
            for year in range(start.year, end.year + 1):
                params = {"station": station.cli_station_id, "year": str(year)}
                try:
                    text, url = self.get_text(path, params)
                except IemRequestError as exc:
                    yield exc
                    continue
                yield IemResponse(text, url)
