"""The report's paper/live results section: shown with a loaded journal, one line without."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from reports.build import write_report
from reports.trader_results import NO_JOURNAL, trader_results_section
from reports.warehouse import connect_read_only
from tests.reports.conftest import build_warehouse

NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)

# Two days of a paper journal and one of a live one, shaped like fct_trader_daily.
TRADER_DAILY = """
    create table main.fct_trader_daily as
    select * from (values
        ('real', 'paper', 'paper', 'KMDW', 'HIGH', date '2026-11-01', 1, 1, 1,
         0.1700, 4.2870, 2.9481, 47, 0.68, 2.9481, 'GO'),
        ('real', 'paper', 'paper', 'KMDW', 'HIGH', date '2026-11-03', 1, 1, 0,
         0.0735, -1.5735, 2.9481, 47, 0.68, 2.9481, 'GO'),
        ('real', 'live', 'live', 'KNYC', 'LOW', date '2026-11-02', 1, 0, 0,
         0.0500, null, null, 0, null, null, null)
    ) as t(data_source, journal_id, broker, station_icao, contract_type, climate_date,
           trade_count, settled_trade_count, win_count, fee_dollars, pnl_dollars,
           expected_pnl_dollars, backtest_trade_count, backtest_win_rate,
           backtest_pnl_per_trade_dollars, backtest_verdict)
"""


def _section(page: str) -> str:
    found = re.search(r'<section id="trader-results">(.*?)</section>', page, flags=re.S)
    assert found is not None
    return found.group(1)


def test_results_of_a_loaded_journal_are_tabled_and_plotted(warehouse: Path) -> None:
    build_warehouse(warehouse, marts=())  # no gate marts: their sections are notes (fast)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(TRADER_DAILY)
    section = _section(write_report(None, now=NOW).read_text())

    assert "<h2>Paper/live results</h2>" in section
    assert section.count("<img ") == 1 and 'src="data:image/png;base64,' in section
    assert 'class="note"' not in section
    # one table row per journal x broker x station x contract
    assert section.count("<tr><td>") == 2
    assert "<td>paper · paper</td>" in section and "<td>live · live</td>" in section
    # paper KMDW HIGH: two settled trades, one won; P&L 4.2870 - 1.5735; expected 2 x 2.9481
    assert '<td class="num">50%</td>' in section
    assert '<td class="num">$2.71</td>' in section and '<td class="num">$5.90</td>' in section
    assert "<td>47, 68%, $2.95</td>" in section
    assert "no backtest trades" in section  # the live KNYC LOW row
    assert "total realised P&amp;L $2.71 over 2 settled trades" in section


def test_no_journal_is_one_line(warehouse: Path) -> None:
    build_warehouse(warehouse)
    with connect_read_only(warehouse) as con:
        unbuilt = trader_results_section(con)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(TRADER_DAILY + " where false")  # built, but no journal was loaded
    with connect_read_only(warehouse) as con:
        empty = trader_results_section(con)

    assert unbuilt.notes == [
        f"fct_trader_daily not built yet (run `python -m pipelines build`). {NO_JOURNAL}"
    ]
    assert empty.notes == [NO_JOURNAL]
    for section in (unbuilt, empty):
        assert section.table_html == "" and section.figures == []
