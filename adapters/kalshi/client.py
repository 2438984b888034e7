"""A small Kalshi REST client over httpx: signed, rate limited, retried, cursor-paged.

The loaders and the trader share it. Secrets never reach a log line, an error or a repr: the
signer holds them and shows ``***``.
"""

from __future__ import annotations

import json as json_module
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.kalshi import settings
from adapters.kalshi.historical import HistoricalCutoff
from adapters.kalshi.orderbook import OrderBook, parse_orderbook_body
from adapters.kalshi.signing import KalshiSigner
from adapters.pacing import TokenBucket
from adapters.retry import RequestError, RetryPolicy, send_with_retries
from domain.bounds import check_json_depth

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]


class KalshiError(RequestError):
    """A Kalshi request that failed for good; the message names the URL (``url``, ``status``)."""


@dataclass(frozen=True)
class EventMarkets:
    """``GET /events/{event_ticker}``: the event and its markets (API objects as sent)."""

    event: JsonObject
    markets: tuple[JsonObject, ...]


class KalshiClient:
    """Synchronous Kalshi REST client.

    Every request is rate limited, retried with exponential backoff and jitter on 429, 5xx
    and transport errors, and signed when a signer is configured.
    """

    def __init__(
        self,
        base_url: str | None = None,
        signer: KalshiSigner | None = None,
        *,
        rate_limit_per_s: float = settings.DEFAULT_RATE_LIMIT_PER_S,
        max_retries: int = settings.DEFAULT_MAX_RETRIES,
        timeout_s: float = settings.DEFAULT_TIMEOUT_S,
        backoff_base_s: float = settings.BACKOFF_BASE_S,
        backoff_cap_s: float = settings.BACKOFF_CAP_S,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Create a client.

        Args:
            base_url: REST base (default: ``settings.base_url()``).
            signer: request signer; None = unauthenticated (public endpoints only).
            rate_limit_per_s: request rate ceiling.
            max_retries: retries after the first attempt on retryable failures.
            timeout_s: per-request timeout.
            backoff_base_s: first backoff delay; doubles each retry.
            backoff_cap_s: longest backoff delay.
            transport: httpx transport (tests).
            sleep: sleep function (tests).
        """
        self.base_url = (base_url or settings.base_url()).rstrip("/")
        self.signer = signer
        self.retry = RetryPolicy(
            max_attempts=max_retries + 1,
            backoff_base_s=backoff_base_s,
            backoff_cap_s=backoff_cap_s,
            jitter=True,
            retry_statuses=settings.RETRY_STATUSES,
        )
        self._sleep = sleep
        self.bucket = TokenBucket(rate_limit_per_s, sleep=sleep)
        self._http = httpx.Client(timeout=timeout_s, transport=transport)

    def __repr__(self) -> str:
        return f"KalshiClient(base_url={self.base_url!r}, signed={self.signer is not None})"

    def __enter__(self) -> KalshiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def url(self, path: str) -> str:
        """The absolute URL of an API path (``/markets`` -> ``<base>/markets``)."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        auth: bool = False,
    ) -> Any:
        """Send one request and return the decoded JSON body.

        Args:
            method: HTTP method.
            path: API path (``/markets``) or absolute URL.
            params: query parameters (None values are dropped).
            json: JSON body.
            auth: the endpoint needs authentication (fails fast without a signer).

        Returns:
            The decoded JSON (``None`` for an empty body).

        Raises:
            KalshiError: a final error status, or the last failure after every retry.
        """
        url = self.url(path)
        if auth and self.signer is None:
            raise KalshiError(
                f"{method.upper()} {url} needs Kalshi credentials "
                f"({settings.API_KEY_ID_ENV} / {settings.PRIVATE_KEY_PATH_ENV})",
                url=url,
            )
        query = {k: v for k, v in (params or {}).items() if v is not None}

        def send() -> httpx.Response:
            headers = {"Accept": "application/json"}
            if self.signer is not None:
                headers.update(self.signer.headers(method, url))  # fresh stamp per attempt
            return self._http.request(method.upper(), url, params=query, json=json, headers=headers)

        response = send_with_retries(
            send,
            method=method,
            url=url,
            policy=self.retry,
            before_attempt=self.bucket.acquire,
            sleep=self._sleep,
            error=KalshiError,
        )
        if not response.content:
            return None
        try:
            # bounded first: a deeply nested body would otherwise recurse out of the parser
            check_json_depth(response.text)
            return json_module.loads(response.text)
        except ValueError as exc:  # BoundsError and JSONDecodeError are ValueErrors
            raise KalshiError(
                f"{method.upper()} {url} returned a body that is not usable JSON: {exc}",
                url=url,
                status=response.status_code,
            ) from exc

    def get(self, path: str, params: Mapping[str, Any] | None = None, *, auth: bool = False) -> Any:
        """GET ``path`` and return its JSON body (see :meth:`request`)."""
        return self.request("GET", path, params=params, auth=auth)

    def pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        auth: bool = False,
        max_pages: int = settings.MAX_PAGES,
    ) -> Iterator[JsonObject]:
        """Walk a cursor-paged listing, yielding each page's body.

        Filters stay identical on every page; an empty or missing cursor ends the walk; a
        cursor seen before stops it with a warning (a server loop would never end).

        Args:
            path: API path.
            params: filters and ``limit``.
            auth: needs authentication.
            max_pages: hard cap on pages.

        Returns:
            An iterator of page bodies.
        """
        seen: set[str] = set()
        cursor: str | None = None
        for _ in range(max_pages):
            query = dict(params or {})
            if cursor:
                query["cursor"] = cursor
            body: JsonObject = self.get(path, query, auth=auth) or {}
            yield body
            cursor = body.get("cursor") or None
            if not cursor:
                return
            if cursor in seen:
                log.warning("%s: cursor repeated; stopping pagination", self.url(path))
                return
            seen.add(cursor)
        log.warning("%s: stopped after %d pages", self.url(path), max_pages)

    def paginate(
        self,
        path: str,
        items_key: str,
        params: Mapping[str, Any] | None = None,
        *,
        auth: bool = False,
    ) -> Iterator[JsonObject]:
        """Walk a cursor-paged listing, yielding the items under ``items_key``.

        Args:
            path: API path.
            items_key: the list's key (``markets``, ``events``, ``trades``...).
            params: filters and ``limit``.
            auth: needs authentication.

        Returns:
            An iterator of items.
        """
        for page in self.pages(path, params, auth=auth):
            yield from page.get(items_key) or []

    def historical_cutoff(self) -> HistoricalCutoff:
        """``GET /historical/cutoff``, re-read every run (the cutoff moves).

        Returns:
            The cutoff instants.
        """
        return HistoricalCutoff.from_body(self.get("/historical/cutoff") or {})

    def event(self, event_ticker: str) -> EventMarkets:
        """``GET /events/{event_ticker}`` with its markets (live tier only).

        Args:
            event_ticker: the event (``KXHIGHNY-26JAN20``).

        Returns:
            The event object and its market objects.
        """
        body: JsonObject = (
            self.get(f"/events/{event_ticker}", {"with_nested_markets": "true"}) or {}
        )
        event: JsonObject = body.get("event") or {}
        # Nested markets sit inside the event; the flat form puts them beside it.
        markets = event.get("markets") or body.get("markets") or []
        return EventMarkets(event=event, markets=tuple(markets))

    def orderbook(self, market_ticker: str, depth: int | None = None) -> OrderBook:
        """``GET /markets/{ticker}/orderbook`` (authenticated) as typed bids, best first.

        Args:
            market_ticker: the market.
            depth: levels per side (default: the server's).

        Returns:
            The book.
        """
        body = self.orderbook_body(market_ticker, depth)
        return parse_orderbook_body(market_ticker, body)

    def orderbook_body(self, market_ticker: str, depth: int | None = None) -> JsonObject:
        """The raw ``GET /markets/{ticker}/orderbook`` body (loaders store it as received).

        Args:
            market_ticker: the market.
            depth: levels per side (default: the server's).

        Returns:
            The decoded JSON.
        """
        body: JsonObject = (
            self.get(f"/markets/{market_ticker}/orderbook", {"depth": depth}, auth=True) or {}
        )
        return body
