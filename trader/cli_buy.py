"""``python -m trader buy``: one manual order, journaled and gated like the loop's.

Paper by default (the ``PaperBroker`` on the live book); ``--live`` needs the same consent as the
live trader (``trader.consent``) and sends through the ``KalshiBroker``. Either way the intent is
journaled before it is sent, the one-trade-per-station-contract-day key applies, an order whose
outcome is still open blocks it (live: after a reconciliation pass has read the exchange back),
and the daily exposure cap of ``domain.risk`` is checked (live: against the larger of the
journal's and the exchange's figure).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from adapters.kalshi.broker import KalshiBroker
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.fields import OrderFormatError
from adapters.kalshi.orders import TimeInForce
from domain import risk
from domain.fees import trade_fee
from domain.orders import Execution, OrderIntent
from domain.risk import RiskLimits
from domain.stations import UnknownStationError, station_by_series
from domain.tickers import TickerError, parse_ticker
from trader.brokers import Broker, PaperBroker
from trader.cli_common import (
    Env,
    JournalOption,
    book_signer,
    console,
    fail,
    live_consent,
    live_journal_path,
    open_journal,
)
from trader.cli_live import live_reconciler
from trader.cli_trade import check_mode
from trader.gates import ExchangeExposure, exposure_used, unresolved_orders
from trader.journal import DuplicateOrderError, Journal, JournalError
from trader.loop import VENUE_ERRORS
from trader.markets import KalshiMarkets, SeriesFees
from trader.recovery import apply_execution

log = logging.getLogger(__name__)

# A manual order reads the exchange back before it is sent; as many misses as the loop allows.
MISSING_AFTER = 3


def parse_price(raw: str) -> Decimal:
    """A limit price in dollars, a whole cent strictly between 0 and 1 (exit 2 otherwise)."""
    try:
        price = Decimal(raw)
    except InvalidOperation:
        fail(f"--max-price {raw!r} is not a number of dollars", 2)
    if not Decimal(0) < price < Decimal(1) or price != price.quantize(Decimal("0.01")):
        fail(f"--max-price {raw} must be a whole cent in (0, 1) dollars", 2)
    return price


def manual_intent(markets: KalshiMarkets, ticker: str, count: int, price: Decimal) -> OrderIntent:
    """The intent of a manual buy of YES: station, contract and climate date from the ticker,
    the bracket from the event's ladder (its strike fields), as the loop reads it."""
    try:
        parsed = parse_ticker(ticker)
        station, contract = station_by_series(parsed.series_ticker)
    except (TickerError, UnknownStationError) as exc:
        fail(f"{ticker}: {exc}", 2)
    try:
        ladder = markets.ladder(parsed.series_ticker, parsed.climate_date)
    except VENUE_ERRORS as exc:
        fail(f"cannot reach Kalshi: {exc}", 4)
    found = [m for m in ladder if m.market_ticker == ticker]
    if not found:
        fail(f"{ticker} is not an open market of {parsed.event_ticker}", 2)
    return OrderIntent(
        climate_date=parsed.climate_date,
        station_icao=station.icao,
        contract_type=contract,
        market_ticker=ticker,
        bracket=found[0].bracket,
        count=count,
        limit_price=price,
        created_at=datetime.now(UTC),
    )


def place(
    journal: Journal,
    intent: OrderIntent,
    broker: Broker,
    fees: SeriesFees,
    clock: Callable[[], datetime],
    exchange: ExchangeExposure | None,
    block_on_unresolved: bool,
) -> Execution:
    """Check the gates, journal the intent, send it, journal the outcome (exit 2 when a gate
    refuses: nothing is journaled or sent then)."""
    if block_on_unresolved:
        waiting = unresolved_orders(journal)
        if waiting:
            ids = ", ".join(order.client_order_id for order in waiting)
            fail(f"awaiting reconciliation of {ids}: no new order until it is resolved", 2)
    fee = trade_fee(
        intent.count,
        intent.limit_price,
        role="taker",
        fee_type=fees.fee_type,
        fee_multiplier=fees.fee_multiplier,
    )
    cost = intent.count * intent.limit_price + fee
    limits = RiskLimits()
    used = exposure_used(journal, intent.climate_date, exchange)
    if risk.check_exposure(limits, used, cost) is not None:
        fail(
            f"exposure {used} on {intent.climate_date} + {cost} would exceed "
            f"{limits.max_daily_exposure}",
            2,
        )
    try:
        order = journal.record_intent(intent, broker.name)
    except DuplicateOrderError:
        fail(f"{intent.dedup_key} already has an order: one trade per day", 2)
    try:
        execution = broker.submit(order)
    except VENUE_ERRORS as exc:
        log.error("send failed: %s", exc)
        execution = broker.reconcile(order)
    apply_execution(journal, order, execution, clock())
    return execution


def _clock() -> datetime:
    return datetime.now(UTC)


def buy_command(
    ticker: Annotated[str, typer.Argument(help="Market ticker, e.g. KXHIGHNY-26DEC01-B44.5.")],
    count: Annotated[int, typer.Option(min=1, help="Contracts to buy.")],
    max_price: Annotated[str, typer.Option(help="Highest YES price paid, dollars (0.01..0.99).")],
    paper: Annotated[
        bool, typer.Option("--paper/--live", help="Paper (default), or live (needs consent).")
    ] = True,
    env: Annotated[Env, typer.Option(help="Live: the Kalshi environment.")] = Env.DEMO,
    base_url: Annotated[str | None, typer.Option(help="Live: REST base override.")] = None,
    arming_file: Annotated[
        Path | None, typer.Option(help="Live: arming file instead of the typed phrase.")
    ] = None,
    journal_path: JournalOption = None,
) -> None:
    """Buy YES on one market, immediate-or-cancel at --max-price, journaled like the loop's."""
    price = parse_price(max_price)
    consent = None if paper else live_consent(env, base_url, arming_file)
    if consent is None:
        client = KalshiClient(signer=book_signer(), max_retries=0)
    else:
        client = KalshiClient(consent.base_url, consent.signer, max_retries=0)
    markets = KalshiMarkets(client)
    intent = manual_intent(markets, ticker, count, price)
    try:
        fees = markets.fees(parse_ticker(ticker).series_ticker)
    except VENUE_ERRORS as exc:
        fail(f"cannot reach Kalshi: {exc}", 4)
    mode = "paper" if consent is None else "live"
    try:
        with open_journal(journal_path, None if paper else live_journal_path(env)) as journal:
            check_mode(journal, mode)
            execution = _buy(journal, client, markets, intent, fees, live=consent is not None)
    except JournalError as exc:
        fail(f"journal unwritable: {exc}", 3)
    console.print(
        f"{mode} {execution.status} {intent.client_order_id}: {execution.filled_count} of "
        f"{count} @ <= {price}, cost ${execution.cost}, fee ${execution.fees} ({execution.reason})",
        highlight=False,
    )


def _buy(
    journal: Journal,
    client: KalshiClient,
    markets: KalshiMarkets,
    intent: OrderIntent,
    fees: SeriesFees,
    *,
    live: bool,
) -> Execution:
    if not live:
        paper = PaperBroker(markets.book, _clock, fees.fee_type, fees.fee_multiplier)
        return place(journal, intent, paper, fees, _clock, None, block_on_unresolved=False)
    broker = KalshiBroker(
        client, _clock, TimeInForce.IMMEDIATE_OR_CANCEL, fees.fee_type, fees.fee_multiplier
    )
    reconciler = live_reconciler(journal, client, markets, broker, _clock, MISSING_AFTER)
    try:
        reconciler.run()  # what the exchange holds, before anything is sent
    except (*VENUE_ERRORS, OrderFormatError) as exc:
        fail(f"cannot read the exchange back, nothing sent: {exc}", 4)
    return place(journal, intent, broker, fees, _clock, reconciler.exposure, True)
