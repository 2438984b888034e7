"""Alerts across a kill -9: what was queued or in flight is re-sent at the next start (marked
as a possible repeat), what was delivered or given up is not; older alert tables are brought
forward."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta

from tests.fakes.discord_server import FakeDiscord
from tests.trader.alert_world import (  # noqa: F401 - the fixtures
    TRADED_AT,
    discord_fixture,
    filled_order,
    journal_fixture,
    run_feed,
    webhook_url,
)
from trader.alert_feed import JournalAlerts
from trader.alerts import Notifier
from trader.journal import Journal
from trader.journal_state import record_heartbeat
from trader.loop import TickReport

KILLED_TRADER = """
import sys, time
from datetime import datetime
from pathlib import Path
from trader.alert_feed import JournalAlerts
from trader.alerts import Notifier
from trader.daily_reports import DailyReport, daily_report_alert
from trader.journal import Journal
from trader.loop import TickReport
at = datetime.fromisoformat(sys.argv[3])
journal = Journal(Path(sys.argv[1]))
feed = JournalAlerts(journal, Notifier(sys.argv[2], levels={"heartbeat": "off"}), at)
feed.after_tick(TickReport(at), at)
print("queued", flush=True)
time.sleep(60)
"""


def test_an_alert_in_flight_at_kill_9_is_resent_once(
    journal: Journal, discord: FakeDiscord
) -> None:
    JournalAlerts(journal, Notifier(None), TRADED_AT - timedelta(minutes=5))  # the baseline
    filled_order(journal)
    discord.script, discord.slow_s = ["slow"], 30.0  # Discord never answers the killed trader
    killed = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            "-c",
            KILLED_TRADER,
            str(journal.path),
            webhook_url(discord),
            str(TRADED_AT),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert killed.stdout is not None and killed.stdout.readline().strip() == "queued"
        deadline = time.monotonic() + 10
        while not discord.attempts and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(discord.attempts) == 1  # the trade alert is in flight
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
    later = TRADED_AT + timedelta(minutes=5)
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"})
    JournalAlerts(journal, notifier, later).after_tick(TickReport(later), later)
    assert notifier.close(timeout=5) == 0
    (resent,) = discord.received
    assert resent["embeds"][0]["title"] == "FILLED KNYC HIGH 79-80°F 10/10 @ $0.8900"
    assert resent["content"] == "Re-sent after a restart: it may be a repeat."
    discord.received.clear()
    assert run_feed(journal, discord, later + timedelta(minutes=5)) == []  # delivered: not again


def test_logged_or_given_up_alerts_are_not_resent(journal: Journal, discord: FakeDiscord) -> None:
    feed = JournalAlerts(journal, Notifier(None), TRADED_AT)  # log only
    filled_order(journal)
    feed.after_tick(TickReport(TRADED_AT), TRADED_AT)
    record_heartbeat(journal, TRADED_AT, "start", "paper")
    discord.script = [400]  # Discord refuses it for good: logged, not retried at a restart
    later = TRADED_AT + timedelta(minutes=5)
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"})
    JournalAlerts(journal, notifier, later).after_tick(TickReport(later), later)
    assert notifier.close(timeout=5) == 0 and notifier.failed == 1
    assert run_feed(journal, discord, later + timedelta(minutes=5)) == []
    pending = "SELECT count(*) FROM alerts_sent WHERE delivered_at IS NULL AND alert IS NOT NULL"
    assert journal.query(pending)[0][0] == 0


def test_first_version_alert_tables_are_brought_forward(
    journal: Journal, discord: FakeDiscord
) -> None:
    journal.write(
        "CREATE TABLE alerts_sent (alert_key TEXT PRIMARY KEY, sent_at TEXT NOT NULL) STRICT", ()
    )
    assert run_feed(journal, discord, TRADED_AT) == []
    filled_order(journal)
    assert len(run_feed(journal, discord, TRADED_AT + timedelta(minutes=5))) == 1
    columns = {row["name"] for row in journal.query("PRAGMA table_info(alerts_sent)")}
    assert {"alert", "delivered_at"} <= columns


def test_an_alert_left_when_close_gives_up_is_resent(
    journal: Journal, discord: FakeDiscord
) -> None:
    JournalAlerts(journal, Notifier(None), TRADED_AT - timedelta(minutes=5))  # the baseline
    filled_order(journal)
    discord.script, discord.slow_s = ["slow"], 30.0
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"}, timeout_s=0.5)
    JournalAlerts(journal, notifier, TRADED_AT).after_tick(TickReport(TRADED_AT), TRADED_AT)
    deadline = time.monotonic() + 5
    while not discord.attempts and time.monotonic() < deadline:
        time.sleep(0.02)
    assert notifier.close(timeout=0.1) == 1  # a normal stop while Discord hangs
    assert notifier._thread is not None
    notifier._thread.join(5)  # the sender gives up its request and stops
    later = TRADED_AT + timedelta(minutes=5)
    (resent,) = run_feed(journal, discord, later)
    assert resent["title"] == "FILLED KNYC HIGH 79-80°F 10/10 @ $0.8900"
