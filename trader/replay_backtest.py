"""The backtest's side of a replay: its trades (``fct_backtest_trades``), its risk books, and the
risk state each book carries into the replayed day.

The backtest (``domain.backtest``) replays the whole test period with one risk state per book:
per station x contract (``risk_scope = station_contract``, the dbt default) or one for the data
source (``data_source``). A replay of one day starts each book where the backtest's book stood:
every earlier executed trade's P&L is realised at its ``settled_at`` on the traded station's
climate date, in (``settled_at``, trade) order, through ``domain.risk.record_settlement``, the
function the backtest's loop uses. Settlements due after the replay's first instant are held
back and applied when the replay's clock reaches them, as the backtest does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from domain.climate_day import climate_date as climate_date_of
from domain.risk import RiskLimits, RiskState, record_settlement
from domain.stations import station_by_icao
from trader.replay_warehouse import ReplayDataError, fetch_rows

STATION_CONTRACT, DATA_SOURCE = "station_contract", "data_source"

BookId = tuple[str, ...]
"""A risk book: ``(station, contract)`` for ``station_contract``, ``()`` for ``data_source``."""


@dataclass(frozen=True)
class BacktestTrade:
    """The columns of a ``fct_backtest_trades`` row a replay compares or carries in."""

    station_icao: str
    contract_type: str
    climate_date: date
    checkpoint_minute: int
    checkpoint_at: datetime
    market_ticker: str | None
    yes_ask_dollars: Decimal | None
    contract_count: int
    fee_dollars: Decimal
    reason_code: str
    is_executed: bool
    settled_at: datetime | None
    pnl_dollars: Decimal | None
    risk_scope: str

    def book(self, scope: str) -> BookId:
        """The risk book of the trade under ``scope``."""
        return (self.station_icao, self.contract_type) if scope == STATION_CONTRACT else ()


@dataclass(frozen=True)
class CarryIn:
    """One earlier trade's settlement, as the backtest's book realised it."""

    settled_at: datetime
    pnl: Decimal
    risk_day: date


def book_of(station_icao: str, contract_type: str, scope: str) -> BookId:
    """The risk book of a station x contract under ``scope``."""
    return (station_icao, contract_type) if scope == STATION_CONTRACT else ()


def backtest_trades(warehouse: Path, data_source: str, through: date) -> list[BacktestTrade]:
    """Every ``fct_backtest_trades`` row of the data source up to ``through`` (inclusive).

    All stations: under the ``data_source`` scope one book holds them all, so a replay of some
    stations still carries in the others' settlements.

    Raises:
        ReplayDataError: the mart is missing (the warehouse is not built).
    """
    import duckdb

    names = ", ".join(BacktestTrade.__dataclass_fields__)
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise ReplayDataError(f"warehouse {warehouse} cannot be opened: {exc}") from exc
    try:
        rows = fetch_rows(
            con,
            f"select {names} from fct_backtest_trades where data_source = ? "
            "and climate_date <= ? "
            "order by settled_at, checkpoint_at, station_icao, contract_type",
            [data_source, through],
        )
    except duckdb.Error as exc:
        raise ReplayDataError(f"warehouse {warehouse} has no fct_backtest_trades: {exc}") from exc
    finally:
        con.close()
    return [BacktestTrade(**row) for row in rows]


def risk_scope(trades: list[BacktestTrade]) -> str:
    """The backtest's risk scope (its rows say it; none: the dbt default)."""
    scopes = {trade.risk_scope for trade in trades}
    if len(scopes) > 1:
        raise ReplayDataError(f"fct_backtest_trades mixes risk scopes {sorted(scopes)}")
    return scopes.pop() if scopes else STATION_CONTRACT


def carry_ins(trades: list[BacktestTrade], day: date, scope: str) -> dict[BookId, list[CarryIn]]:
    """Per book, the settlements of the backtest's executed trades before ``day``, in order.

    A trade without a P&L or a settlement time (voided, unsettled) never settles, as in the
    backtest.
    """
    out: dict[BookId, list[CarryIn]] = defaultdict(list)
    for trade in trades:
        if trade.climate_date >= day or not trade.is_executed:
            continue
        if trade.settled_at is None or trade.pnl_dollars is None:
            continue
        station = station_by_icao(trade.station_icao)
        out[trade.book(scope)].append(
            CarryIn(trade.settled_at, trade.pnl_dollars, climate_date_of(trade.settled_at, station))
        )
    for entries in out.values():
        entries.sort(key=lambda entry: entry.settled_at)  # stable: trade order breaks ties
    return out


def carried_state(entries: list[CarryIn], limits: RiskLimits, until: datetime) -> RiskState:
    """The book's risk state with every carried-in settlement due at or before ``until``."""
    state = RiskState(limits=limits)
    for entry in entries:
        if entry.settled_at <= until:
            state = record_settlement(state, entry.pnl, entry.risk_day)
    return state


def busiest_test_day(warehouse: Path, data_source: str, stations: tuple[str, ...] | None) -> date:
    """The test-period day with the most executed backtest trades (earliest on a tie).

    Raises:
        ReplayDataError: no backtest trade at all (or no mart).
    """
    import duckdb

    where = "data_source = ? and is_executed"
    params: list[object] = [data_source]
    if stations:
        where += f" and station_icao in ({', '.join('?' for _ in stations)})"
        params.extend(stations)
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise ReplayDataError(f"warehouse {warehouse} cannot be opened: {exc}") from exc
    try:
        rows = con.execute(
            f"select climate_date from fct_backtest_trades where {where} "
            "group by climate_date order by count(*) desc, climate_date limit 1",
            params,
        ).fetchall()
    except duckdb.Error as exc:
        raise ReplayDataError(f"warehouse {warehouse} has no fct_backtest_trades: {exc}") from exc
    finally:
        con.close()
    if not rows:
        raise ReplayDataError(f"no {data_source} backtest trade to replay in {warehouse}")
    day: date = rows[0][0]
    return day


def test_period(warehouse: Path, data_source: str) -> tuple[date, date] | None:
    """The first and last climate date of the backtest's test period (None: no test rows)."""
    import duckdb

    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise ReplayDataError(f"warehouse {warehouse} cannot be opened: {exc}") from exc
    try:
        row = con.execute(
            "select min(climate_date), max(climate_date) from int_thresholds_engine_inputs "
            "where data_source = ? and sample_period = 'test'",
            [data_source],
        ).fetchone()
    except duckdb.Error as exc:
        raise ReplayDataError(f"warehouse {warehouse} is not built for a replay: {exc}") from exc
    finally:
        con.close()
    if row is None or row[0] is None:
        return None
    return row[0], row[1]
