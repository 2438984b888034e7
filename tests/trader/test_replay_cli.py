"""The replay's command line without a warehouse: help, a missing warehouse, the export default."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from trader.cli import app
from trader.inputs import default_export_path

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["status", "--help"],
        ["resume", "--help"],
        ["settle", "--help"],
        ["replay", "--help"],
    ],
)
def test_every_command_has_help(args: list[str]) -> None:
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert "Usage" in out.output


def test_replay_help_names_its_options() -> None:
    out = runner.invoke(app, ["replay", "--help"], terminal_width=200)
    for option in (
        "--date",
        "--station",
        "--books",
        "--compare-backtest",
        "--journal",
        "--simulated",
    ):
        assert option in out.output


def test_a_missing_warehouse_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    out = runner.invoke(app, ["replay", "--date", "2025-03-08", "--warehouse", str(missing)])
    assert out.exit_code == 2
    assert (
        out.output.strip()
        == f"warehouse {missing} is missing: run `make build` (or pass --warehouse)"
    )


def test_a_bad_books_file_name_is_one_line(tmp_path: Path) -> None:
    books = tmp_path / "notes.csv"
    books.write_text("timestamp,market_ticker,best_yes_bid,best_no_bid\n")
    warehouse = tmp_path / "w.duckdb"
    warehouse.write_bytes(b"")
    out = runner.invoke(app, ["replay", "--books", str(books), "--warehouse", str(warehouse)])
    assert out.exit_code == 2
    assert "not a recorded event file" in out.output and "Traceback" not in out.output


def test_simulated_reads_the_simulated_export(tmp_path: Path) -> None:
    warehouse = tmp_path / "w" / "kalshi_weather.duckdb"
    assert default_export_path(True, warehouse) == (
        tmp_path / "w" / "exports" / "station_thresholds_simulated.parquet"
    )
    assert default_export_path(False, warehouse).name == "station_thresholds.parquet"
