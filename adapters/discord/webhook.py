"""POST messages to a Discord webhook: paced to Discord's limits, retried, the URL never shown.

The webhook URL carries its token, so it is a secret: it is kept out of every message, log line
and ``repr`` (httpx's own request log lines are redacted by a filter on its loggers). The
token is redacted on its own too: httpx logs the URL as it normalised it (lower-case scheme and
host, default port...), which need not equal the configured text.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.discord import settings
from adapters.retry import RequestError, RetryPolicy

log = logging.getLogger(__name__)

REDACTED = "<discord webhook>"
_HTTP_LOGGERS = ("httpx", "httpcore")


class WebhookError(RequestError):
    """A message that could not be delivered; the message never contains the URL."""


class SlidingWindow:
    """At most ``limit`` events in any ``window_s`` seconds (exact, unlike a token bucket).

    Args:
        limit: events allowed per window.
        window_s: the window length in seconds.
        clock: monotonic clock.
    """

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._times: deque[float] = deque()

    def wait_time(self) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        now = self._clock()
        while self._times and now - self._times[0] >= self.window_s:
            self._times.popleft()
        if len(self._times) < self.limit:
            return 0.0
        return self._times[0] + self.window_s - now

    def record(self) -> None:
        """Count one event now."""
        self._times.append(self._clock())


def _secrets(url: str) -> tuple[str, ...]:
    """What must never be shown of a webhook URL: the URL itself, then its token (the last
    path segment, ``/api/webhooks/{id}/{token}``)."""
    token = urlsplit(url.strip()).path.rstrip("/").rsplit("/", 1)[-1]
    return (url, token) if len(token) >= 8 else (url,)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with every secret replaced by ``REDACTED``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class _Redact(logging.Filter):
    """Redacts the webhook URL and token in httpx/httpcore log records (they log URLs)."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        shown = redact(message, self.secrets)
        if shown != message:
            record.msg, record.args = shown, None
        return True


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def retry_after_s(response: httpx.Response) -> float | None:
    """Seconds a 429 asks us to wait: the JSON ``retry_after``, else ``Retry-After``."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    wait = _float(body.get("retry_after")) if isinstance(body, dict) else None
    return wait if wait is not None else _float(response.headers.get("Retry-After"))


class DiscordWebhook:
    """One webhook. Not thread-safe: one sender thread owns it (``trader.alerts.Notifier``).

    Args:
        url: the webhook URL (secret).
        timeout_s: per-request timeout.
        policy: retries on 5xx and transport errors (429 waits ``retry_after`` instead).
        clock: monotonic clock (tests).
        sleep: sleep function; the notifier passes one that aborts on close.
        transport: httpx transport (tests).
    """

    def __init__(
        self,
        url: str,
        timeout_s: float = settings.REQUEST_TIMEOUT_S,
        policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url
        self.policy = policy or RetryPolicy(
            max_attempts=settings.MAX_ATTEMPTS,
            backoff_base_s=settings.BACKOFF_BASE_S,
            backoff_cap_s=settings.BACKOFF_CAP_S,
            jitter=True,
        )
        self._clock = clock
        self._sleep = sleep
        self._windows = (
            SlidingWindow(settings.BURST_REQUESTS, settings.BURST_WINDOW_S, clock),
            SlidingWindow(settings.CHANNEL_REQUESTS_PER_MINUTE, 60.0, clock),
        )
        self._hold_until = 0.0  # set from X-RateLimit-* and 429 answers
        self._http = httpx.Client(
            timeout=timeout_s, headers={"User-Agent": settings.USER_AGENT}, transport=transport
        )
        self._secrets = _secrets(url)
        self._redact = _Redact(self._secrets)
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._redact)

    def __repr__(self) -> str:
        return f"DiscordWebhook({REDACTED})"

    def close(self) -> None:
        """Close the connection pool (and drop the log filter)."""
        self._http.close()
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._redact)

    def _pace(self) -> None:
        """Wait for Discord's last header-given reset, then for room in both windows."""
        while True:
            wait = max(self._hold_until - self._clock(), *(w.wait_time() for w in self._windows))
            if wait <= 0:
                break
            self._sleep(wait)
        for window in self._windows:
            window.record()  # failed requests count towards Discord's limit too

    def _note_headers(self, headers: Mapping[str, str]) -> None:
        remaining = _float(headers.get("X-RateLimit-Remaining"))
        reset_after = _float(headers.get("X-RateLimit-Reset-After"))
        if remaining == 0 and reset_after is not None:
            self._hold_until = max(self._hold_until, self._clock() + reset_after)

    def post(self, payload: Mapping[str, Any]) -> None:
        """Deliver one message (``content``/``embeds``...); returns once Discord accepted it.

        Raises:
            WebhookError: a final status (4xx other than 429), a 429 asking for too long, or the
                last failure after every attempt. The message names no URL.
        """
        attempts = max(1, self.policy.max_attempts)
        problem = "no attempt made"
        status: int | None = None
        for attempt in range(1, attempts + 1):
            self._pace()
            delay = self.policy.delay(attempt)
            try:
                response = self._http.post(self._url, json=dict(payload))
            except httpx.TransportError as exc:
                status, problem = None, type(exc).__name__
            else:
                self._note_headers(response.headers)
                status = response.status_code
                if response.is_success:
                    return
                problem = f"HTTP {status}: {redact(response.text[:200], self._secrets)}"
                if status == 429:
                    wait = retry_after_s(response)
                    if wait is None or wait > settings.MAX_RETRY_AFTER_S:
                        raise WebhookError(
                            f"POST {REDACTED}: rate limited for {wait}s", url=REDACTED, status=429
                        )
                    delay = wait
                    self._hold_until = max(self._hold_until, self._clock() + wait)
                elif status < 500:
                    raise WebhookError(
                        f"POST {REDACTED} failed with {problem}", url=REDACTED, status=status
                    )
            if attempt < attempts:
                log.warning("POST %s: %s; retry %d in %.2fs", REDACTED, problem, attempt, delay)
                self._sleep(delay)
        raise WebhookError(
            f"POST {REDACTED} failed after {attempts} attempts (last: {problem})",
            url=REDACTED,
            status=status,
        )
