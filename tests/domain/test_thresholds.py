"""StationThresholds: the thresholds table's row, its checks, and the one row parser."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import MoneyFormatError
from domain.thresholds import StationThresholds

D = Decimal
ROW = {
    "station_icao": "KNYC",
    "contract_type": "HIGH",
    "rule": "design",
    "window_start_minute": 960,
    "window_end_minute": None,
    "buffer_f": 1,
    "accuracy": "0.9500",
    "min_edge": D("0.01"),
    "tier": "A",
    "verdict": "GO",
    "extra_column": "ignored",
}


def test_from_record_parses_table_rows() -> None:
    th = StationThresholds.from_record(ROW)
    assert th.accuracy == D("0.95") and isinstance(th.accuracy, Decimal)
    assert th.window_end_minute == 1440  # a null column takes the field's default
    assert (th.buffer_f, th.min_edge, th.stake_min, th.stake_max) == (1, D("0.01"), 5, 10)


def test_from_record_takes_the_export_strings() -> None:
    # the JSON export writes every number as text
    text = {name: str(value) for name, value in ROW.items() if value is not None}
    assert StationThresholds.from_record(text) == StationThresholds.from_record(ROW)


def test_from_record_refuses_float_money() -> None:
    with pytest.raises(MoneyFormatError, match="float"):
        StationThresholds.from_record({**ROW, "accuracy": 0.95})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contract_type": "MID"}, "contract_type"),
        ({"rule": "hunch"}, "rule"),
        ({"verdict": "MAYBE"}, "verdict"),
        ({"window_start_minute": 1000, "window_end_minute": 900}, "window_start"),
        ({"window_end_minute": 1441}, "window_start"),
        ({"buffer_f": -1}, "negative"),
        ({"accuracy": "1.01"}, "accuracy"),
        ({"stake_min": "11", "stake_max": "10"}, "stake_min"),
        ({"stake_min": "0"}, "stake_min"),
    ],
)
def test_invalid_rows_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StationThresholds.from_record({**ROW, **overrides})


def test_direct_construction_refuses_floats() -> None:
    with pytest.raises(TypeError, match="accuracy must be a Decimal"):
        StationThresholds("KNYC", "HIGH", "design", 960, 0, 0.95)  # type: ignore[arg-type]


def test_simulated_rows_need_an_explicit_opt_in() -> None:
    simulated = {**ROW, "data_source": "simulated"}
    with pytest.raises(ValueError, match="simulated thresholds row refused"):
        StationThresholds.from_record(simulated)
    assert StationThresholds.from_record(
        simulated, allow_simulated=True
    ) == StationThresholds.from_record({**ROW, "data_source": "real"})


def test_unknown_data_source_is_refused() -> None:
    with pytest.raises(ValueError, match="data_source"):
        StationThresholds.from_record({**ROW, "data_source": "backfill"}, allow_simulated=True)
