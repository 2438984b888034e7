"""The original system's forecast strategies: buy the forecast's bracket at the open, and hold.

Two rules over one contract day (station x contract x climate date), replayed from the same
as-of quotes as the thermometer engine (executable asks and bids, ``domain.quotes``), sized by
``domain.sizing.size_order`` and charged taker fees by ``domain.fees.trade_fee`` (both through
``domain.pricing.sized_order``, cached):

- ``open_maker_base``: at the day's OPEN, buy YES on the bracket holding the forecast (the
  forecast high for HIGH contracts, the forecast low for LOW) and hold to settlement.
- ``open_maker_next_over``: as base; then, at the first later checkpoint where the running
  extreme is within ``exit_margin_f`` of the held bracket's far edge (the upper edge for HIGH,
  the lower for LOW; a running extreme already past it qualifies) AND the latest forecast is
  past that edge, sell the held contracts at the executable YES bid and buy the next bracket
  beyond it at its executable ask (both taker), then hold that to settlement. One switch a day.

The OPEN is the first checkpoint of the climate day (in time order) at which a forecast
published at or before the checkpoint exists and at least one market of the day's ladder has an
executable YES ask. If the forecast's bracket has no executable ask there, or its ask is above
``max_ask``, the day is not traded (the rule trades the open, it does not wait).

A forecast is rounded half up to whole °F before the bracket lookup (brackets are whole °F).
No look-ahead: each checkpoint carries only the forecast published at or before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from domain.brackets import Bracket
from domain.fees import trade_fee
from domain.pricing import sized_order
from domain.quotes import executable_ask, executable_bid
from domain.risk import order_pnl

ZERO = Decimal(0)
STRATEGIES = ("open_maker_base", "open_maker_next_over")


class BracketQuote(NamedTuple):
    """One market of the ladder at one checkpoint: its bracket, book and final result.

    (Named tuples, not dataclasses, for the two per-checkpoint types: a sample builds about a
    million of them and a tuple is several times cheaper to create.)
    """

    market_ticker: str
    bracket: Bracket
    yes_bid: Decimal | None
    yes_ask: Decimal | None
    result: str | None


class Snapshot(NamedTuple):
    """One checkpoint of a contract day.

    Attributes:
        checkpoint_at: aware UTC instant of the checkpoint.
        running_extreme_f: running max (HIGH) or min (LOW) so far, whole °F, or None.
        forecast_f: the latest forecast (high for HIGH, low for LOW) published at or before
            ``checkpoint_at``, or None when none was published yet.
        quotes: the ladder's markets with a quote at this checkpoint.
    """

    checkpoint_at: datetime
    running_extreme_f: int | None
    forecast_f: Decimal | None
    quotes: tuple[BracketQuote, ...]


@dataclass(frozen=True)
class ContractDay:
    """Everything a forecast strategy sees of one station x contract x climate day."""

    data_source: str
    station_icao: str
    contract_type: str
    climate_date: date
    sample_period: str
    fee_type: str
    fee_multiplier: Decimal
    snapshots: tuple[Snapshot, ...]


@dataclass(frozen=True)
class StrategyParams:
    """The searched parameters (``domain.forecast_search``).

    Attributes:
        max_ask: the highest ask paid at the open (and for the switch), dollars. The rules
            carry no probability, so this price cap is their edge filter (the thermometer
            engine's min edge has nothing to compare against here).
        exit_margin_f: ``open_maker_next_over`` switches when the running extreme is within
            this many °F of the held bracket's far edge; unused by ``open_maker_base``.
    """

    max_ask: Decimal
    exit_margin_f: int = 0


@dataclass(frozen=True)
class Stakes:
    """The design's per-order stake bounds (``domain.sizing``)."""

    stake_min: Decimal
    stake_max: Decimal


@dataclass(frozen=True)
class StrategyTrade:
    """One traded day of one strategy (a row of ``fct_forecast_strategy_trades``)."""

    data_source: str
    strategy: str
    station_icao: str
    contract_type: str
    climate_date: date
    sample_period: str
    opened_at: datetime
    forecast_f: Decimal
    entry_market_ticker: str
    entry_ask_dollars: Decimal
    entry_count: int
    entry_fee_dollars: Decimal
    exited_at: datetime | None
    exit_bid_dollars: Decimal | None
    exit_fee_dollars: Decimal | None
    final_market_ticker: str
    final_ask_dollars: Decimal
    final_count: int
    final_fee_dollars: Decimal
    market_result: str | None
    is_win: bool | None
    pnl_dollars: Decimal | None


def whole_f(value: Decimal) -> int:
    """A forecast as whole °F, rounded half up."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def holding_quote(quotes: Iterable[BracketQuote], value: int) -> BracketQuote | None:
    """The ladder market whose bracket contains ``value``, or None."""
    return next((quote for quote in quotes if quote.bracket.contains(value)), None)


def next_beyond(
    quotes: Iterable[BracketQuote], held: Bracket, contract_type: str
) -> BracketQuote | None:
    """The bracket just past ``held`` in the extreme's direction (up for HIGH, down for LOW)."""
    for quote in quotes:
        if contract_type == "HIGH" and held.upper is not None:
            if quote.bracket.lower == held.upper + 1:
                return quote
        elif contract_type == "LOW" and held.lower is not None:
            if quote.bracket.upper == held.lower - 1:
                return quote
    return None


def open_index(snapshots: Sequence[Snapshot]) -> int | None:
    """Index of the day's OPEN: the first snapshot with a forecast and an executable ask."""
    for index, snap in enumerate(snapshots):
        if snap.forecast_f is not None and any(
            executable_ask(quote.yes_ask) is not None for quote in snap.quotes
        ):
            return index
    return None


def should_switch(snap: Snapshot, held: Bracket, contract_type: str, exit_margin_f: int) -> bool:
    """Do the observations and the forecast both say the extreme will pass the held bracket?

    HIGH: running max >= upper - margin and forecast high > upper. LOW: running min <= lower +
    margin and forecast low < lower. An open tail in that direction never switches.
    """
    if snap.running_extreme_f is None or snap.forecast_f is None:
        return False
    if contract_type == "HIGH":
        if held.upper is None:
            return False
        return snap.running_extreme_f >= held.upper - exit_margin_f and snap.forecast_f > held.upper
    if held.lower is None:
        return False
    return snap.running_extreme_f <= held.lower + exit_margin_f and snap.forecast_f < held.lower


def _buy(
    quote: BracketQuote, day: ContractDay, params: StrategyParams, stakes: Stakes
) -> tuple[Decimal, int, Decimal] | None:
    """(ask, count, fee) of a taker buy of ``quote`` within the stakes and ``max_ask``, or None."""
    ask = executable_ask(quote.yes_ask)
    if ask is None or ask > params.max_ask:
        return None
    # Cached: the search replays every day once per trial at the same few asks.
    count, fee, _ = sized_order(
        ask, stakes.stake_min, stakes.stake_max, day.fee_type, day.fee_multiplier
    )
    if count == 0:
        return None
    return ask, count, fee


def run_day(
    day: ContractDay, strategy: str, params: StrategyParams, stakes: Stakes
) -> StrategyTrade | None:
    """Replay one strategy over one contract day.

    Args:
        day: the day's snapshots in time order.
        strategy: one of ``STRATEGIES``.
        params: the searched parameters.
        stakes: the per-order stake bounds.

    Returns:
        The day's trade, or None when the rule did not trade.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; expected one of {STRATEGIES}")
    start = open_index(day.snapshots)
    if start is None:
        return None
    opening = day.snapshots[start]
    assert opening.forecast_f is not None  # open_index guarantees it
    entry = holding_quote(opening.quotes, whole_f(opening.forecast_f))
    bought = None if entry is None else _buy(entry, day, params, stakes)
    if entry is None or bought is None:
        return None
    ask, count, fee = bought
    final, final_buy = entry, bought
    exited_at: datetime | None = None
    exit_bid: Decimal | None = None
    exit_fee: Decimal | None = None
    cash = ZERO
    if strategy == "open_maker_next_over":
        for snap in day.snapshots[start + 1 :]:
            if not should_switch(snap, entry.bracket, day.contract_type, params.exit_margin_f):
                continue
            held = next((q for q in snap.quotes if q.market_ticker == entry.market_ticker), None)
            target = next_beyond(snap.quotes, entry.bracket, day.contract_type)
            bid = None if held is None else executable_bid(held.yes_bid)
            switch = None if target is None else _buy(target, day, params, stakes)
            if bid is None or target is None or switch is None:
                continue  # cannot execute both legs here; try the next checkpoint
            exit_fee = trade_fee(
                count, bid, fee_type=day.fee_type, fee_multiplier=day.fee_multiplier
            )
            cash = Decimal(count) * (bid - ask) - fee - exit_fee
            exited_at, exit_bid, final, final_buy = snap.checkpoint_at, bid, target, switch
            break
    final_ask, final_count, final_fee = final_buy
    won = final.result == "yes" if final.result in ("yes", "no") else None
    pnl = None if won is None else cash + order_pnl(final_count, final_ask, final_fee, won)
    return StrategyTrade(
        data_source=day.data_source,
        strategy=strategy,
        station_icao=day.station_icao,
        contract_type=day.contract_type,
        climate_date=day.climate_date,
        sample_period=day.sample_period,
        opened_at=opening.checkpoint_at,
        forecast_f=opening.forecast_f,
        entry_market_ticker=entry.market_ticker,
        entry_ask_dollars=ask,
        entry_count=count,
        entry_fee_dollars=fee,
        exited_at=exited_at,
        exit_bid_dollars=exit_bid,
        exit_fee_dollars=exit_fee,
        final_market_ticker=final.market_ticker,
        final_ask_dollars=final_ask,
        final_count=final_count,
        final_fee_dollars=final_fee,
        market_result=final.result,
        is_win=won,
        pnl_dollars=pnl,
    )


def run(
    days: Iterable[ContractDay], strategy: str, params: StrategyParams, stakes: Stakes
) -> list[StrategyTrade]:
    """``run_day`` over many days; the days the rule traded, in input order."""
    trades = (run_day(day, strategy, params, stakes) for day in days)
    return [trade for trade in trades if trade is not None]
