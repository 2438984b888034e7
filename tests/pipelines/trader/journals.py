"""Trader journals for the loader, dbt and report tests, written by the trader's own code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from domain.brackets import Bracket
from domain.decision import Decision
from domain.orders import Fill, OrderIntent, OrderStatus
from trader.breakers import BreakerEvent
from trader.journal import Journal
from trader.journal_state import (
    record_breaker_event,
    record_decision,
    record_heartbeat,
    record_settlement,
)
from trader.settlement import ClimateReport, settle_order


@dataclass(frozen=True)
class Trade:
    """One order of a test journal: its fills (count, price, fee) and how it ended.

    ``won`` None leaves a filled order unsettled; no fills makes it a rejected order.
    """

    station: str
    contract: str
    day: date
    ticker: str
    bracket: Bracket
    count: int
    limit: str
    fills: tuple[tuple[int, str, str], ...]
    won: bool | None
    broker: str = "paper"


# Two settled trades on one day (a paper win and a live loss), a rejected order and an open one,
# on the sample's stations and test days (tests/conftest.py: KMDW, KNYC, 2025-03-08..12).
TRADES = (
    Trade(
        "KMDW",
        "HIGH",
        date(2025, 3, 10),
        "KXHIGHCHI-25MAR10-B45.5",
        Bracket(45, 46),
        10,
        "0.6000",
        ((6, "0.5500", "0.1040"), (4, "0.5600", "0.0690")),
        True,
    ),
    Trade(
        "KNYC",
        "LOW",
        date(2025, 3, 10),
        "KXLOWTNYC-25MAR10-B30.5",
        Bracket(30, 31),
        5,
        "0.3000",
        ((5, "0.3000", "0.0735"),),
        False,
        "live",
    ),
    Trade(
        "KMDW",
        "LOW",
        date(2025, 3, 11),
        "KXLOWTCHI-25MAR11-B28.5",
        Bracket(28, 29),
        8,
        "0.4000",
        (),
        None,
    ),
    Trade(
        "KNYC",
        "HIGH",
        date(2025, 3, 11),
        "KXHIGHNY-25MAR11-B50.5",
        Bracket(50, 51),
        3,
        "0.7000",
        ((3, "0.6500", "0.0478"),),
        None,
    ),
)


def expected_pnl(trade: Trade) -> Decimal:
    """Payout minus cost minus fees, computed here from the trade itself."""
    assert trade.won is not None
    pnl = Decimal(0)
    for count, price, fee in trade.fills:
        payout = Decimal(count) if trade.won else Decimal(0)
        pnl += payout - Decimal(count) * Decimal(price) - Decimal(fee)
    return pnl


def _decision(trade: Trade, price: str) -> Decision:
    return Decision(
        station_icao=trade.station,
        contract_type=trade.contract,
        climate_date=trade.day,
        checkpoint_minute=900,
        rule="design",
        action="BUY_YES",
        reason_code="trade",
        reason="test trade",
        market_ticker=trade.ticker,
        price=Decimal(price),
        count=trade.count,
        fee=Decimal("0.10"),
        probability=Decimal("0.9000"),
        expected_value_per_contract=Decimal("0.2000"),
    )


def write_trade(journal: Journal, trade: Trade, at: datetime) -> str:
    """Journal one trade the way the trader does: decision, intent, fills, settlement."""
    decision_id = record_decision(
        journal,
        _decision(trade, trade.limit),
        decided_at=at,
        verdict="GO",
        running_extreme_f=trade.bracket.lower,
        observation_age_minutes=5,
    )
    intent = OrderIntent(
        climate_date=trade.day,
        station_icao=trade.station,
        contract_type=trade.contract,
        market_ticker=trade.ticker,
        bracket=trade.bracket,
        count=trade.count,
        limit_price=Decimal(trade.limit),
        created_at=at,
        decision_id=decision_id,
    )
    order = journal.record_intent(intent, broker=trade.broker)
    cid = order.client_order_id
    if not trade.fills:
        journal.set_status(cid, OrderStatus.REJECTED, at, reason="no liquidity")
        return cid
    journal.record_fills(
        [
            Fill(f"{cid}-f{n}", cid, trade.ticker, Decimal(c), Decimal(p), Decimal(f), at)
            for n, (c, p, f) in enumerate(trade.fills)
        ],
        at,
    )
    if trade.won is not None:
        # the trader's own settlement: the CLI value inside the bracket wins, one below loses
        value = trade.bracket.lower if trade.won else trade.bracket.lower - 5
        high, low = (value, None) if trade.contract == "HIGH" else (None, value)
        report = ClimateReport(trade.station, trade.day, high, low, "test-cli")
        settled_at = datetime.combine(trade.day + timedelta(days=1), time(14), UTC)
        record = settle_order(journal, order, report, settled_at)
        assert record is not None
        record_settlement(journal, record)
    return cid


def write_journal(path: Path, trades: tuple[Trade, ...] = TRADES) -> list[str]:
    """A journal at ``path`` holding ``trades``, a heartbeat and a breaker event.

    Returns:
        The client order ids, in order.
    """
    at = datetime(2025, 3, 10, 21, 0, tzinfo=UTC)
    with Journal(path) as journal:
        record_heartbeat(journal, at, "start", "paper; test journal")
        ids = [write_trade(journal, t, at + timedelta(minutes=n)) for n, t in enumerate(trades)]
        record_breaker_event(
            journal,
            BreakerEvent(at, "stale_observation", "KNYC", "ok", "paused", "old reading", None),
        )
    return ids
