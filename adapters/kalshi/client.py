"""A small Kalshi REST client over httpx: signed, rate limited, retried, cursor-paged.

The loaders and the trader share it. Secrets never reach a log line, an error or a repr: the
signer holds them and shows ``***``.
"""

from __future__ import annotations

import json as json_module
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
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
    """A Kalshi request that failed for good; the message names the URL.

    Attributes:
        url: the request URL.
        status: the last HTTP status (None after a transport error: no answer at all).
        code: the venue's error ``code`` from a ``{code, message}`` body, if it sent one.
        detail: the venue's error ``message``, if it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.code = code
        self.detail = detail


def _venue_error(response: httpx.Response) -> tuple[str | None, str | None]:
    """``(code, message)`` of an error body (``{code, message}``, ``{error: {...}}`` or
    ``{error: "..."}``); Nones when the body is something else."""
    try:
        body = json_module.loads(response.text[:10_000])
    except ValueError:
        return None, None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if not isinstance(body, dict):
        return None, None
    code, message = body.get("code"), body.get("message", body.get("error"))
    return (str(code) if code is not None else None), (
        str(message)[:300] if message is not None else None
    )


@dataclass(frozen=True)
class EventMarkets:
    """``GET /events/{event_ticker}``: the event and its markets (API objects as sent)."""

    event: JsonObject
    markets: tuple[JsonObject, ...]


class KalshiClient:
    """Synchronous Kalshi REST client.

    Every request is rate limited and signed when a signer is configured; reads are retried
    with exponential backoff and jitter on 429, 5xx and transport errors, writes never are.
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
        # Writes are never retried here: a resent order could execute twice (the caller decides).
        self.write_policy = replace(self.retry, max_attempts=1)
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
        policy: RetryPolicy | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON body.

        Args:
            method: HTTP method.
            path: API path (``/markets``) or absolute URL.
            params: query parameters (None values are dropped).
            json: JSON body.
            auth: the endpoint needs authentication (fails fast without a signer).
            policy: the retry policy (default: the client's read policy).

        Returns:
            The decoded JSON (``None`` for an empty body).

        Raises:
            KalshiError: a final error status (with the venue's ``code``/``detail`` when it
                sent them), or the last failure after every attempt.
        """
        url = self.url(path)
        if auth and self.signer is None:
            raise KalshiError(
                f"{method.upper()} {url} needs Kalshi credentials "
                f"({settings.API_KEY_ID_ENV} / {settings.PRIVATE_KEY_PATH_ENV})",
                url=url,
            )
        query = {k: v for k, v in (params or {}).items() if v is not None}

        last: list[httpx.Response] = []

        def send() -> httpx.Response:
            headers = {"Accept": "application/json"}
            if self.signer is not None:
                headers.update(self.signer.headers(method, url))  # fresh stamp per attempt
            response = self._http.request(
                method.upper(), url, params=query, json=json, headers=headers
            )
            last.append(response)
            return response

        try:
            response = send_with_retries(
                send,
                method=method,
                url=url,
                policy=policy or self.retry,
                before_attempt=self.bucket.acquire,
                sleep=self._sleep,
                error=KalshiError,
            )
        except KalshiError as exc:
            if last and exc.status == last[-1].status_code:
                exc.code, exc.detail = _venue_error(last[-1])
            raise
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

    def post(self, path: str, json_body: Any) -> Any:
        """Signed POST of ``json_body``, ONE attempt: a timeout, a dropped connection, a 429 or
        a 5xx raises at once (the outcome is the caller's to resolve, never a blind resend).

        Args:
            path: API path (``/portfolio/events/orders``).
            json_body: the JSON body.

        Returns:
            The decoded JSON response.

        Raises:
            KalshiError: any failure; ``status`` None = no answer (it may have been executed).
        """
        return self.request("POST", path, json=json_body, auth=True, policy=self.write_policy)

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """Signed DELETE (a cancel), one attempt like :meth:`post`; the query is not signed.

        Args:
            path: API path (``/portfolio/events/orders/{order_id}``).
            params: query parameters (``market_ticker``...).

        Returns:
            The decoded JSON response.

        Raises:
            KalshiError: any failure.
        """
        return self.request("DELETE", path, params=params, auth=True, policy=self.write_policy)

    def pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        auth: bool = False,
        max_pages: int = settings.MAX_PAGES,
        complete: bool = False,
    ) -> Iterator[JsonObject]:
        """Walk a cursor-paged listing, yielding each page's body.

        Filters stay identical on every page; an empty or missing cursor ends the walk; a
        cursor seen before stops it with a warning (a server loop would never end).

        Args:
            path: API path.
            params: filters and ``limit``.
            auth: needs authentication.
            max_pages: hard cap on pages.
            complete: the caller needs every item (our orders and fills: a missing one would
                read as "not on the exchange"), so a repeated cursor or the page cap raises
                instead of ending the walk early.

        Returns:
            An iterator of page bodies.

        Raises:
            KalshiError: a failed page, or (``complete``) a listing that cannot be read to its
                end.
        """
        seen: set[str] = set()
        cursor: str | None = None
        url = self.url(path)
        for _ in range(max_pages):
            query = dict(params or {})
            if cursor:
                query["cursor"] = cursor
            body: JsonObject = self.get(path, query, auth=auth) or {}
            if complete and not isinstance(body, dict):
                raise KalshiError(f"GET {url}: a page is not a JSON object", url=url)
            yield body
            cursor = body.get("cursor") or None
            if not cursor:
                return
            if cursor in seen:
                if complete:
                    raise KalshiError(f"GET {url}: cursor repeated; listing incomplete", url=url)
                log.warning("%s: cursor repeated; stopping pagination", url)
                return
            seen.add(cursor)
        if complete:
            raise KalshiError(
                f"GET {url}: more than {max_pages} pages; listing incomplete", url=url
            )
        log.warning("%s: stopped after %d pages", url, max_pages)

    def paginate(
        self,
        path: str,
        items_key: str,
        params: Mapping[str, Any] | None = None,
        *,
        auth: bool = False,
        complete: bool = False,
    ) -> Iterator[JsonObject]:
        """Walk a cursor-paged listing, yielding the items under ``items_key``.

        Args:
            path: API path.
            items_key: the list's key (``markets``, ``events``, ``trades``...).
            params: filters and ``limit``.
            auth: needs authentication.
            complete: raise rather than end early on a listing that cannot be read to its end
                (see :meth:`pages`).

        Returns:
            An iterator of items.

        Raises:
            KalshiError: a failed page; (``complete``) an incomplete listing, or a page whose
                ``items_key`` is not a list.
        """
        for page in self.pages(path, params, auth=auth, complete=complete):
            items = page.get(items_key) or []
            if complete and not isinstance(items, list):
                url = self.url(path)
                raise KalshiError(f"GET {url}: {items_key} is not a list", url=url)
            yield from items

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
