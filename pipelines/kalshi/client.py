"""A small Kalshi REST client: request signing, rate limiting, retries and cursor paging.

The same signer (:class:`KalshiSigner`) serves this client, the dlt auth class
(:mod:`pipelines.kalshi.auth`) and the trader, so there is one signing code path.
Secrets (the key id and the private key) are never logged, printed or put in a repr.
"""

from __future__ import annotations

import base64
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from pipelines.kalshi import settings

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]


class KalshiError(RuntimeError):
    """A Kalshi request that failed for good; the message names the URL."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class KalshiConfigError(RuntimeError):
    """Credentials are missing or unreadable (the message never contains them)."""


class KalshiSigner:
    """Signs requests with RSA-PSS SHA-256 the way Kalshi expects.

    Message = ``<timestamp ms><METHOD><path without query>``; headers ``KALSHI-ACCESS-KEY``,
    ``KALSHI-ACCESS-TIMESTAMP``, ``KALSHI-ACCESS-SIGNATURE``.
    """

    __slots__ = ("_key_id", "_private_key")

    def __init__(self, key_id: str, private_key: rsa.RSAPrivateKey) -> None:
        """Wrap a key id and a loaded RSA private key.

        Args:
            key_id: the API key id.
            private_key: the RSA private key.
        """
        if not key_id:
            raise KalshiConfigError("Kalshi API key id is empty")
        self._key_id = key_id
        self._private_key = private_key

    def __repr__(self) -> str:
        return "KalshiSigner(key_id=***, private_key=***)"

    __str__ = __repr__

    @classmethod
    def from_pem(cls, key_id: str, pem: str | bytes) -> KalshiSigner:
        """Build a signer from PEM text.

        Args:
            key_id: the API key id.
            pem: the PEM-encoded RSA private key.

        Returns:
            The signer.
        """
        data = pem.encode() if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise KalshiConfigError("Kalshi private key is not a readable PEM RSA key") from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise KalshiConfigError("Kalshi private key is not an RSA key")
        return cls(key_id, key)

    @classmethod
    def from_path(cls, key_id: str, path: Path | str) -> KalshiSigner:
        """Build a signer from a PEM file.

        Args:
            key_id: the API key id.
            path: the PEM file.

        Returns:
            The signer.
        """
        try:
            pem = Path(path).read_bytes()
        except OSError as exc:
            raise KalshiConfigError(f"cannot read the Kalshi private key file {path}") from exc
        return cls.from_pem(key_id, pem)

    def sign(self, message: str) -> str:
        """Base64 RSA-PSS (SHA-256, MGF1 SHA-256, salt = digest length) signature of ``message``."""
        signature = self._private_key.sign(
            message.encode(),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
            hashes.SHA256(),
        )
        return base64.b64encode(signature).decode()

    def headers(self, method: str, url_or_path: str, ts_ms: int | None = None) -> dict[str, str]:
        """The three auth headers for one request.

        Args:
            method: HTTP method (any case).
            url_or_path: full URL or path; the query string is dropped before signing.
            ts_ms: Unix milliseconds (default: now).

        Returns:
            The headers.
        """
        path = urlsplit(url_or_path).path
        stamp = str(ts_ms if ts_ms is not None else int(time.time() * 1000))
        return {
            "KALSHI-ACCESS-KEY": self._key_id,
            "KALSHI-ACCESS-TIMESTAMP": stamp,
            "KALSHI-ACCESS-SIGNATURE": self.sign(f"{stamp}{method.upper()}{path}"),
        }


def signer_from_config(
    key_id: str | None = None, private_key_path: str | None = None, private_key: str | None = None
) -> KalshiSigner | None:
    """The signer from explicit values, else env vars, else dlt secrets; None if unconfigured.

    Looks at ``KALSHI_API_KEY_ID`` / ``KALSHI_PRIVATE_KEY_PATH``, then dlt secrets
    ``sources.kalshi.api_key_id`` and ``sources.kalshi.private_key`` (PEM text) or
    ``sources.kalshi.private_key_path``.

    Args:
        key_id: explicit key id.
        private_key_path: explicit PEM file.
        private_key: explicit PEM text.

    Returns:
        The signer, or None when no key id is configured.
    """
    key_id = key_id or os.environ.get(settings.API_KEY_ID_ENV)
    private_key_path = private_key_path or os.environ.get(settings.PRIVATE_KEY_PATH_ENV)
    if not key_id or not (private_key_path or private_key):
        try:
            import dlt

            key_id = key_id or dlt.secrets.get("sources.kalshi.api_key_id")
            private_key = private_key or dlt.secrets.get("sources.kalshi.private_key")
            private_key_path = private_key_path or dlt.secrets.get(
                "sources.kalshi.private_key_path"
            )
        except Exception:  # noqa: BLE001 - no dlt config at all is fine
            log.debug("no dlt secrets for kalshi")
    if not key_id:
        return None
    if private_key:
        return KalshiSigner.from_pem(str(key_id), str(private_key))
    if private_key_path:
        return KalshiSigner.from_path(str(key_id), str(private_key_path))
    raise KalshiConfigError("Kalshi key id configured without a private key")


class TokenBucket:
    """A token-bucket rate limiter (thread-safe); one token per request."""

    def __init__(
        self,
        rate_per_s: float,
        capacity: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Create a bucket.

        Args:
            rate_per_s: refill rate; <= 0 disables limiting.
            capacity: burst size (default: one second's worth).
            clock: monotonic clock, injectable for tests.
            sleep: sleep function, injectable for tests.
        """
        self.rate = rate_per_s
        self.capacity = capacity if capacity is not None else max(rate_per_s, 1.0)
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is available.

        Returns:
            Seconds slept.
        """
        if self.rate <= 0:
            return 0.0
        slept = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1 - 1e-9:  # tolerate float rounding of the refill
                    self._tokens = max(0.0, self._tokens - 1)
                    return slept
                wait = max((1 - self._tokens) / self.rate, 1e-6)
            self._sleep(wait)
            slept += wait


@dataclass(frozen=True)
class HistoricalCutoff:
    """``GET /historical/cutoff``: data older than these instants lives in the historical tier."""

    market_settled_at: datetime | None
    trades_created_at: datetime | None
    orders_updated_at: datetime | None


def _instant(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class KalshiClient:
    """Synchronous Kalshi REST client over httpx.

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
        self.max_retries = max_retries
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
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
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_cap_s, self.backoff_base_s * (2**attempt))
        return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not crypto

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
        """
        url = self.url(path)
        if auth and self.signer is None:
            raise KalshiError(
                f"{method.upper()} {url} needs Kalshi credentials "
                f"({settings.API_KEY_ID_ENV} / {settings.PRIVATE_KEY_PATH_ENV})",
                url=url,
            )
        query = {k: v for k, v in (params or {}).items() if v is not None}
        last_error = ""
        status: int | None = None
        for attempt in range(self.max_retries + 1):
            self.bucket.acquire()
            headers = {"Accept": "application/json"}
            if self.signer is not None:
                headers.update(self.signer.headers(method, url))
            try:
                response = self._http.request(
                    method.upper(), url, params=query, json=json, headers=headers
                )
            except httpx.TransportError as exc:
                status = None
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                status = response.status_code
                if status < 400:
                    return response.json() if response.content else None
                last_error = response.text[:300]
                if status != 429 and status < 500:
                    raise KalshiError(
                        f"{method.upper()} {url} failed with HTTP {status}: {last_error}",
                        url=url,
                        status=status,
                    )
            if attempt < self.max_retries:
                delay = self._backoff(attempt)
                log.warning(
                    "%s %s: %s; retry %d/%d in %.2fs",
                    method.upper(),
                    url,
                    status or last_error,
                    attempt + 1,
                    self.max_retries,
                    delay,
                )
                self._sleep(delay)
        raise KalshiError(
            f"{method.upper()} {url} failed after {self.max_retries + 1} attempts "
            f"(last: HTTP {status}: {last_error})",
            url=url,
            status=status,
        )

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
            body = self.get(path, query, auth=auth) or {}
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
        body = self.get("/historical/cutoff") or {}
        return HistoricalCutoff(
            market_settled_at=_instant(body.get("market_settled_ts")),
            trades_created_at=_instant(body.get("trades_created_ts")),
            orders_updated_at=_instant(body.get("orders_updated_ts")),
        )
