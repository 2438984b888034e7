"""Builders shared by the engine tests: a KNYC July day, its ladders, thresholds and inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.brackets import Bracket
from domain.decision_input import DecisionInput, LadderQuote
from domain.thresholds import StationThresholds

D = Decimal
DAY = date(2025, 7, 1)  # daylight time at KNYC: civil clock is EDT, climate day is EST
EDT = ZoneInfo("America/New_York")
LST_MIDNIGHT = datetime(2025, 7, 1, 5, 0, tzinfo=UTC)  # 00:00 EST = 05:00 UTC
B84 = "KXHIGHNY-25JUL01-B84.5"
FV: dict[str, object] = {"rule": "fair_value", "min_edge": D("0.03")}


def at_minute(minute: int) -> datetime:
    """The instant ``minute`` minutes after the KNYC climate day's LST midnight."""
    return LST_MIDNIGHT + timedelta(minutes=minute)


def high_ladder(asks: dict[str, Decimal | None] | None = None) -> tuple[LadderQuote, ...]:
    """A KXHIGHNY ladder: <=79 | 80-81 | 82-83 | 84-85 | 86-87 | >=88, every ask 0.90 unless given."""
    brackets = {
        "KXHIGHNY-25JUL01-T80": Bracket(None, 79),
        "KXHIGHNY-25JUL01-B80.5": Bracket(80, 81),
        "KXHIGHNY-25JUL01-B82.5": Bracket(82, 83),
        B84: Bracket(84, 85),
        "KXHIGHNY-25JUL01-B86.5": Bracket(86, 87),
        "KXHIGHNY-25JUL01-T87": Bracket(88, None),
    }
    asks = asks or {}
    return tuple(
        LadderQuote(ticker, bracket, asks.get(ticker, D("0.90")), yes_bid=D("0.85"))
        for ticker, bracket in brackets.items()
    )


def low_ladder(asks: dict[str, Decimal | None] | None = None) -> tuple[LadderQuote, ...]:
    """A KXLOWTNYC ladder: <=59 | 60-61 | 62-63 | >=64."""
    brackets = {
        "KXLOWTNYC-25JUL01-T60": Bracket(None, 59),
        "KXLOWTNYC-25JUL01-B60.5": Bracket(60, 61),
        "KXLOWTNYC-25JUL01-B62.5": Bracket(62, 63),
        "KXLOWTNYC-25JUL01-T63": Bracket(64, None),
    }
    asks = asks or {}
    return tuple(
        LadderQuote(ticker, bracket, asks.get(ticker, D("0.90")))
        for ticker, bracket in brackets.items()
    )


def fv_ladder(values: dict[str, tuple[Decimal | None, Decimal | None]]) -> tuple[LadderQuote, ...]:
    """The HIGH ladder with (ask, probability) per ticker; others have no probability."""
    out = []
    for quote in high_ladder():
        ask, p = values.get(quote.market_ticker, (quote.yes_ask, None))
        out.append(replace(quote, yes_ask=ask, probability=p))
    return tuple(out)


def thresholds(**overrides: object) -> StationThresholds:
    """KNYC HIGH design thresholds: window from 16:00 LST, buffer 0, accuracy 0.95, no min edge."""
    base: dict[str, object] = {
        "station_icao": "KNYC",
        "contract_type": "HIGH",
        "rule": "design",
        "window_start_minute": 960,  # 16:00 LST
        "buffer_f": 0,
        "accuracy": D("0.95"),
        "min_edge": D("0"),
    }
    base.update(overrides)
    return StationThresholds(**base)  # type: ignore[arg-type]


def make_input(
    th: StationThresholds | None = None,
    *,
    extreme: int | None = 84,
    age: int | Decimal | None = 5,
    ladder: tuple[LadderQuote, ...] | None = None,
    now: datetime | None = None,
) -> DecisionInput:
    """A decision input on ``DAY`` at 18:00 LST unless told otherwise."""
    th = th or thresholds()
    if ladder is None:
        ladder = high_ladder() if th.contract_type == "HIGH" else low_ladder()
    return DecisionInput(
        thresholds=th,
        contract_type=th.contract_type,
        climate_date=DAY,
        running_extreme_f=extreme,
        observation_age_minutes=age,
        ladder=ladder,
        now=now or at_minute(1080),
    )
