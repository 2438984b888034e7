"""What the decision engine sees at one checkpoint: the ladder's quotes and the running extreme.

The live trader builds a ``DecisionInput`` from its feeds at each checkpoint; the backtest builds
the same from the warehouse (``domain.backtest``). ``domain.decision.decide`` reads nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain import checkpoint_clock
from domain.brackets import Bracket
from domain.quotes import executable_ask
from domain.stations import Station, station_by_icao
from domain.thresholds import ContractType, StationThresholds, require_decimal

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class LadderQuote:
    """One market of the event's ladder with its top of book at the checkpoint.

    Attributes:
        market_ticker: Kalshi market ticker.
        bracket: its inclusive whole-°F bracket.
        yes_ask: best YES ask in dollars; None = no quote (so are 0 and the empty-book 1.0000).
        yes_bid: best YES bid (informational; 0 or None = no bid).
        probability: model probability of YES (the fair-value rule); None when unknown.
        fee_type: the series' fee_type, passed to ``trade_fee``.
        fee_multiplier: the series' fee_multiplier, passed to ``trade_fee``.
    """

    market_ticker: str
    bracket: Bracket
    yes_ask: Decimal | None
    yes_bid: Decimal | None = None
    probability: Decimal | None = None
    fee_type: str = "quadratic"
    fee_multiplier: Decimal = ONE

    def __post_init__(self) -> None:
        # Runs once per bracket per checkpoint in the backtest: exact Decimals skip the slow path.
        for name, value in (
            ("yes_ask", self.yes_ask),
            ("yes_bid", self.yes_bid),
            ("probability", self.probability),
        ):
            if value is None:
                continue
            if value.__class__ is not Decimal:
                require_decimal(value, name)
            if value < ZERO or value > ONE:
                raise ValueError(f"{self.market_ticker}: {name} {value} outside [0, 1]")
        if self.fee_multiplier.__class__ is not Decimal:
            require_decimal(self.fee_multiplier, "fee_multiplier")

    @property
    def executable_ask(self) -> Decimal | None:
        """The ask we could buy at, or None (``domain.quotes.executable_ask``; docs/venues.md, "Empty book")."""
        return executable_ask(self.yes_ask)


@dataclass(frozen=True)
class DecisionInput:
    """Everything ``decide`` may look at: one station, contract and climate day at one instant.

    Attributes:
        thresholds: the station's row of the thresholds table.
        contract_type: ``HIGH`` or ``LOW``; must match the thresholds.
        climate_date: the event's climate date (from the ticker).
        running_extreme_f: running max (HIGH) or min (LOW) so far today, whole °F; None if unknown.
        observation_age_minutes: minutes between the latest observation and ``now``.
        ladder: the event's markets with their quotes.
        now: the decision instant, timezone-aware (the backtest passes the checkpoint instant).
    """

    thresholds: StationThresholds
    contract_type: ContractType
    climate_date: date
    running_extreme_f: int | None
    observation_age_minutes: int | Decimal | None
    ladder: tuple[LadderQuote, ...]
    now: datetime

    def __post_init__(self) -> None:
        if self.now.tzinfo is None or self.now.utcoffset() is None:
            raise ValueError("now must be a timezone-aware datetime")
        if self.contract_type != self.thresholds.contract_type:
            raise ValueError(
                f"contract_type {self.contract_type} does not match the thresholds' "
                f"{self.thresholds.contract_type}"
            )
        if self.observation_age_minutes is not None:
            if isinstance(self.observation_age_minutes, float):
                raise TypeError("observation_age_minutes must be int or Decimal")
            if self.observation_age_minutes < 0:
                # An observation from after `now` is look-ahead in a backtest: fail loudly.
                raise ValueError(f"negative observation age {self.observation_age_minutes}")
        if not isinstance(self.ladder, tuple):
            object.__setattr__(self, "ladder", tuple(self.ladder))

    @property
    def station(self) -> Station:
        """The station from the registry (a cached read of the stations seed)."""
        return station_by_icao(self.thresholds.station_icao)

    @property
    def checkpoint_minute(self) -> int:
        """Whole minutes from the climate day's LST midnight to ``now`` (floor).

        Measured from the start of ``climate_date`` with the station's fixed standard offset, so
        1440 is the end of the day and values outside 0..1440 mean ``now`` is on another day.
        """
        return checkpoint_clock.checkpoint_minute(
            self.now, self.climate_date, self.thresholds.station_icao
        )
