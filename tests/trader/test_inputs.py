"""The thresholds export: refused when missing, empty, invalid, stale or unexpectedly simulated."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from trader.inputs import ExportError, load_thresholds

NOW = datetime.now(UTC)


def _row(station: str = "KNYC", contract: str = "HIGH", **extra: Any) -> dict[str, Any]:
    return {
        "data_source": "real",
        "station_icao": station,
        "contract_type": contract,
        "rule": "design",
        "window_start_minute": 840,
        "window_end_minute": 1440,
        "buffer_f": 2,
        "accuracy": "0.8500",
        "min_edge": "0.0200",
        "tier": "A",
        "max_obs_age_minutes": 20,
        "stake_min": "5.00",
        "stake_max": "10.00",
        "verdict": "GO",
        "verdict_reason": "ok",
        **extra,
    }


def _json(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "station_thresholds.json"
    path.write_text(json.dumps(rows))
    return path


def test_reads_json_rows_and_marks_go_rows_tradable(tmp_path: Path) -> None:
    path = _json(tmp_path, [_row(), _row(contract="LOW", verdict="KILL"), _row("KMDW")])
    export = load_thresholds(path, NOW)
    assert export.stations == ("KNYC", "KMDW") and not export.simulated
    assert [r.tradable for r in export.for_station("KNYC")] == [True, False]
    assert export.rows[0].thresholds.accuracy == Decimal("0.8500")


def test_reads_parquet_with_exact_decimals(tmp_path: Path) -> None:
    rows = [_row()]
    for name in ("accuracy", "min_edge", "stake_min", "stake_max"):
        rows[0][name] = Decimal(rows[0][name])
    path = tmp_path / "station_thresholds.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    export = load_thresholds(path, NOW)
    assert export.rows[0].thresholds.stake_max == Decimal("10.00")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "has no rows"),
        ([_row(accuracy=0.85)], "row 1 is invalid"),  # a float: refused
        ([_row(contract_type="MID")], "row 1 is invalid"),
        ([_row(), _row()], "row 2 repeats"),
        ([_row("KXYZ")], "unknown station"),
        ([_row(data_source="simulated")], "pass --simulated"),
    ],
)
def test_refuses_bad_exports_with_one_line(
    tmp_path: Path, rows: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ExportError, match=message) as caught:
        load_thresholds(_json(tmp_path, rows), NOW)
    assert "\n" not in str(caught.value)


def test_missing_unreadable_and_stale_exports(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is missing"):
        load_thresholds(tmp_path / "station_thresholds.parquet", NOW)
    garbled = tmp_path / "station_thresholds.json"
    garbled.write_text("{not json")
    with pytest.raises(ExportError, match="unreadable"):
        load_thresholds(garbled, NOW)
    path = _json(tmp_path, [_row()])
    old = (NOW - timedelta(days=3)).timestamp()
    os.utime(path, (old, old))
    with pytest.raises(ExportError, match="h old"):
        load_thresholds(path, NOW)
    assert load_thresholds(path, NOW, max_age=timedelta(days=4)).rows


def test_simulated_rows_only_when_allowed_and_never_mixed(tmp_path: Path) -> None:
    path = _json(tmp_path, [_row(data_source="simulated")])
    assert load_thresholds(path, NOW, allow_simulated=True).simulated
    mixed = _json(tmp_path, [_row(data_source="simulated"), _row("KMDW")])
    with pytest.raises(ExportError, match="mixes"):
        load_thresholds(mixed, NOW, allow_simulated=True)
