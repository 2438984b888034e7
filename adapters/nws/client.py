"""HTTP access to api.weather.gov: ``/points/{lat},{lon}`` -> its gridpoint ``forecast`` ->
the forecast periods (day and night, 12 h each, whole °F).

The API sends 5xx ("Unexpected Problem") now and then: requests are retried with backoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

import httpx

from adapters.nws import settings
from adapters.pacing import TokenBucket
from adapters.retry import RequestError, RetryPolicy, send_with_retries


class NwsError(RequestError):
    """A request that failed for good, or a body not shaped like the API's."""


@dataclass(frozen=True)
class ForecastPeriod:
    """One period of a gridpoint forecast ("Today", "Tonight", "Wednesday"...)."""

    name: str
    start: datetime
    end: datetime
    is_daytime: bool
    temperature_f: Decimal
    short_forecast: str


@dataclass(frozen=True)
class Forecast:
    """A gridpoint forecast as issued.

    Attributes:
        url: the forecast URL (names the office and grid cell).
        generated_at: when the API generated it; ``updated_at`` the forecast's own update time.
        periods: in time order.
    """

    url: str
    generated_at: datetime | None
    updated_at: datetime | None
    periods: tuple[ForecastPeriod, ...]

    def daily_extremes(self, day: date, zone: tzinfo) -> tuple[Decimal | None, Decimal | None]:
        """The forecast high and low of a local date.

        The high is the daytime period starting on ``day``; the low the coldest night period
        starting on it (the early-morning "Overnight" and the evening "Tonight" both do).

        Args:
            day: the local date.
            zone: the station's zone (period times are converted to it).

        Returns:
            (high, low) in °F; None where no period covers it (a day already past).
        """
        highs: list[Decimal] = []
        lows: list[Decimal] = []
        for period in self.periods:
            if period.start.astimezone(zone).date() != day:
                continue
            (highs if period.is_daytime else lows).append(period.temperature_f)
        return (max(highs) if highs else None, min(lows) if lows else None)


def _instant(value: Any, what: str, url: str) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise NwsError(f"GET {url}: {what} {value!r} is not a time", url=url) from exc
    if at.tzinfo is None:
        raise NwsError(f"GET {url}: {what} {value!r} has no offset", url=url)
    return at


def _fahrenheit(period: dict[str, Any], url: str) -> Decimal | None:
    # Classic form: an int and "temperatureUnit"; newer form: {"unitCode", "value"}.
    value, unit = period.get("temperature"), str(period.get("temperatureUnit") or "F")
    if isinstance(value, dict):
        unit = "C" if str(value.get("unitCode", "")).endswith("degC") else "F"
        value = value.get("value")
    if value is None:
        return None  # a missing value: the period says nothing about temperature
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NwsError(f"GET {url}: period temperature {value!r} is not a number", url=url)
    degrees = Decimal(str(value))
    return degrees * 9 / 5 + 32 if unit.upper() == "C" else degrees


def parse_forecast(body: Any, url: str) -> Forecast:
    """A forecast body (``properties.periods``) as a :class:`Forecast`.

    A period without a temperature value or without a boolean ``isDaytime`` is left out (it
    cannot say a high or a low); anything else not shaped like the API's refuses the body.

    Raises:
        NwsError: the body is not shaped like a gridpoint forecast.
    """
    props = body.get("properties") if isinstance(body, dict) else None
    periods = props.get("periods") if isinstance(props, dict) else None
    if not isinstance(props, dict) or not isinstance(periods, list):
        raise NwsError(f"GET {url}: no properties.periods in the forecast", url=url)
    out = []
    for period in periods:
        if not isinstance(period, dict):
            raise NwsError(f"GET {url}: a period is not an object", url=url)
        start = _instant(period.get("startTime"), "startTime", url)
        end = _instant(period.get("endTime"), "endTime", url)
        temperature, is_daytime = _fahrenheit(period, url), period.get("isDaytime")
        if temperature is None or not isinstance(is_daytime, bool):
            continue
        out.append(
            ForecastPeriod(
                name=str(period.get("name") or ""),
                start=start,
                end=end,
                is_daytime=is_daytime,
                temperature_f=temperature,
                short_forecast=str(period.get("shortForecast") or ""),
            )
        )
    generated = props.get("generatedAt")
    updated = props.get("updateTime")
    return Forecast(
        url=url,
        generated_at=None if generated is None else _instant(generated, "generatedAt", url),
        updated_at=None if updated is None else _instant(updated, "updateTime", url),
        periods=tuple(sorted(out, key=lambda p: p.start)),
    )


class NwsClient:
    """A polite api.weather.gov client (User-Agent, pacing, retries on 429/5xx).

    Args:
        base_url: API root (default ``settings.base_url()``).
        user_agent: the User-Agent (default ``settings.user_agent()``).
        min_interval: seconds between request starts (tests pass 0).
        max_attempts: attempts per request.
        backoff_base: first retry delay in seconds (doubles, capped).
        timeout: per-request timeout in seconds.
        sleep: sleep function (tests).
    """

    def __init__(
        self,
        base_url: str | None = None,
        user_agent: str | None = None,
        min_interval: float = settings.MIN_REQUEST_INTERVAL_SECONDS,
        max_attempts: int = settings.MAX_ATTEMPTS,
        backoff_base: float = settings.BACKOFF_BASE_SECONDS,
        timeout: float = settings.REQUEST_TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = (base_url or settings.base_url()).rstrip("/")
        self.retry = RetryPolicy(
            max_attempts=max(1, max_attempts),
            backoff_base_s=backoff_base,
            backoff_cap_s=settings.BACKOFF_MAX_SECONDS,
        )
        self.sleep = sleep
        self.bucket = TokenBucket.min_interval(min_interval, sleep=sleep)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": user_agent or settings.user_agent(), "Accept": settings.ACCEPT},
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> NwsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(self, url: str) -> Any:
        """GET a path (or an absolute URL the API linked to) and decode its JSON.

        Raises:
            NwsError: after every attempt, on a final status, or on a body that is not JSON.
        """
        full = str(self._http.build_request("GET", url).url)
        response = send_with_retries(
            lambda: self._http.get(url),
            method="GET",
            url=full,
            policy=self.retry,
            before_attempt=self.bucket.acquire,
            sleep=self.sleep,
            error=NwsError,
        )
        try:
            return response.json()
        except ValueError as exc:
            raise NwsError(f"GET {full}: body is not JSON", url=full) from exc

    def forecast_url(self, latitude: Decimal, longitude: Decimal) -> str:
        """The gridpoint forecast URL of a point (``properties.forecast`` of ``/points``)."""
        step = Decimal(1).scaleb(-settings.POINT_DECIMALS)
        point = f"{latitude.quantize(step)},{longitude.quantize(step)}"
        body = self.get_json(f"/points/{point}")
        props = body.get("properties") if isinstance(body, dict) else None
        link = props.get("forecast") if isinstance(props, dict) else None
        if not isinstance(link, str) or not link:
            raise NwsError(f"GET /points/{point}: no properties.forecast", url=f"/points/{point}")
        return link

    def forecast(self, latitude: Decimal, longitude: Decimal) -> Forecast:
        """The current gridpoint forecast of a point.

        Args:
            latitude: degrees north.
            longitude: degrees east (negative west).

        Returns:
            The forecast with its periods.

        Raises:
            NwsError: a request failed for good or a body was not the API's shape.
        """
        link = self.forecast_url(latitude, longitude)
        return parse_forecast(self.get_json(link), link)
