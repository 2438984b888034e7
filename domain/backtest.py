"""The backtest behind ``fct_backtest_trades``: engine-input rows through the replay, to trades.

The dbt model fetches the test period's rows of ``int_thresholds_engine_inputs`` (one row per
market of a ladder at a checkpoint) and the thresholds table; ``backtest`` turns each
checkpoint's rows into one ``DecisionInput``, replays every book in time order
(``domain.replay``: ``decide`` plus the risk limits) and reports one ``BacktestTrade`` per
station x contract x climate day on which the engine wanted to trade.

- Each thresholds row goes to the engine with verdict GO whatever its verdict, so the chosen
  parameters are always backtested (a KILL row would trade nothing); the trade keeps the real
  verdict as ``station_verdict``.
- The risk scope decides which checkpoints share one risk state: ``data_source`` (one book for
  every station and contract) or ``station_contract`` (one book each). The dbt default is the
  var ``thresholds_backtest_risk_scope`` in ``dbt_project.yml``.
- A trade settles with the market's result at its ``settled_at``; a market with no yes/no result
  (voided, or not settled yet) never settles in the replay.
- A risk-blocked order is reported with the count and fee the engine sized it to
  (``Decision.candidate_count`` / ``candidate_fee``: ``domain.sizing`` and ``domain.fees``), so
  its hypothetical P&L is the engine's own, not a copy of the SQL's.
- Only checkpoints the engine would buy at before its risk gate are replayed (and kept in
  memory): every other one decides NO_TRADE for a reason the risk state never sees (it reports
  nothing and changes no state), so the trades are those of a replay of every checkpoint.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from domain.brackets import Bracket
from domain.decision import Decision, decide
from domain.decision_input import DecisionInput, LadderQuote
from domain.replay import Settlement, replay
from domain.risk import RiskLimits, RiskReason, RiskState, order_pnl
from domain.thresholds import StationThresholds

ZERO = Decimal(0)
RISK_SCOPES = ("data_source", "station_contract")
_RISK_CODES = frozenset(reason.value for reason in RiskReason)

BookKey = tuple[str, str, str]
"""(data source, station ICAO, contract type): one row of the thresholds table."""


class EngineRow(NamedTuple):
    """One row of ``int_thresholds_engine_inputs``: one market of a ladder at one checkpoint.

    Field names are the model's column names; values arrive typed (aware UTC datetimes, exact
    Decimals, Python ints and strings).
    """

    data_source: str
    station_icao: str
    contract_type: str
    climate_date: date
    checkpoint_minute: int
    market_ticker: str
    checkpoint_at: datetime
    running_extreme_f: int | None
    observation_age_minutes: Decimal | None
    bracket_lower: int | None
    bracket_upper: int | None
    headroom_f: int | None
    yes_bid_dollars: Decimal | None
    yes_ask_dollars: Decimal | None
    model_probability: Decimal | None
    fee_type: str
    fee_multiplier: Decimal
    result: str | None
    settled_at: datetime | None


@dataclass(frozen=True)
class BacktestTrade:
    """One row of ``fct_backtest_trades``: the day's executed trade or first blocked order.

    The fields are the mart's columns (documented in ``_thresholds__models.yml``); P&L is 0 for a
    blocked order and ``hypothetical_pnl_dollars`` what it would have made.
    """

    data_source: str
    station_icao: str
    contract_type: str
    climate_date: date
    checkpoint_minute: int
    checkpoint_at: datetime
    market_ticker: str | None
    bracket_lower: int | None
    bracket_upper: int | None
    rule: str
    window_start_minute: int
    window_end_minute: int
    buffer_f: int
    min_edge: Decimal
    accuracy: Decimal
    tier: str
    station_verdict: str
    running_extreme_f: int | None
    observation_age_minutes: int | Decimal | None
    headroom_f: int | None
    yes_bid_dollars: Decimal | None
    yes_ask_dollars: Decimal | None
    model_probability: Decimal | None
    probability: Decimal | None
    contract_count: int
    fee_dollars: Decimal
    cost_dollars: Decimal | None
    expected_value_per_contract: Decimal | None
    decision_action: str
    reason_code: str
    reason: str
    is_executed: bool
    market_result: str | None
    is_win: bool | None
    settled_at: datetime | None
    pnl_dollars: Decimal | None
    hypothetical_pnl_dollars: Decimal | None
    risk_scope: str


@dataclass(frozen=True)
class _Checkpoint:
    """One decision input and the rows it was built from, by ticker."""

    inp: DecisionInput
    rows: dict[str, EngineRow]


def _ladder_input(
    run: list[EngineRow], engine: Mapping[BookKey, StationThresholds]
) -> tuple[BookKey, _Checkpoint]:
    """The book and ``DecisionInput`` of one checkpoint's ladder (rows of one book and instant)."""
    first = run[0]
    book = (first.data_source, first.station_icao, first.contract_type)
    thresholds = engine[book]
    ladder = tuple(
        LadderQuote(
            market_ticker=row.market_ticker,
            bracket=Bracket(row.bracket_lower, row.bracket_upper),
            yes_ask=row.yes_ask_dollars,
            yes_bid=row.yes_bid_dollars,
            probability=row.model_probability,
            fee_type=row.fee_type,
            fee_multiplier=row.fee_multiplier,
        )
        for row in run
    )
    inp = DecisionInput(
        thresholds=thresholds,
        contract_type=thresholds.contract_type,
        climate_date=first.climate_date,
        running_extreme_f=first.running_extreme_f,
        observation_age_minutes=first.observation_age_minutes,
        ladder=ladder,
        now=first.checkpoint_at,
    )
    return book, _Checkpoint(inp, {row.market_ticker: row for row in run})


def _ladders(
    rows: Iterable[EngineRow], engine: Mapping[BookKey, StationThresholds]
) -> Iterator[tuple[BookKey, _Checkpoint]]:
    """Group rows into one checkpoint per book and instant, in time order.

    Rows must come ordered by ``checkpoint_at`` then book (data source, station, contract), so
    each ladder is one contiguous run (streamed, never all in memory); rows of books without
    thresholds are skipped.
    """
    run: list[EngineRow] = []
    current: tuple[datetime, str, str, str] | None = None
    for row in rows:
        if (row.data_source, row.station_icao, row.contract_type) not in engine:
            continue
        key = (row.checkpoint_at, row.data_source, row.station_icao, row.contract_type)
        if key != current:
            if current is not None and key < current:
                raise ValueError(f"engine rows out of order: {key} after {current}")
            if run:
                yield _ladder_input(run, engine)
            run = []
            current = key
        run.append(row)
    if run:
        yield _ladder_input(run, engine)


def _trade(
    checkpoint: _Checkpoint, decision: Decision, book: BookKey, verdict: str, scope: str
) -> BacktestTrade:
    """The mart row of a trade or of a risk-blocked order."""
    assert decision.market_ticker is not None  # only trades and blocked candidates get here
    inp, row = checkpoint.inp, checkpoint.rows[decision.market_ticker]
    th = inp.thresholds
    won = row.result == "yes" if row.result in ("yes", "no") else None
    count, fee = decision.candidate_count, decision.candidate_fee
    would_make = (
        order_pnl(count, decision.price, fee, won)
        if won is not None and count and decision.price is not None
        else None
    )
    return BacktestTrade(
        data_source=book[0],
        station_icao=th.station_icao,
        contract_type=inp.contract_type,
        climate_date=inp.climate_date,
        checkpoint_minute=decision.checkpoint_minute,
        checkpoint_at=inp.now,
        market_ticker=decision.market_ticker,
        bracket_lower=row.bracket_lower,
        bracket_upper=row.bracket_upper,
        rule=th.rule,
        window_start_minute=th.window_start_minute,
        window_end_minute=th.window_end_minute,
        buffer_f=th.buffer_f,
        min_edge=th.min_edge,
        accuracy=th.accuracy,
        tier=th.tier,
        station_verdict=verdict,
        running_extreme_f=inp.running_extreme_f,
        observation_age_minutes=inp.observation_age_minutes,
        headroom_f=row.headroom_f,
        yes_bid_dollars=row.yes_bid_dollars,
        yes_ask_dollars=decision.price,
        model_probability=row.model_probability,
        probability=decision.probability,
        contract_count=count,
        fee_dollars=fee,
        cost_dollars=decision.price * count if count and decision.price is not None else None,
        expected_value_per_contract=decision.expected_value_per_contract,
        decision_action=decision.action,
        reason_code=decision.reason_code,
        reason=decision.reason,
        is_executed=decision.is_trade,
        market_result=row.result,
        is_win=won,
        settled_at=row.settled_at,
        pnl_dollars=would_make if decision.is_trade else ZERO,
        hypothetical_pnl_dollars=would_make,
        risk_scope=scope,
    )


def backtest(
    rows: Iterable[EngineRow],
    thresholds: Mapping[BookKey, Mapping[str, Any]],
    limits: RiskLimits,
    scope: str,
) -> list[BacktestTrade]:
    """Replay the engine-input rows, one risk state per book of the scope.

    Args:
        rows: the test period's engine inputs inside each station's window, ordered by
            ``checkpoint_at``, data source, station, contract (ticker order is free).
        thresholds: the thresholds table's records (``StationThresholds`` fields plus
            ``verdict``) by (data source, station, contract).
        limits: the risk limits of every book.
        scope: ``data_source`` or ``station_contract`` (``RISK_SCOPES``).

    Returns:
        One trade per station x contract x climate day with a trade or a risk-blocked order,
        ordered by book of the scope, then time.
    """
    if scope not in RISK_SCOPES:
        raise ValueError(f"unknown risk scope {scope!r}; expected one of {RISK_SCOPES}")
    engine = {
        key: StationThresholds.from_record({**record, "verdict": "GO"}, allow_simulated=True)
        for key, record in thresholds.items()
    }
    # A fresh state with the replay's limits: the same stakes, and no risk gate that can say no.
    probe = RiskState(limits=limits)
    settlements: dict[tuple[str, str], tuple[datetime | None, str | None]] = {}
    streams: dict[tuple[str, ...], list[tuple[BookKey, _Checkpoint]]] = defaultdict(list)
    for book, checkpoint in _ladders(rows, engine):
        if not decide(checkpoint.inp, probe).is_trade:
            continue
        for ticker, row in checkpoint.rows.items():
            settlements[(book[0], ticker)] = (row.settled_at, row.result)
        streams[book[:1] if scope == "data_source" else book].append((book, checkpoint))

    out: list[BacktestTrade] = []
    for stream_key in sorted(streams):
        stream = streams[stream_key]

        def settle(decision: Decision, data_source: str = stream_key[0]) -> Settlement | None:
            key = (data_source, decision.market_ticker or "")
            settled_at, result = settlements.get(key, (None, None))
            if settled_at is None or result not in ("yes", "no"):
                return None
            return Settlement(settled_at=settled_at, won=result == "yes")

        decisions = replay((checkpoint.inp for _, checkpoint in stream), settle, limits)
        seen: set[tuple[str, str, str, date]] = set()
        for (book, checkpoint), decision in zip(stream, decisions, strict=True):
            day_key = (*book, checkpoint.inp.climate_date)
            wanted = decision.is_trade or (
                decision.reason_code in _RISK_CODES and decision.market_ticker is not None
            )
            if not wanted or day_key in seen:
                continue
            seen.add(day_key)
            out.append(_trade(checkpoint, decision, book, str(thresholds[book]["verdict"]), scope))
    return out
