"""Settlement and audit: once a climate day's CLI is out, settle its positions (paper or live).

The value is the CLI's whole-°F high (HIGH) or low (LOW) for the station's climate day, read
from IEM ``json/cli.py``. A report counts only when its product was issued after the climate day
ended (an evening CLI for the same day is preliminary). YES wins iff the order's bracket contains
the value (``domain.brackets``); P&L per fill is ``domain.risk.order_pnl``, realised on the
settlement's own risk day (``domain.risk``). Each trade's running extreme is compared with the
CLI value: a CLI high below the running max seen (or a low above the running min) is flagged.
Live, the exchange's own settlements are compared with these (``trader.reconcile_positions``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from adapters.iem import settings as iem_settings
from adapters.iem.client import IemClient
from domain.climate_day import climate_date as climate_date_of
from domain.climate_day import climate_day_window
from domain.risk import order_pnl
from domain.stations import Station, station_by_icao
from trader.breakers import BreakerState, on_settlement
from trader.journal import Journal, OrderRecord
from trader.journal_state import (
    SettlementRecord,
    decision_extreme,
    record_breaker_event,
    record_settlement,
    settlements,
)
from trader.payloads import shaped

log = logging.getLogger(__name__)

_PRODUCT_TIME = re.compile(r"^(\d{12})")


@dataclass(frozen=True)
class ClimateReport:
    """One CLI day of a station: whole-°F high and low, and the product that said so."""

    station: str
    climate_date: date
    high: int | None
    low: int | None
    product: str

    @property
    def issued_at(self) -> datetime | None:
        """Issuance time from the product id's ``YYYYMMDDHHMM`` prefix (UTC), if readable."""
        match = _PRODUCT_TIME.match(self.product)
        if match is None:
            return None
        try:
            return datetime.strptime(match.group(1), "%Y%m%d%H%M").replace(tzinfo=UTC)
        except ValueError:
            return None


def whole_degrees(value: Any) -> int | None:
    """A CLI temperature as whole °F: cli.py sends ints, "M" (missing) or "T" (trace);
    anything not a whole number is no value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def parse_cli_json(text: str) -> list[ClimateReport]:
    """The reports of an IEM ``json/cli.py`` body (``{"results": [...]}``)."""
    body = json.loads(text) if text.strip() else {}
    out = []
    for row in body.get("results") or []:
        try:
            day = date.fromisoformat(str(row.get("valid")))
        except ValueError:
            continue
        out.append(
            ClimateReport(
                str(row.get("station") or ""),
                day,
                whole_degrees(row.get("high")),
                whole_degrees(row.get("low")),
                str(row.get("product") or ""),
            )
        )
    return out


class IemClimate:
    """CLI reports through the shared IEM client."""

    def __init__(self, client: IemClient) -> None:
        self.client = client

    def report(self, station: Station, climate_date: date) -> ClimateReport | None:
        """The station's CLI report for ``climate_date``, or None when none is out yet."""
        params = {"station": station.cli_station_id, "year": str(climate_date.year)}
        text, url = self.client.get_text(iem_settings.CLI_PATH, params)
        for report in shaped(f"GET {url}", lambda: parse_cli_json(text)):
            if report.climate_date == climate_date:
                return report
        return None


ClimateSource = Callable[[Station, date], ClimateReport | None]


def settle_order(
    journal: Journal, order: OrderRecord, report: ClimateReport, settled_at: datetime
) -> SettlementRecord | None:
    """Settle one filled paper order on its CLI report (None when the report has no value).

    Args:
        journal: the open journal (fills and the decision's running extreme are read from it).
        order: a filled or partially filled order.
        report: the CLI report of the order's station and climate date.
        settled_at: aware instant of settlement.

    Returns:
        The settlement record (not yet journaled).
    """
    value = report.high if order.contract_type == "HIGH" else report.low
    if value is None:
        return None
    won = order.bracket.contains(value)
    fills = journal.fills(order.client_order_id)
    pnl = sum(
        (order_pnl(int(f.count), f.price, f.fee, won) for f in fills),
        Decimal(0),
    )
    extreme = decision_extreme(journal, order.decision_id)
    if extreme is None:
        disagrees = False
    elif order.contract_type == "HIGH":
        disagrees = value < extreme
    else:
        disagrees = value > extreme
    if disagrees:
        log.warning(
            "%s: CLI %s disagrees with the running extreme %s", order.dedup_key, value, extreme
        )
    station = station_by_icao(order.station_icao)
    return SettlementRecord(
        client_order_id=order.client_order_id,
        market_ticker=order.market_ticker,
        market_result="yes" if won else "no",
        settled_value_f=value,
        running_extreme_f=extreme,
        extreme_disagrees=disagrees,
        pnl=pnl,
        risk_day=climate_date_of(settled_at, station),
        settled_at=settled_at,
    )


def due_settlements(
    journal: Journal, climate: ClimateSource, now: datetime
) -> list[SettlementRecord]:
    """Settlements of every filled, unsettled order whose climate day has ended and whose CLI
    is out (issued after the day's end). Nothing is journaled here.

    Raises:
        Whatever the climate source raises (a venue error: the caller backs off).
    """
    settled = {s.client_order_id for s in settlements(journal)}
    out = []
    for order in journal.orders():
        if order.client_order_id in settled or not journal.fills(order.client_order_id):
            continue
        station = station_by_icao(order.station_icao)
        _, day_end = climate_day_window(order.climate_date, station)
        if now < day_end:
            continue
        report = climate(station, order.climate_date)
        issued = None if report is None else report.issued_at
        if report is None or issued is None or issued < day_end:
            continue
        record = settle_order(journal, order, report, now)
        if record is not None:
            out.append(record)
    return out


def settle_due(
    journal: Journal, climate: ClimateSource, state: BreakerState, now: datetime
) -> tuple[BreakerState, list[SettlementRecord]]:
    """Journal every due settlement and feed it to the breakers (losing streak, daily loss).

    Args:
        journal: the open journal.
        climate: the CLI source.
        state: the breaker state.
        now: the aware instant.

    Returns:
        The new state and the settlements journaled.
    """
    records = due_settlements(journal, climate, now)
    for record in records:
        record_settlement(journal, record)
        state, events = on_settlement(state, record.pnl, record.risk_day, now)
        for event in events:
            log.warning("breaker %s: %s", event.breaker, event.reason)
            record_breaker_event(journal, event)
    return state, records
