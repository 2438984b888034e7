"""fct_book_liquidity on the real KXHIGHNY top-of-book logs: New York's first real answer to
"what does the book look like at 2 PM?" (the logs' naive times are US Pacific, inferred)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import query_rows, run_dbt


@pytest.mark.dbt
@pytest.mark.realdata
def test_book_liquidity_has_new_york_rows(realdata: Path, warehouse: Path, tmp_path: Path) -> None:
    from pipelines.kalshi import runner as kalshi_runner

    # four of the eleven days keep the test quick; 25DEC05 and 25DEC06 carry the evidence of
    # the logs' zone (their books empty at settlement)
    folder = realdata / "kalshi" / "kxhighny_top_of_book"
    logs = [folder / f"KXHIGHNY-25DEC{day}.csv" for day in ("05", "06", "10", "11")]
    kalshi_runner.run_files(logs)
    result = run_dbt(
        [
            "build",
            "--select",
            "+fct_book_liquidity",
            "--exclude",
            "source:*",
            "--indirect-selection",
            "cautious",
        ],
        warehouse,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    rows = query_rows(
        warehouse,
        "select * from main.fct_book_liquidity where station_icao = 'KNYC' "
        "and book_source = 'top_of_book_log' order by lst_hour",
    )
    hours = {row["lst_hour"]: row for row in rows}
    assert {5, 14} <= set(hours)  # the design's two questions: 5 AM and 2 PM
    two_pm = hours[14]
    assert two_pm["contract_type"] == "HIGH" and two_pm["minutes_observed"] > 100
    assert 0 <= two_pm["two_sided_share"] <= 1
    assert two_pm["median_spread_dollars"] is not None and two_pm["median_spread_dollars"] > 0
    assert two_pm["median_ask_depth"] is None  # the logs carry no sizes
