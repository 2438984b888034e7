"""Retries with exponential backoff for the venue clients: one loop, one error shape."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

# Retried for every venue: throttling and transient server trouble.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class RequestError(RuntimeError):
    """A request that failed for good; the message names the method and URL, never a secret.

    Attributes:
        url: the request URL.
        status: the last HTTP status (None after a transport error).
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Attributes:
        max_attempts: attempts in all (at least one).
        backoff_base_s: delay after the first failure; doubles with each further one.
        backoff_cap_s: longest delay.
        jitter: draw each delay from [0.5, 1] x the exponential delay (spreads retries).
        retry_statuses: HTTP statuses worth another attempt; any other status >= 400 is final.
    """

    max_attempts: int
    backoff_base_s: float
    backoff_cap_s: float
    jitter: bool = False
    retry_statuses: frozenset[int] = TRANSIENT_STATUSES

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failed attempts (1 = the first failure)."""
        delay = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** (failures - 1))
        return delay * (0.5 + random.random() / 2) if self.jitter else delay  # noqa: S311


def send_with_retries(
    send: Callable[[], httpx.Response],
    *,
    method: str,
    url: str,
    policy: RetryPolicy,
    before_attempt: Callable[[], object],
    sleep: Callable[[float], None],
    error: type[RequestError] = RequestError,
) -> httpx.Response:
    """Send a request until it succeeds, fails for good, or the attempts run out.

    Args:
        send: sends the request once (fresh headers each call, e.g. a new signature).
        method: HTTP method, for messages.
        url: full URL, for messages.
        policy: the retry policy.
        before_attempt: called before every attempt (rate limiting).
        sleep: sleep function (tests).
        error: the error class to raise (a venue's subclass of :class:`RequestError`).

    Returns:
        The first 2xx response.

    Raises:
        RequestError: a final status (``failed with HTTP 400: <body>``) or the last failure
            after every attempt (``failed after N attempts (last: ...)``).
    """
    verb = method.upper()
    attempts = max(1, policy.max_attempts)
    problem = "no attempt made"
    status: int | None = None
    for attempt in range(1, attempts + 1):
        before_attempt()
        try:
            response = send()
        except httpx.TransportError as exc:
            status, problem = None, f"{type(exc).__name__}: {exc}"
        else:
            if response.is_success:
                return response
            status, problem = response.status_code, f"HTTP {response.status_code}"
            body = response.text[:300]
            if status not in policy.retry_statuses:
                raise error(f"{verb} {url} failed with {problem}: {body}", url=url, status=status)
            problem = f"{problem}: {body}"
        if attempt < attempts:
            delay = policy.delay(attempt)
            log.warning(
                "%s %s: %s; retry %d/%d in %.2fs", verb, url, problem, attempt, attempts - 1, delay
            )
            sleep(delay)
    raise error(
        f"{verb} {url} failed after {attempts} attempts (last: {problem})", url=url, status=status
    )
