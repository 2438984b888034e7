"""The live session of ``python -m trader --live``: the same loop with the ``KalshiBroker``.

Built only after ``trader.consent`` has accepted the run. Orders go to the consented base URL,
journaled with ``broker = 'live'``; an order whose outcome is unknown blocks further orders
(``--block-all-on-unknown``, live's default) until the reconciliation (``trader.reconcile``),
run before the first tick and then every ``--reconcile-minutes``, has read it back. The risk
gate's exposure is max(journal, exchange).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from adapters.kalshi.broker import KalshiBroker
from adapters.kalshi.client import KalshiClient
from adapters.kalshi.fields import OrderFormatError
from adapters.kalshi.orders import TimeInForce
from adapters.kalshi.portfolio import KalshiPortfolio
from domain.brackets import Bracket
from domain.tickers import bracket_from_ticker, parse_ticker
from trader.cli_common import console, fail
from trader.cli_trade import (
    Session,
    TradeOptions,
    export_loader,
    iem_client,
    kalshi_client,
    trade_gate,
)
from trader.consent import LiveConsent
from trader.feeds import IemObservations
from trader.gates import unresolved_orders
from trader.inputs import ExportError
from trader.journal import Journal
from trader.journal_state import record_heartbeat
from trader.loop import VENUE_ERRORS, Trader
from trader.markets import KalshiMarkets, SeriesFees
from trader.reconcile import Reconciler
from trader.recovery import restore_breakers
from trader.settlement import IemClimate

log = logging.getLogger(__name__)


def live_reconciler(
    journal: Journal,
    client: KalshiClient,
    markets: KalshiMarkets,
    broker: KalshiBroker,
    clock: Callable[[], datetime],
    missing_after: int,
) -> Reconciler:
    """The reconciliation of a live journal with the exchange (``trader.reconcile``).

    Args:
        journal: the live journal.
        client: the signed client of the consented environment.
        markets: ladders (the brackets of adopted orders).
        broker: reads one order back by client order id.
        clock: the trader's clock.
        missing_after: consecutive misses before an open order is declared missing.

    Returns:
        The reconciler.
    """

    def bracket_of(ticker: str) -> Bracket:
        parsed = parse_ticker(ticker)
        for market in markets.ladder(parsed.series_ticker, parsed.climate_date):
            if market.market_ticker == ticker:
                return market.bracket
        return bracket_from_ticker(ticker)  # no longer listed as tradable: its B/T suffix

    return Reconciler(journal, KalshiPortfolio(client), broker, clock, bracket_of, missing_after)


def live_session(
    consent: LiveConsent, journal: Journal, options: TradeOptions, clock: Callable[[], datetime]
) -> Session:
    """The live trader and its reconciliation.

    Args:
        consent: what the operator consented to (environment, base URL, signer).
        journal: the live journal (no paper order in it).
        options: the CLI's options.
        clock: the trader's clock.

    Returns:
        The session; its first reconciliation runs before the first tick.
    """
    load = export_loader(options)
    now = clock()
    try:
        export = load(now)
    except ExportError as exc:
        fail(str(exc), 2)
    if export.simulated:
        fail("simulated thresholds never trade live: use the real export", 2)
    console.print(f"[bold]LIVE orders on {consent.env} ({consent.base_url})[/]", highlight=False)
    client = kalshi_client(options, consent.base_url, consent.signer)
    markets = KalshiMarkets(client)
    tif = TimeInForce.FILL_OR_KILL if options.fill_or_kill else TimeInForce.IMMEDIATE_OR_CANCEL

    def broker_for(fees: SeriesFees) -> KalshiBroker:
        return KalshiBroker(client, clock, tif, fees.fee_type, fees.fee_multiplier)

    reconciler = live_reconciler(
        journal, client, markets, broker_for(SeriesFees()), clock, options.missing_after
    )

    def reconcile() -> int:
        try:
            report = reconciler.run()
        except (*VENUE_ERRORS, OrderFormatError) as exc:
            # Nothing is known until a pass completes: open orders keep blocking.
            log.warning("reconciliation failed, retried at the next pass: %s", exc)
            return len(unresolved_orders(journal))
        for what, ids in (
            ("resolved", report.resolved),
            ("missing", report.missing),
            ("adopted", report.adopted),
            ("foreign", report.foreign),
        ):
            if ids:
                console.print(f"reconciliation: {what} {', '.join(ids)}", highlight=False)
        return report.unresolved

    iem = iem_client(options)
    trades = len(journal.orders(now.date()))
    record_heartbeat(journal, now, "start", f"live {consent.env}; {trades} orders journaled today")
    trader = Trader(
        export,
        journal,
        IemObservations(iem),
        markets,
        broker_for,
        restore_breakers(journal, options.limits),
        clock,
        options.stations,
        climate=IemClimate(iem).report,
        reload_export=load,
        max_export_age=options.max_export_age,
        gate=trade_gate(journal, options, reconciler.exposure),
    )
    return Session(trader, reconcile, options.reconcile_every)
