"""The CLI's reader commands: ``python -m pipelines report`` and ``summary`` call ``reports``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipelines.cli import app
from tests.reports.conftest import build_warehouse


def test_report_command_writes_the_page(warehouse: Path, tmp_path: Path) -> None:
    build_warehouse(warehouse)
    out = tmp_path / "out" / "report.html"

    result = CliRunner().invoke(app, ["report", "--output", str(out)])

    assert result.exit_code == 0, result.output
    assert "report written" in result.output
    assert "SIMULATED DATA" in out.read_text()


def test_summary_command_prints_counts_and_verdicts(warehouse: Path) -> None:
    build_warehouse(warehouse)

    result = CliRunner().invoke(app, ["summary"])

    assert result.exit_code == 0, result.output
    assert "asos_observations" in result.output
    assert "EV CI includes zero" in result.output
    assert "No HTML report yet" in result.output


def test_summary_without_a_warehouse_creates_nothing(warehouse: Path) -> None:
    warehouse.parent.rmdir()

    result = CliRunner().invoke(app, ["summary"])

    assert result.exit_code == 1, result.output
    assert "no warehouse at" in result.output
    assert "Traceback" not in result.output
    assert not warehouse.parent.exists()
