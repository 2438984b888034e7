"""A per-host circuit breaker for the venue clients: stop calling a host that is not there.

Retries suit a flaky host; an unreachable one (no network, DNS down, firewalled) only turns
every request into minutes of backoff. :class:`CircuitTransport` wraps an httpx transport and
counts consecutive connection failures (connect errors, timeouts, dropped connections) per
host; at the threshold it raises :class:`HostUnreachableError`, and every later request to that
host raises it at once without touching the network. Any HTTP response, even a 5xx, proves the
host is reachable and resets the count: statuses stay the retry policy's business.

The error is deliberately not an ``httpx.TransportError`` (the retry loop would retry it) nor a
``RequestError`` (callers skip those per request): it ends the whole source, which is the point.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx

# Consecutive failures after which a host counts as unreachable.
DEFAULT_FAILURE_THRESHOLD = 3
# A host that has not accepted a TCP connection within this many seconds is treated as down
# (caps the clients' longer overall timeouts for the connect phase only).
DEFAULT_CONNECT_TIMEOUT_SECONDS = 10.0
# Failures that say nothing reached the host (or it stopped answering); HTTP statuses are not.
CONNECTION_FAILURES: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
)


class HostUnreachableError(RuntimeError):
    """A host failed ``threshold`` connections in a row; the message is one line naming it.

    Attributes:
        host: the host as in the URL (``host`` or ``host:port``).
    """

    def __init__(self, message: str, *, host: str) -> None:
        super().__init__(message)
        self.host = host


@dataclass
class _HostState:
    failures: int = 0
    last_problem: str = ""
    open: bool = False


class CircuitTransport(httpx.BaseTransport):
    """An httpx transport that stops sending to a host after consecutive connection failures.

    One instance per client: a new client (a new load) tries every host afresh.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        threshold: int = DEFAULT_FAILURE_THRESHOLD,
        connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        """Wrap a transport.

        Args:
            inner: the transport that sends (default: a plain ``httpx.HTTPTransport``).
            threshold: consecutive connection failures that open the circuit (at least 1).
            connect_timeout_s: longest wait for a TCP connection.
        """
        self._inner = inner or httpx.HTTPTransport()
        self._threshold = max(1, threshold)
        self._connect_timeout_s = connect_timeout_s
        self._hosts: dict[str, _HostState] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` unless its host's circuit is open.

        Raises:
            HostUnreachableError: the circuit is open, or this failure opened it.
            httpx.TransportError: a connection failure below the threshold (for the retry loop).
        """
        host = request.url.netloc.decode("ascii")
        with self._lock:
            state = self._hosts.setdefault(host, _HostState())
            if state.open:
                raise self._error(host, state)
        timeout = dict(request.extensions.get("timeout") or {})
        connect = timeout.get("connect")
        cap = self._connect_timeout_s
        timeout["connect"] = cap if connect is None else min(connect, cap)
        request.extensions["timeout"] = timeout
        try:
            response = self._inner.handle_request(request)
        except CONNECTION_FAILURES as exc:
            with self._lock:
                state.failures += 1
                state.last_problem = (
                    f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                )
                state.open = state.failures >= self._threshold
                if state.open:
                    raise self._error(host, state) from exc
            raise
        with self._lock:
            state.failures = 0
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self._inner.close()

    def _error(self, host: str, state: _HostState) -> HostUnreachableError:
        return HostUnreachableError(
            f"{host} unreachable: {state.failures} connection failures in a row "
            f"(last: {state.last_problem}); is the network up?",
            host=host,
        )
