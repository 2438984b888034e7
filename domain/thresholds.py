"""The thresholds table's row: how the engine trades one station and contract type.

``StationThresholds`` is the export contract between the dbt search (``dim_station_thresholds``,
exported as ``station_thresholds.parquet``/``.json``) and every reader that trades on it (the
backtest replay and the live trader): the column names of the table are its field names, and
``from_record`` is the one parser of a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from domain.money import parse_decimal

DATA_SOURCES = ("real", "simulated")
"""The ``data_source`` labels of every raw row and mart row."""

ContractType = Literal["HIGH", "LOW"]
Rule = Literal["design", "fair_value"]

ZERO = Decimal(0)
ONE = Decimal(1)
DAY_MINUTES = 1440
_MONEY_FIELDS = ("accuracy", "min_edge", "stake_min", "stake_max")
_INT_FIELDS = ("window_start_minute", "window_end_minute", "buffer_f", "max_obs_age_minutes")


def require_decimal(value: object, name: str) -> None:
    """Refuse anything but a Decimal for a money or probability field.

    Args:
        value: the value to check.
        name: the field name, for the error message.

    Raises:
        TypeError: for floats (already inexact, as in ``domain.money``) and any other type.
    """
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, got {type(value).__name__}")


@dataclass(frozen=True)
class StationThresholds:
    """One row of the thresholds table: how to trade one station and contract type.

    Attributes:
        station_icao: settlement station (``KNYC``).
        contract_type: ``HIGH`` or ``LOW``.
        rule: ``design`` or ``fair_value``.
        window_start_minute: first checkpoint minute (after LST midnight) we may trade, inclusive.
        window_end_minute: last checkpoint minute we may trade, inclusive (1440 = end of day).
        buffer_f: whole °F the running extreme must keep from the bracket's closed edges.
        accuracy: historical hit rate of the design rule for this station/contract/window.
        min_edge: minimum expected value per contract after fees, in dollars.
        tier: ``A``, ``B``, ... or ``SKIP``.
        verdict: ``GO`` or ``KILL`` (from the go/kill analysis).
        max_obs_age_minutes: oldest observation still called fresh, inclusive.
        stake_min: smallest cost (ask x count) of a trade, dollars.
        stake_max: largest cost of a trade, dollars.
    """

    station_icao: str
    contract_type: ContractType
    rule: Rule
    window_start_minute: int
    buffer_f: int
    accuracy: Decimal
    min_edge: Decimal = ZERO
    tier: str = "A"
    verdict: str = "GO"
    window_end_minute: int = DAY_MINUTES
    max_obs_age_minutes: int = 20
    stake_min: Decimal = Decimal("5.00")
    stake_max: Decimal = Decimal("10.00")

    def __post_init__(self) -> None:
        if self.contract_type not in ("HIGH", "LOW"):
            raise ValueError(f"contract_type must be HIGH or LOW, got {self.contract_type!r}")
        if self.rule not in ("design", "fair_value"):
            raise ValueError(f"rule must be design or fair_value, got {self.rule!r}")
        if self.verdict not in ("GO", "KILL"):
            raise ValueError(f"verdict must be GO or KILL, got {self.verdict!r}")
        if not 0 <= self.window_start_minute <= self.window_end_minute <= DAY_MINUTES:
            raise ValueError(
                f"need 0 <= window_start <= window_end <= {DAY_MINUTES}, got "
                f"{self.window_start_minute}..{self.window_end_minute}"
            )
        if self.buffer_f < 0 or self.max_obs_age_minutes < 0:
            raise ValueError("buffer_f and max_obs_age_minutes cannot be negative")
        for name in _MONEY_FIELDS:
            require_decimal(getattr(self, name), name)
        if not ZERO <= self.accuracy <= ONE:
            raise ValueError(f"accuracy {self.accuracy} outside [0, 1]")
        if not ZERO < self.stake_min <= self.stake_max:
            raise ValueError(
                f"need 0 < stake_min <= stake_max, got {self.stake_min}, {self.stake_max}"
            )

    @classmethod
    def from_record(
        cls, record: Mapping[str, Any], *, allow_simulated: bool = False
    ) -> StationThresholds:
        """Build from a thresholds-table row (dict from DuckDB or the JSON export).

        Args:
            record: a mapping with this class's field names; extra keys are ignored; money fields
                may be Decimal or fixed-point strings (floats are refused, as in ``domain.money``).
            allow_simulated: accept a row whose ``data_source`` is ``simulated`` (the demo, the
                backtest of the sample); refused by default so simulated thresholds can never
                reach a trader by accident.

        Returns:
            The thresholds.
        """
        source = record.get("data_source")
        if source is not None and source not in DATA_SOURCES:
            raise ValueError(f"data_source must be one of {DATA_SOURCES}, got {source!r}")
        if source == "simulated" and not allow_simulated:
            raise ValueError(
                f"simulated thresholds row refused ({record.get('station_icao')} "
                f"{record.get('contract_type')}): simulated rows need an explicit opt-in"
            )
        kwargs: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name not in record or record[name] is None:
                continue
            value = record[name]
            if name in _MONEY_FIELDS:
                value = parse_decimal(value, name)
            elif name in _INT_FIELDS:
                value = int(value)
            else:
                value = str(value)
            kwargs[name] = value
        return cls(**kwargs)
