"""``--compare-backtest``: every journaled decision of a replayed day against ``fct_backtest_trades``.

The mart keeps, per station x contract x day, the checkpoint the backtest traded at (or its
first risk-blocked order), so it implies the backtest's action at every checkpoint of the day:
nothing before that checkpoint, the trade (same market, price, count and fee) or the block
(same reason and candidate) at it, and nothing after it (one trade per day, or still blocked).
A decision agrees when the trader's action (and, for a trade, its order; for a block, its
reason) is that. A backtest row at a checkpoint the trader never decided at is a mismatch too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from trader.journal import Journal
from trader.replay_backtest import BacktestTrade

BUY = "BUY_YES"


@dataclass(frozen=True)
class JournaledDecision:
    """One decision of the replay's journal (the first at its checkpoint: a restarted replay
    re-runs its last tick, whose repeat sees its own order)."""

    station_icao: str
    contract_type: str
    checkpoint_minute: int
    action: str
    reason_code: str
    market_ticker: str | None
    price: Decimal | None
    count: int
    fee: Decimal


@dataclass(frozen=True)
class Comparison:
    """Agreement of the replay's decisions with the backtest's."""

    agreeing: int
    total: int
    mismatches: tuple[str, ...]

    @property
    def line(self) -> str:
        """The closing line."""
        return f"decisions agreeing with the backtest: {self.agreeing} of {self.total}"


def journaled_decisions(journal: Journal, day: date) -> list[JournaledDecision]:
    """The first decision per station x contract x checkpoint of ``day``, in time order."""
    rows = journal.query(
        "SELECT station_icao, contract_type, checkpoint_minute, action, reason_code, "
        "market_ticker, price, count, fee FROM decisions WHERE climate_date = ? "
        "ORDER BY decision_id",
        (day.isoformat(),),
    )
    seen: dict[tuple[str, str, int], JournaledDecision] = {}
    for row in rows:
        key = (row["station_icao"], row["contract_type"], int(row["checkpoint_minute"]))
        if key in seen:
            continue
        seen[key] = JournaledDecision(
            row["station_icao"],
            row["contract_type"],
            int(row["checkpoint_minute"]),
            row["action"],
            row["reason_code"],
            row["market_ticker"],
            None if row["price"] is None else Decimal(row["price"]),
            int(row["count"]),
            Decimal(row["fee"]),
        )
    return list(seen.values())


def _order(ticker: str | None, price: Decimal | None, count: int, fee: Decimal) -> str:
    return f"{count} x {ticker} @ {price} fee {fee}"


def _mismatch(d: JournaledDecision, bt: BacktestTrade | None) -> str | None:
    """Why ``d`` disagrees with the backtest's implied action, or None."""
    where = f"{d.station_icao} {d.contract_type} minute {d.checkpoint_minute}"
    if bt is None or d.checkpoint_minute != bt.checkpoint_minute:
        if d.action != BUY:
            return None
        if bt is None:
            return f"{where}: trader bought, the backtest never trades this day"
        when = "earlier" if d.checkpoint_minute < bt.checkpoint_minute else "later"
        return (
            f"{where}: trader bought {when} than the backtest (minute {bt.checkpoint_minute}, "
            f"{bt.reason_code})"
        )
    if bt.is_executed:
        mine = _order(d.market_ticker, d.price, d.count, d.fee)
        theirs = _order(bt.market_ticker, bt.yes_ask_dollars, bt.contract_count, bt.fee_dollars)
        if d.action != BUY:
            return f"{where}: backtest bought {theirs}, trader did not ({d.reason_code})"
        return None if mine == theirs else f"{where}: trader {mine}, backtest {theirs}"
    if d.action == BUY:
        return f"{where}: trader bought, the backtest was blocked ({bt.reason_code})"
    if (d.reason_code, d.market_ticker) != (bt.reason_code, bt.market_ticker):
        return (
            f"{where}: trader {d.reason_code} on {d.market_ticker}, backtest "
            f"{bt.reason_code} on {bt.market_ticker}"
        )
    return None


def compare(decisions: list[JournaledDecision], trades: tuple[BacktestTrade, ...]) -> Comparison:
    """Compare every decision with the backtest's implied action at its checkpoint.

    Args:
        decisions: the replay's decisions of one day.
        trades: the backtest's rows of the same day and stations.

    Returns:
        The agreement, with one line per mismatch.
    """
    by_book = {(t.station_icao, t.contract_type): t for t in trades}
    decided = {(d.station_icao, d.contract_type, d.checkpoint_minute) for d in decisions}
    mismatches = []
    for decision in decisions:
        reason = _mismatch(decision, by_book.get((decision.station_icao, decision.contract_type)))
        if reason is not None:
            mismatches.append(reason)
    unseen = [
        t for t in trades if (t.station_icao, t.contract_type, t.checkpoint_minute) not in decided
    ]
    for trade in unseen:
        mismatches.append(
            f"{trade.station_icao} {trade.contract_type} minute {trade.checkpoint_minute}: "
            f"backtest {trade.reason_code}, the trader made no decision there"
        )
    total = len(decisions) + len(unseen)
    return Comparison(total - len(mismatches), total, tuple(mismatches))
