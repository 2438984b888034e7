"""The Discord notifier against a fake webhook (real HTTP): payloads, retries, 429, pacing,
a dead webhook never blocking, and the URL never leaking."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.discord.webhook import DiscordWebhook, WebhookError
from adapters.retry import RetryPolicy
from tests.fakes.discord_server import WEBHOOK_PATH, FakeDiscord
from trader.alert_messages import RED, error_alert, message
from trader.alerts import Alert, Notifier, Priority, parse_levels

AT = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
TOKEN = WEBHOOK_PATH.rsplit("/", 1)[1]
FAST = RetryPolicy(max_attempts=3, backoff_base_s=0.01, backoff_cap_s=0.05)


@pytest.fixture
def discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def url(discord: FakeDiscord) -> str:
    assert discord._server is not None
    host, port = discord._server.server_address[:2]
    return f"http://{host!s}:{port}{WEBHOOK_PATH}"


def _alert(n: int, priority: Priority = Priority.HIGH) -> Alert:
    return Alert("trade", f"alert {n}", message(f"alert {n}", RED, [("n", n)]), priority)


def test_notifier_delivers_embed_payloads(discord: FakeDiscord, url: str) -> None:
    notifier = Notifier(url)
    notifier.post(error_alert("Trading stopped", "journal unwritable", AT))
    assert notifier.close(timeout=5) == 0
    (body,) = discord.received
    (embed,) = body["embeds"]
    assert embed["title"] == "Trading stopped"
    assert embed["color"] == RED
    assert embed["description"] == "journal unwritable"
    assert embed["timestamp"] == AT.isoformat()
    assert body["allowed_mentions"] == {"parse": []}
    assert notifier.delivered == 1


def test_webhook_retries_5xx_then_delivers(discord: FakeDiscord, url: str) -> None:
    discord.script = [500, 503]
    webhook = DiscordWebhook(url, policy=FAST)
    webhook.post({"content": "hello"})
    webhook.close()
    assert len(discord.attempts) == 3
    assert discord.received == [{"content": "hello"}]


def test_webhook_gives_up_after_its_attempts(discord: FakeDiscord, url: str) -> None:
    discord.script = [500, 500, 500]
    webhook = DiscordWebhook(url, policy=FAST)
    with pytest.raises(WebhookError, match="after 3 attempts") as caught:
        webhook.post({"content": "hello"})
    webhook.close()
    assert TOKEN not in str(caught.value) and TOKEN not in caught.value.url
    assert discord.received == []


def test_webhook_honours_retry_after_on_429(discord: FakeDiscord, url: str) -> None:
    discord.script = [429]
    discord.retry_after = 0.4
    webhook = DiscordWebhook(url, policy=FAST)
    webhook.post({"content": "hello"})
    webhook.close()
    first, second = discord.attempts
    assert second - first >= 0.4  # the body's retry_after, not the 10 ms backoff
    assert len(discord.received) == 1


def test_webhook_refuses_absurd_retry_after(discord: FakeDiscord, url: str) -> None:
    discord.script = [429]
    discord.retry_after = 3600
    webhook = DiscordWebhook(url, policy=FAST)
    with pytest.raises(WebhookError, match="rate limited"):
        webhook.post({"content": "hello"})
    webhook.close()
    assert len(discord.attempts) == 1


def test_webhook_paces_to_five_per_two_seconds(discord: FakeDiscord, url: str) -> None:
    webhook = DiscordWebhook(url, policy=FAST)
    for n in range(7):
        webhook.post({"content": str(n)})
    webhook.close()
    assert len(discord.received) == 7
    assert discord.unscripted_429 == 0  # never exceeded the bucket
    times = discord.attempts
    for i in range(len(times) - 5):
        assert times[i + 5] - times[i] >= 2.0 - 0.05  # any 6 requests span at least 2 s


def test_webhook_final_4xx_is_not_retried(discord: FakeDiscord, url: str) -> None:
    webhook = DiscordWebhook(url.replace(TOKEN, "wrong"), policy=FAST)
    with pytest.raises(WebhookError, match="HTTP 404") as caught:
        webhook.post({"content": "hello"})
    webhook.close()
    assert "wrong" not in str(caught.value)


def test_dead_webhook_never_blocks(discord: FakeDiscord, url: str) -> None:
    discord.script = ["slow"] * 20
    discord.slow_s = 3.0
    notifier = Notifier(url, timeout_s=0.3)
    started = time.monotonic()
    for n in range(20):
        notifier.post(_alert(n))
    posting = time.monotonic() - started
    left = notifier.close(timeout=0.5)
    total = time.monotonic() - started
    assert posting < 0.1
    assert total < 3.0
    assert left >= 15 and notifier.delivered == 0


def test_unreachable_webhook_is_time_bounded() -> None:
    notifier = Notifier("http://127.0.0.1:9/api/webhooks/1/closed-port-token", timeout_s=0.2)
    started = time.monotonic()
    notifier.post(_alert(1))
    left = notifier.close(timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert left + notifier.failed == 1


def test_full_queue_drops_oldest_low_priority(
    discord: FakeDiscord, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    discord.script = ["slow"]
    discord.slow_s = 1.0
    notifier = Notifier(url, max_queue=2)
    notifier.post(_alert(0))
    deadline = time.monotonic() + 2
    while len(discord.attempts) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)  # the sender is now inside the slow request
    with caplog.at_level(logging.WARNING, logger="trader.alerts"):
        notifier.post(_alert(1, Priority.LOW))
        notifier.post(_alert(2, Priority.HIGH))
        notifier.post(_alert(3, Priority.HIGH))
    assert notifier.dropped == 1
    assert "dropped trade: alert 1" in caplog.text
    assert notifier.close(timeout=5) == 0
    titles = [body["embeds"][0]["title"] for body in discord.received]
    assert titles == ["alert 0", "alert 2", "alert 3"]


def test_no_webhook_means_log_only(caplog: pytest.LogCaptureFixture) -> None:
    notifier = Notifier.from_env({})
    with caplog.at_level(logging.WARNING, logger="trader.alerts"):
        notifier.post(_alert(7))
    assert notifier.webhook is None
    assert "alert trade: alert 7" in caplog.text
    assert notifier.close() == 0


def test_levels_silent_and_off(discord: FakeDiscord, url: str) -> None:
    notifier = Notifier(url, levels=parse_levels("trade=silent,error=off,bogus=loud"))
    notifier.post(_alert(1))
    notifier.post(error_alert("x", "y", AT))
    notifier.close(timeout=5)
    (body,) = discord.received
    assert body["flags"] == 1 << 12
    assert parse_levels(None) == {"heartbeat": "silent"}


def test_secret_never_logged_nor_shown(
    discord: FakeDiscord, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    discord.script = [500, 429]
    discord.retry_after = 0.05
    with caplog.at_level(logging.DEBUG):
        webhook = DiscordWebhook(url, policy=FAST)
        webhook.post({"content": "hello"})
        webhook.close()
        notifier = Notifier.from_env({"DISCORD_WEBHOOK_URL": url})
        notifier.post(_alert(1))
        shown = repr(notifier) + repr(webhook)
        notifier.close(timeout=5)
    assert len(discord.received) == 2
    assert "HTTP Request: POST <discord webhook>" in caplog.text  # httpx logged, redacted
    assert "retry 1" in caplog.text  # ...and the webhook its retries...
    assert TOKEN not in caplog.text  # ...without the URL's token
    assert TOKEN not in shown


def test_oversized_and_odd_alerts_fit_discord_limits(discord: FakeDiscord, url: str) -> None:
    # Long texts, emoji (2 UTF-16 units each in Discord's count), blanks and a Decimal.
    long = "🌡 Zürich " * 700
    fields = [(f"field {n} {long}", long) for n in range(30)]
    fields += [("none", None), ("empty", ""), ("blank", "  "), ("money", Decimal("0.4500"))]
    huge = message(long, RED, fields, description=long, at=AT, footer=long)
    small = message("", RED, [("money", Decimal("0.4500")), ("blank", " ")])
    notifier = Notifier(url)
    notifier.post(Alert("error", "huge", huge))
    notifier.post(Alert("error", "small", small))
    notifier.post(error_alert("Trading stopped", long * 2, AT))
    assert notifier.close(timeout=5) == 0
    assert notifier.delivered == 3 and notifier.failed == 0  # the fake refuses oversize (400)
    (first,) = discord.received[0]["embeds"]
    assert len(first["fields"]) == 25 and first["title"].endswith("…")
    (second,) = discord.received[1]["embeds"]
    assert [f["value"] for f in second["fields"]] == ["0.4500", "—"]


def test_token_is_redacted_when_httpx_normalises_the_url(
    discord: FakeDiscord, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    shouted = url.replace("http://", "HTTP://")  # httpx logs it as http://...
    discord.script = [500]
    with caplog.at_level(logging.DEBUG):
        webhook = DiscordWebhook(shouted, policy=FAST)
        webhook.post({"content": "hello"})
        webhook.close()
    assert len(discord.received) == 1
    assert "HTTP Request: POST" in caplog.text
    assert TOKEN not in caplog.text
