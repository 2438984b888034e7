"""Journal rows beside orders and fills: decisions, settlements, breaker events, heartbeats and
running extremes.

Functions over an open ``Journal``; each write is one committed transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.decision import Decision
from domain.running_extreme import RunningExtreme
from trader.breakers import BreakerEvent
from trader.journal import Journal, JournalError
from trader.journal_codec import from_iso, from_text, to_iso, to_text

MARKET_RESULTS = frozenset({"yes", "no", "void"})


def record_decision(
    journal: Journal,
    decision: Decision,
    *,
    decided_at: datetime,
    verdict: str,
    running_extreme_f: int | None,
    observation_age_minutes: Decimal | int | None,
) -> int:
    """Journal one decision (trade or not) with its reason code.

    Args:
        journal: the open journal.
        decision: what ``domain.decision.decide`` returned.
        decided_at: aware instant of the tick.
        verdict: the thresholds row's ``GO`` or ``KILL`` (KILL rows are watched, not traded).
        running_extreme_f: the running extreme the decision saw.
        observation_age_minutes: the observation age it saw.

    Returns:
        The new ``decision_id``.
    """
    age = None if observation_age_minutes is None else Decimal(observation_age_minutes)
    return journal.write(
        "INSERT INTO decisions (decided_at, station_icao, contract_type, climate_date, "
        "checkpoint_minute, verdict, rule, action, reason_code, reason, market_ticker, "
        "price, count, fee, probability, expected_value_per_contract, running_extreme_f, "
        "observation_age_minutes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            to_iso(decided_at),
            decision.station_icao,
            decision.contract_type,
            decision.climate_date.isoformat(),
            decision.checkpoint_minute,
            verdict,
            decision.rule,
            decision.action,
            str(decision.reason_code),
            decision.reason,
            decision.market_ticker,
            to_text(decision.price),
            decision.count,
            to_text(decision.fee),
            to_text(decision.probability),
            to_text(decision.expected_value_per_contract),
            running_extreme_f,
            to_text(age),
        ),
    )


def decision_count(journal: Journal, climate_date: date | None = None) -> int:
    """Decisions journaled (on ``climate_date`` when given)."""
    day = None if climate_date is None else climate_date.isoformat()
    sql = "SELECT count(*) FROM decisions WHERE ? IS NULL OR climate_date = ?"
    return int(journal.query(sql, (day, day))[0][0])


def decision_extreme(journal: Journal, decision_id: int | None) -> int | None:
    """The running extreme a journaled decision saw (None without a decision or a value)."""
    if decision_id is None:
        return None
    rows = journal.query(
        "SELECT running_extreme_f FROM decisions WHERE decision_id = ?", (decision_id,)
    )
    return None if not rows else rows[0][0]


@dataclass(frozen=True)
class SettlementRecord:
    """How one paper order ended.

    Attributes:
        client_order_id: the order.
        market_ticker: its market.
        market_result: ``yes``, ``no`` or ``void``.
        settled_value_f: the CLI value the market settled on (whole °F), if known.
        running_extreme_f: the running extreme the trade saw.
        extreme_disagrees: True when the CLI value contradicts the running extreme (audit flag:
            the CLI high below the running max seen, or the CLI low above the running min).
        pnl: realised P&L in dollars, fees included.
        risk_day: the climate date the P&L is booked on (``domain.risk``).
        settled_at: aware instant of settlement.
    """

    client_order_id: str
    market_ticker: str
    market_result: str
    settled_value_f: int | None
    running_extreme_f: int | None
    extreme_disagrees: bool
    pnl: Decimal
    risk_day: date
    settled_at: datetime


def record_settlement(journal: Journal, settlement: SettlementRecord) -> bool:
    """Journal a settlement once.

    Returns:
        True when new; False when the same settlement was already journaled.

    Raises:
        JournalError: a different settlement for the same order, or an unwritable journal.
    """
    if settlement.market_result not in MARKET_RESULTS:
        raise ValueError(f"market_result {settlement.market_result!r} not in {MARKET_RESULTS}")
    existing = settlements(journal, client_id=settlement.client_order_id)
    if existing:
        if existing[0] != settlement:
            raise JournalError(f"settlement of {settlement.client_order_id} differs from journal")
        return False
    journal.write(
        "INSERT INTO settlements (client_order_id, market_ticker, market_result, "
        "settled_value_f, running_extreme_f, extreme_disagrees, pnl, risk_day, settled_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            settlement.client_order_id,
            settlement.market_ticker,
            settlement.market_result,
            settlement.settled_value_f,
            settlement.running_extreme_f,
            int(settlement.extreme_disagrees),
            to_text(settlement.pnl),
            settlement.risk_day.isoformat(),
            to_iso(settlement.settled_at),
        ),
    )
    return True


def settlements(journal: Journal, client_id: str | None = None) -> list[SettlementRecord]:
    """Settlements in settlement order (one order's when ``client_id`` is given)."""
    sql = "SELECT * FROM settlements"
    params: tuple[object, ...] = ()
    if client_id is not None:
        sql, params = sql + " WHERE client_order_id = ?", (client_id,)
    rows = journal.query(sql + " ORDER BY settled_at, rowid", params)
    return [
        SettlementRecord(
            client_order_id=row["client_order_id"],
            market_ticker=row["market_ticker"],
            market_result=row["market_result"],
            settled_value_f=row["settled_value_f"],
            running_extreme_f=row["running_extreme_f"],
            extreme_disagrees=bool(row["extreme_disagrees"]),
            pnl=Decimal(row["pnl"]),
            risk_day=date.fromisoformat(row["risk_day"]),
            settled_at=datetime.fromisoformat(row["settled_at"]),
        )
        for row in rows
    ]


def record_breaker_event(journal: Journal, event: BreakerEvent) -> int:
    """Journal one breaker transition; returns its ``event_id``."""
    return journal.write(
        "INSERT INTO breaker_events (at, breaker, scope, state_from, state_to, reason, until_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            to_iso(event.at),
            event.breaker,
            event.scope,
            event.state_from,
            event.state_to,
            event.reason,
            None if event.until_at is None else to_iso(event.until_at),
        ),
    )


def breaker_events(journal: Journal) -> list[BreakerEvent]:
    """Every breaker transition in journal order."""
    return [
        BreakerEvent(
            at=datetime.fromisoformat(row["at"]),
            breaker=row["breaker"],
            scope=row["scope"],
            state_from=row["state_from"],
            state_to=row["state_to"],
            reason=row["reason"],
            until_at=from_iso(row["until_at"]),
        )
        for row in journal.query("SELECT * FROM breaker_events ORDER BY event_id")
    ]


def record_heartbeat(journal: Journal, at: datetime, kind: str, detail: str = "") -> int:
    """Journal a heartbeat (``start``, ``tick``, ``stop``...); returns its id."""
    return journal.write(
        "INSERT INTO heartbeats (at, kind, detail) VALUES (?, ?, ?)", (to_iso(at), kind, detail)
    )


def last_heartbeat(journal: Journal) -> tuple[datetime, str, str] | None:
    """The newest heartbeat as (at, kind, detail), or None."""
    rows = journal.query(
        "SELECT at, kind, detail FROM heartbeats ORDER BY heartbeat_id DESC LIMIT 1"
    )
    if not rows:
        return None
    return datetime.fromisoformat(rows[0]["at"]), rows[0]["kind"], rows[0]["detail"]


def last_tick_at(journal: Journal) -> datetime | None:
    """The instant of the newest completed tick (its ``tick`` heartbeat), or None."""
    rows = journal.query("SELECT max(at) AS at FROM heartbeats WHERE kind = 'tick'")
    return from_iso(rows[0]["at"]) if rows else None


def save_running_extreme(journal: Journal, extreme: RunningExtreme) -> None:
    """Upsert a station's running extremes for its climate day (the newest ``as_of`` wins)."""
    journal.write(
        "INSERT INTO running_extremes (station_icao, climate_date, running_max_f, running_min_f, "
        "running_max_f_precise, running_min_f_precise, observation_count, latest_observed_at, "
        "as_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (station_icao, climate_date) DO UPDATE SET "
        "running_max_f = excluded.running_max_f, running_min_f = excluded.running_min_f, "
        "running_max_f_precise = excluded.running_max_f_precise, "
        "running_min_f_precise = excluded.running_min_f_precise, "
        "observation_count = excluded.observation_count, "
        "latest_observed_at = excluded.latest_observed_at, as_of = excluded.as_of "
        "WHERE excluded.as_of >= running_extremes.as_of",
        (
            extreme.station_icao,
            extreme.climate_date.isoformat(),
            extreme.running_max_f,
            extreme.running_min_f,
            to_text(extreme.running_max_f_precise),
            to_text(extreme.running_min_f_precise),
            extreme.observation_count,
            None if extreme.latest_observed_at is None else to_iso(extreme.latest_observed_at),
            to_iso(extreme.as_of),
        ),
    )


def load_running_extreme(
    journal: Journal, station_icao: str, climate_date: date
) -> RunningExtreme | None:
    """The journaled running extremes of a station's climate day, or None."""
    rows = journal.query(
        "SELECT * FROM running_extremes WHERE station_icao = ? AND climate_date = ?",
        (station_icao, climate_date.isoformat()),
    )
    if not rows:
        return None
    row = rows[0]
    as_of = from_iso(row["as_of"])
    assert as_of is not None  # NOT NULL column
    return RunningExtreme(
        station_icao=row["station_icao"],
        climate_date=date.fromisoformat(row["climate_date"]),
        as_of=as_of,
        running_max_f=row["running_max_f"],
        running_min_f=row["running_min_f"],
        running_max_f_precise=from_text(row["running_max_f_precise"]),
        running_min_f_precise=from_text(row["running_min_f_precise"]),
        observation_count=row["observation_count"],
        latest_observed_at=from_iso(row["latest_observed_at"]),
    )
