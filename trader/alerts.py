"""Operator alerts: a bounded queue and one background sender, so an alert never blocks or
crashes the trading loop.

``Notifier.post`` only enqueues (a full queue drops its oldest low-priority alert, and says so);
one daemon thread delivers to the Discord webhook (``DISCORD_WEBHOOK_URL``) with the webhook
client's pacing and retries. Without a webhook every alert goes to the log only. Each alert kind
can be ``on``, ``silent`` (delivered without a push notification) or ``off`` (log only), e.g.
``TRADER_ALERT_LEVELS="breaker=silent,heartbeat=off"``.

An alert with a ``key`` is reported to ``Notifier.on_done`` once its fate is settled: delivered,
or given up and logged (a final error, dropped from a full queue, log only). Only an alert still
queued or in flight when the process dies is never reported; ``trader.alert_feed`` re-sends
those at the next start. ``on_done`` runs on the sender thread (or the caller's, for what is
only logged) and must not block for long.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

from adapters.discord import settings as discord_settings
from adapters.discord.webhook import DiscordWebhook, WebhookError

log = logging.getLogger(__name__)

LEVELS_ENV = "TRADER_ALERT_LEVELS"
LEVELS = ("on", "silent", "off")
DEFAULT_LEVELS: Mapping[str, str] = {"heartbeat": "silent"}
MAX_QUEUE = 200


class Priority(IntEnum):
    """Which alerts a full queue drops first (LOW)."""

    LOW = 0
    HIGH = 1


@dataclass(frozen=True)
class Alert:
    """One message for the operator.

    Attributes:
        kind: ``trade``, ``error``, ``breaker``, ``reconciliation``, ``settlement``,
            ``heartbeat``, ``report`` or ``start`` (the key of the per-kind levels).
        summary: the one line the log gets.
        payload: the Discord message body (``trader.alert_messages``).
        priority: HIGH alerts survive a full queue.
        key: identifies the alert for ``Notifier.on_done`` (None: nobody tracks it).
    """

    kind: str
    summary: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    priority: Priority = Priority.HIGH
    key: str | None = None


class _Aborted(Exception):
    """Raised inside the sender's sleeps once ``close`` gave up waiting."""


def parse_levels(text: str | None) -> dict[str, str]:
    """Per-kind levels from ``kind=level,...`` (unknown levels are ignored with a warning).

    Args:
        text: e.g. ``"breaker=silent,heartbeat=off"``; None or empty for the defaults.

    Returns:
        The defaults updated with the given levels.
    """
    levels = dict(DEFAULT_LEVELS)
    for item in (text or "").split(","):
        kind, _, level = item.partition("=")
        kind, level = kind.strip(), level.strip().lower()
        if not kind:
            continue
        if level not in LEVELS:
            log.warning("alert level %r for %s ignored (use one of %s)", level, kind, LEVELS)
            continue
        levels[kind] = level
    return levels


class Notifier:
    """Queues alerts and delivers them from one daemon thread.

    Args:
        webhook_url: the Discord webhook URL (a secret: never logged), or None for log only.
        levels: per-kind ``on``/``silent``/``off`` (``parse_levels``).
        max_queue: alerts held at most; beyond it the oldest LOW one is dropped.
        timeout_s: per-request timeout of the webhook.
    """

    def __init__(
        self,
        webhook_url: str | None,
        levels: Mapping[str, str] | None = None,
        max_queue: int = MAX_QUEUE,
        timeout_s: float = discord_settings.REQUEST_TIMEOUT_S,
    ) -> None:
        # The webhook sleeps through the notifier, so its waits end when close gives up.
        self.webhook = (
            DiscordWebhook(webhook_url, timeout_s=timeout_s, sleep=self._sleep)
            if webhook_url
            else None
        )
        self.levels = dict(DEFAULT_LEVELS if levels is None else levels)
        self.max_queue = max(1, max_queue)
        self.delivered = 0
        self.failed = 0
        self.dropped = 0
        # Told the key of each keyed alert whose fate is settled (see the module docstring).
        self.on_done: Callable[[str], None] | None = None
        self._queue: deque[Alert] = deque()
        self._cv = threading.Condition()
        self._closing = False
        self._busy = False
        self._abort = threading.Event()
        self._thread: threading.Thread | None = None
        if self.webhook is not None:
            self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)
            self._thread.start()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """A notifier for ``DISCORD_WEBHOOK_URL`` (log only when unset) and the env levels."""
        env = os.environ if environ is None else environ
        url = env.get(discord_settings.WEBHOOK_URL_ENV, "").strip()
        if not url:
            log.info("no %s: alerts go to the log only", discord_settings.WEBHOOK_URL_ENV)
        return cls(url or None, parse_levels(env.get(LEVELS_ENV)))

    def __repr__(self) -> str:
        target = "log only" if self.webhook is None else repr(self.webhook)
        return f"Notifier({target}, queued={len(self._queue)})"

    def post(self, alert: Alert) -> None:
        """Log the alert and queue it for delivery; never blocks, never raises."""
        level = self.levels.get(alert.kind, "on")
        if self.webhook is None or level == "off" or self._closing:
            log.warning("alert %s: %s", alert.kind, alert.summary)
            self._done(alert)
            return
        log.info("alert %s: %s", alert.kind, alert.summary)
        if level == "silent":
            flags = int(alert.payload.get("flags", 0)) | discord_settings.SUPPRESS_NOTIFICATIONS
            alert = replace(alert, payload={**alert.payload, "flags": flags})
        victim: Alert | None = None
        with self._cv:
            if len(self._queue) >= self.max_queue:
                victim = self._victim(alert)
                self.dropped += 1
            if victim is not alert:
                self._queue.append(alert)
                self._cv.notify()
        if victim is not None:
            log.warning("alert queue full: dropped %s: %s", victim.kind, victim.summary)
            self._done(victim)

    def _done(self, alert: Alert) -> None:
        """Report a keyed alert's settled fate; a failing callback is logged, never raised."""
        if alert.key is None or self.on_done is None:
            return
        try:
            self.on_done(alert.key)
        except Exception as exc:  # the alert may then be re-sent after a restart
            log.warning("alert %s: could not record its delivery: %s", alert.kind, exc)

    def _victim(self, incoming: Alert) -> Alert:
        """Remove and return what a full queue drops: its oldest LOW alert, else the incoming
        LOW one, else the oldest alert."""
        for queued in self._queue:
            if queued.priority is Priority.LOW:
                self._queue.remove(queued)
                return queued
        if incoming.priority is Priority.LOW:
            return incoming
        return self._queue.popleft()

    @property
    def pending(self) -> int:
        """Alerts queued or being sent."""
        with self._cv:
            return len(self._queue) + int(self._busy)

    def _sleep(self, seconds: float) -> None:
        if self._abort.wait(seconds):
            raise _Aborted

    def _run(self) -> None:
        assert self.webhook is not None  # the thread runs only with a webhook
        while True:
            with self._cv:
                while not self._queue and not self._closing:
                    self._cv.wait()
                if not self._queue:
                    return
                alert = self._queue.popleft()
                self._busy = True
            try:
                self.webhook.post(alert.payload)
                self.delivered += 1
            except _Aborted:
                with self._cv:
                    self._queue.appendleft(alert)  # close counts and logs it as undelivered
                    self._busy = False
                return
            except Exception as exc:  # a sender bug must not kill alerting for the day
                if self._abort.is_set():  # close gave up (and closed the client under us)
                    with self._cv:
                        self._queue.appendleft(alert)
                        self._busy = False
                    return
                self.failed += 1
                shown = str(exc) if isinstance(exc, WebhookError) else type(exc).__name__
                log.error("alert %s not delivered: %s (%s)", alert.kind, shown, alert.summary)
            self._done(alert)
            with self._cv:
                self._busy = False

    def close(self, timeout: float = 5.0) -> int:
        """Deliver what is queued within ``timeout`` seconds, then stop the sender.

        Alerts left are logged but not reported to ``on_done``: ``trader.alert_feed`` re-sends
        the journaled ones at the next start.

        Returns:
            Alerts left undelivered.
        """
        with self._cv:
            self._closing = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                self._abort.set()
                self._thread.join(1.0)
        with self._cv:
            left = list(self._queue)
            self._queue.clear()
        for alert in left:
            log.warning("alert %s not delivered before shutdown: %s", alert.kind, alert.summary)
        if self.webhook is not None:
            self.webhook.close()
        return len(left) + int(self._busy)
