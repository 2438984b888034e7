"""Alerts driven by the journal: trades, settlements, breakers, reconciliation, the morning
heartbeat and the end-of-day report; a restart neither repeats nor skips."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.fakes.discord_server import FakeDiscord
from tests.trader.alert_world import (  # noqa: F401 - the fixtures
    DAY,
    TRADED_AT,
    discord_fixture,
    filled_order,
    journal_fixture,
    run_feed,
    titles,
    webhook_url,
)
from trader.alert_feed import JournalAlerts
from trader.alert_messages import GREEN, ORANGE, RED
from trader.alerts import Notifier
from trader.breakers import BreakerEvent
from trader.daily_reports import DailyReport, daily_report_alert
from trader.journal import Journal
from trader.journal_events import EventKind, record_event
from trader.journal_state import (
    SettlementRecord,
    record_breaker_event,
    record_heartbeat,
    record_settlement,
)
from trader.loop import Stop, TickReport

BEFORE_HEARTBEAT = datetime(2026, 8, 21, 11, 59, tzinfo=UTC)  # 07:59 EDT


def test_trade_alert_has_the_trade_fields(journal: Journal, discord: FakeDiscord) -> None:
    feed_start = TRADED_AT - timedelta(minutes=5)
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"})
    feed = JournalAlerts(journal, notifier, feed_start)
    filled_order(journal)
    feed.after_tick(TickReport(TRADED_AT), TRADED_AT)
    notifier.close(timeout=5)
    trade = next(b["embeds"][0] for b in discord.received if "FILLED" in b["embeds"][0]["title"])
    assert trade["title"] == "FILLED KNYC HIGH 79-80°F 10/10 @ $0.8900"
    assert trade["color"] == GREEN
    fields = {f["name"]: f["value"] for f in trade["fields"]}
    assert fields["Market"] == "KXHIGHNY-26AUG21-B79.5"
    assert fields["Price"] == "$0.8900 (limit $0.90)"
    assert fields["Count"] == "10 of 10"
    assert fields["Fee"] == "$0.07"
    assert fields["EV / contract"] == "$0.0430"
    assert "edge 0.04" in trade["description"]


def test_restart_neither_repeats_nor_skips(journal: Journal, discord: FakeDiscord) -> None:
    start = TRADED_AT - timedelta(minutes=5)
    assert run_feed(journal, discord, start) == []  # an empty journal: nothing to say
    filled_order(journal)
    first = titles(run_feed(journal, discord, TRADED_AT))
    assert sum("FILLED" in t for t in first) == 1
    again = run_feed(journal, discord, TRADED_AT + timedelta(minutes=5))
    assert again == []  # restarted: the trade is not alerted twice
    record_breaker_event(
        journal,
        BreakerEvent(TRADED_AT, "backoff", "kalshi", "ok", "backoff", "HTTP 503"),
    )
    (breaker,) = run_feed(journal, discord, TRADED_AT + timedelta(minutes=10))
    assert breaker["title"] == "Breaker backoff kalshi: ok -> backoff"
    assert breaker["color"] == RED


def test_first_run_on_an_old_journal_does_not_flood(journal: Journal, discord: FakeDiscord) -> None:
    filled_order(journal)
    record_breaker_event(journal, BreakerEvent(TRADED_AT, "backoff", "iem", "ok", "backoff", "x"))
    assert run_feed(journal, discord, TRADED_AT) == []


def test_start_heartbeat_is_alerted(journal: Journal, discord: FakeDiscord) -> None:
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"})
    feed = JournalAlerts(journal, notifier, TRADED_AT)
    record_heartbeat(journal, TRADED_AT, "start", "paper; 2 orders journaled today")
    feed.after_tick(TickReport(TRADED_AT), TRADED_AT)
    notifier.close(timeout=5)
    (body,) = discord.received
    assert body["embeds"][0]["description"] == "paper; 2 orders journaled today"


def test_heartbeat_once_after_eight_local(journal: Journal, discord: FakeDiscord) -> None:
    eight_oh_one = BEFORE_HEARTBEAT + timedelta(minutes=2)
    embeds = run_feed(
        journal, discord, BEFORE_HEARTBEAT, eight_oh_one, eight_oh_one, heartbeat="on"
    )
    assert titles(embeds) == [f"Heartbeat {DAY}: trader alive"]
    fields = {f["name"]: f["value"] for f in embeds[0]["fields"]}
    assert fields["Breakers"] == "ok"
    assert run_feed(journal, discord, eight_oh_one + timedelta(hours=1), heartbeat="on") == []


def test_end_of_day_report_with_settlement(journal: Journal, discord: FakeDiscord) -> None:
    client_id = filled_order(journal)
    # The CLI settles the day next morning; its P&L is booked that day.
    morning = datetime(2026, 8, 22, 12, 0, tzinfo=UTC)
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"})
    feed = JournalAlerts(journal, notifier, morning)
    record = SettlementRecord(
        client_id,
        "KXHIGHNY-26AUG21-B79.5",
        "yes",
        79,
        80,
        True,
        Decimal("1.03"),
        date(2026, 8, 22),
        morning,
    )
    record_settlement(journal, record)
    feed.after_tick(TickReport(morning), morning)
    night = datetime(2026, 8, 23, 8, 5, tzinfo=UTC)  # 04:05 EDT: every climate day 22 is over
    feed.after_tick(TickReport(night), night)
    notifier.close(timeout=5)
    embeds = [b["embeds"][0] for b in discord.received]
    settled = next(e for e in embeds if e["title"].startswith("Settled"))
    assert settled["color"] == ORANGE  # the CLI (79) is below the running max seen (80)
    report = next(e for e in embeds if e["title"].startswith("End of day 2026-08-22"))
    fields = {f["name"]: f["value"] for f in report["fields"]}
    assert report["title"] == "End of day 2026-08-22: P&L $1.03"
    assert fields["Settled"] == "1 (1 won)"
    assert fields["CLI vs running extreme"] == "1 disagreement(s)"
    assert "CLI 79°F vs running 80°F" in fields["Settlements"]
    assert sum(e["title"].startswith("End of day") for e in embeds) == 1  # the 21st was baselined


def test_reconciliation_events_are_alerted_once(journal: Journal, discord: FakeDiscord) -> None:
    assert run_feed(journal, discord, TRADED_AT) == []
    record_event(journal, TRADED_AT, EventKind.FOREIGN, "not ours", market_ticker="KXHIGHNY-X")
    record_event(journal, TRADED_AT, EventKind.SETTLEMENT_MISMATCH, "exchange says no")
    foreign, mismatch = run_feed(journal, discord, TRADED_AT + timedelta(minutes=5))
    assert foreign["title"] == "Reconciliation: foreign"
    assert foreign["description"] == "not ours"
    assert (foreign["color"], mismatch["color"]) == (ORANGE, RED)
    assert run_feed(journal, discord, TRADED_AT + timedelta(minutes=10)) == []


def test_stopped_tick_and_a_broken_journal_are_error_alerts(
    journal: Journal, discord: FakeDiscord
) -> None:
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"})
    feed = JournalAlerts(journal, notifier, TRADED_AT)
    journal.close()  # unusable journal: the feed must not raise
    stopped = TickReport(TRADED_AT, stopped="journal unwritable", stopped_by=Stop.JOURNAL)
    feed.after_tick(stopped, TRADED_AT)
    for minutes in (5, 10):  # a standing failure is alerted once, not every tick
        later = TRADED_AT + timedelta(minutes=minutes)
        feed.after_tick(TickReport(later), later)
    notifier.close(timeout=5)
    titles = [b["embeds"][0]["title"] for b in discord.received]
    assert titles == ["Trading stopped", "Alerts cannot use the journal"]


def test_a_dead_webhook_never_slows_a_tick(journal: Journal, discord: FakeDiscord) -> None:
    discord.script = ["slow"] * 10
    discord.slow_s = 2.0
    notifier = Notifier(webhook_url(discord), levels={}, timeout_s=0.2)
    feed = JournalAlerts(journal, notifier, TRADED_AT)
    filled_order(journal)
    record_heartbeat(journal, TRADED_AT, "start", "paper")
    started = time.monotonic()
    feed.after_tick(TickReport(TRADED_AT), TRADED_AT)  # trade, start and heartbeat alerts
    elapsed = time.monotonic() - started
    assert notifier.pending >= 2
    notifier.close(timeout=0.2)
    assert elapsed < 0.5


def test_the_report_waits_for_every_climate_day_to_end(
    journal: Journal, discord: FakeDiscord
) -> None:
    eleven_pm = datetime(2026, 8, 22, 3, 5, tzinfo=UTC)  # 23:05 EDT on the 21st
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"})
    feed = JournalAlerts(journal, notifier, TRADED_AT)
    feed.after_tick(TickReport(eleven_pm), eleven_pm)
    # New York's climate day 21 runs to 01:00 EDT: a trade of the 21st after 23:00 EDT.
    filled_order(journal)
    past_midnight = datetime(2026, 8, 22, 7, 55, tzinfo=UTC)  # Los Angeles' day 21 not over
    feed.after_tick(TickReport(past_midnight), past_midnight)
    reports = [b for b in discord.received if b["embeds"][0]["title"].startswith("End of day")]
    assert reports == []
    after = datetime(2026, 8, 22, 8, 5, tzinfo=UTC)
    for at in (after, after + timedelta(minutes=5)):  # once, not on every tick
        feed.after_tick(TickReport(at), at)
    notifier.close(timeout=5)
    (report,) = [
        b["embeds"][0] for b in discord.received if b["embeds"][0]["title"].startswith("End of")
    ]
    assert report["title"] == f"End of day {DAY}: P&L $0"
    fields = {f["name"]: f["value"] for f in report["fields"]}
    assert fields["Trades"] == "1 order(s), 1 filled"


def test_an_odd_row_neither_silences_the_others_nor_repeats(
    journal: Journal, discord: FakeDiscord
) -> None:
    notifier = Notifier(webhook_url(discord), levels={"heartbeat": "off"})
    feed = JournalAlerts(journal, notifier, TRADED_AT)
    journal.write("INSERT INTO heartbeats (at, kind, detail) VALUES ('yesterday', 'start', '')", ())
    filled_order(journal)
    for minutes in (0, 5):
        at = TRADED_AT + timedelta(minutes=minutes)
        feed.after_tick(TickReport(at), at)
    assert notifier.close(timeout=5) == 0
    embeds = [b["embeds"][0] for b in discord.received]
    failed = "Alert could not be built"
    assert titles(embeds) == [failed, "FILLED KNYC HIGH 79-80°F 10/10 @ $0.8900", failed]
    assert embeds[0]["description"].startswith("start:1: ValueError")
    assert embeds[2]["description"].startswith(f"heartbeat:{DAY}: ValueError")  # its last tick


@pytest.mark.parametrize(
    ("day", "eight_utc"),
    [(date(2026, 3, 8), 12), (date(2026, 11, 1), 13)],  # the days daylight time starts / ends
)
def test_heartbeat_at_eight_local_across_dst(
    journal: Journal, discord: FakeDiscord, day: date, eight_utc: int
) -> None:
    eight = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=eight_utc)
    early = run_feed(journal, discord, eight - timedelta(minutes=1), heartbeat="on")
    assert early == []
    assert titles(run_feed(journal, discord, eight, heartbeat="on")) == [
        f"Heartbeat {day}: trader alive"
    ]


def test_a_halted_day_is_red_even_with_a_gain() -> None:
    report = DailyReport(
        DAY, (), 0, 0, Decimal(0), Decimal(0), 1, 1, Decimal("2.10"), 0, (), True, "5 losses", 5
    )
    embed = daily_report_alert(report, TRADED_AT).payload["embeds"][0]
    assert embed["color"] == RED
    assert "HALTED: 5 losses" in {f["value"].split(";")[0] for f in embed["fields"]}
