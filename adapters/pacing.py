"""Client-side request pacing: a thread-safe token bucket (Kalshi sends no rate headers)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """A token-bucket rate limiter; one token per request."""

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
            capacity: burst size (default: one second's worth, at least one token).
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

    @classmethod
    def min_interval(
        cls,
        seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> TokenBucket:
        """A bucket allowing one request per ``seconds`` with no burst (0 disables pacing).

        Args:
            seconds: least time between request starts.
            clock: monotonic clock, injectable for tests.
            sleep: sleep function, injectable for tests.

        Returns:
            The bucket.
        """
        return cls(1 / seconds if seconds > 0 else 0.0, capacity=1.0, clock=clock, sleep=sleep)

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
