"""Physical bounds (domain.bounds) at the loaders: impossible values are rejects with a reason
that shows the input as given, and the dbt staging tests use the same numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from domain import bounds
from pipelines.iem.daily import parse_daily
from pipelines.iem.parsers import parse_observations
from pipelines.kalshi import files
from tests.pipelines.hostile_cases import (
    METAR,
    asos_csv,
    cli_json,
    doc,
    ladder_csv,
    ladder_rejects,
    only_reject,
    trade_candles_csv,
)

# --------------------------------------------------------------------------------------------
# Impossible values: rejects with a physical reason
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tmpf", "dwpf", "reason"),
    [
        ("1e308", "60", "tmpf"),
        ("inf", "60", "tmpf"),
        ("-9999", "60", "tmpf"),
        ("70", "1000", "dwpf"),
        ("70", "75", "dew point"),
    ],
)
def test_impossible_observations_are_rejected(tmpf: str, dwpf: str, reason: str) -> None:
    reject = only_reject(parse_observations(doc(asos_csv(tmpf, dwpf), "asos.csv")))
    assert reason in reject.reason
    assert f",{tmpf},{dwpf}," in reject.raw_text


def test_impossible_metar_temperature_is_rejected() -> None:
    metar = METAR.replace("21/16", "M99/M99")
    assert "°" in only_reject(parse_observations(doc(asos_csv(metar=metar), "asos.csv"))).reason


@pytest.mark.parametrize(("high", "low"), [(-500, -600), (50, 60), (200, 30)])
def test_impossible_cli_values_are_rejected(high: int, low: int) -> None:
    reject = only_reject(parse_daily(doc(cli_json(high, low))))
    assert "high" in reject.reason or "low" in reject.reason


def test_negative_ladder_volume_is_rejected() -> None:
    rows, rejects = ladder_rejects(ladder_csv(volume="-5"))
    assert rows == [] and rejects[0].reason == "volume: '-5' is negative"


@pytest.mark.parametrize("count", ["-1", "2.5", "1e20", "99999999999999999999999"])
def test_impossible_trade_counts_are_rejected(count: str) -> None:
    ctx = files.file_context("t")
    assert list(files.parse_trade_candles(doc(trade_candles_csv(count=count)), ctx)) == []
    assert ctx.rejects[0].reason.startswith("count: ")


# --------------------------------------------------------------------------------------------
# Rejects show the input as given
# --------------------------------------------------------------------------------------------


def test_reject_reason_shows_the_settlement_as_given_not_converted() -> None:
    rows, rejects = ladder_rejects(ladder_csv(settle="150"))
    assert rows == []
    assert rejects[0].reason == "settlement_value: '150' cents outside 0..100"
    assert "1.5" not in rejects[0].reason
    assert ",yes,150,5," in rejects[0].raw_text


def test_dbt_staging_tests_use_the_domain_bounds() -> None:
    # The staging tests' bounds (a dbt macro) must be domain.bounds' numbers, not a second copy.
    macro = (Path(__file__).parents[2] / "dbt_project/macros/tests/physical_bounds.sql").read_text()
    found = {
        name: (Decimal(low), None if high == "none" else Decimal(high))
        for name, low, high in re.findall(
            r"'(\w+)': \{'min': (-?\d+), 'max': (-?\d+|none)\}", macro
        )
    }
    assert found == {
        "temperature_f": (bounds.TEMP_F_MIN, bounds.TEMP_F_MAX),
        "price_dollars": (bounds.PRICE_MIN, bounds.PRICE_MAX),
        "count": (bounds.COUNT_MIN, bounds.COUNT_MAX),
    }
    tolerance = re.search(r"'dewpoint_tolerance_f': (\d+)", macro)
    assert tolerance is not None and Decimal(tolerance[1]) == bounds.DEWPOINT_TOLERANCE_F
