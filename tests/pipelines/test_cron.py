"""`schedule --print-cron`: a line only for cadences cron can run evenly, with the loop's window."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.cron import CronCadenceError, cron_schedule


@pytest.mark.parametrize(
    ("minutes", "fields"),
    [
        (5, "*/5 * * * *"),
        (30, "*/30 * * * *"),
        (60, "7 */1 * * *"),
        (120, "7 */2 * * *"),
        (720, "7 */12 * * *"),
        (1440, "7 0 * * *"),
    ],
)
def test_even_cadences_become_cron_fields(minutes: int, fields: str) -> None:
    assert cron_schedule(minutes) == fields


@pytest.mark.parametrize("minutes", [45, 90, 1500, 7, 300])
def test_uneven_cadences_are_refused(minutes: int) -> None:
    # */45 fires at :00 and :45; "every 90 minutes" in the hour field is hourly; 1500 > a day
    with pytest.raises(CronCadenceError, match=f"every {minutes} minutes"):
        cron_schedule(minutes)


def test_print_cron_uses_the_loops_window() -> None:
    result = CliRunner().invoke(
        app, ["schedule", "--print-cron", "--stations", "KMDW", "--lookback-days", "2"]
    )

    assert result.exit_code == 0, result.output
    assert result.output.startswith("7 */1 * * * ")
    assert "--lookback-days 2" in result.output


def test_print_cron_refuses_an_uneven_cadence_in_one_line() -> None:
    result = CliRunner().invoke(app, ["schedule", "--print-cron", "--every-minutes", "45"])

    assert result.exit_code == 1
    assert "cron cannot run every 45 minutes evenly" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "extra", [["--stations", "KMDW"], ["--start", "2025-03-01"], ["--end", "2025-03-02"]]
)
def test_files_loads_refuse_options_they_would_ignore(extra: list[str], tmp_path) -> None:
    result = CliRunner().invoke(app, ["run", "--source", "files", "--path", str(tmp_path), *extra])

    assert result.exit_code == 2
    assert "do not apply to --source files" in result.output
