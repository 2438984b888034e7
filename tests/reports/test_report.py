"""The go/kill report on a hand-built warehouse: self-contained, labelled, graceful."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from rich.console import Console

from reports import queries
from reports.build import write_report
from reports.summary import print_summary
from reports.verdicts import fmt_minute, fmt_number
from reports.warehouse import connect_read_only
from tests.reports.conftest import build_warehouse

NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
PLOT_SECTIONS = ("accuracy", "edge", "calibration", "equity")


def _sections(page: str) -> dict[str, str]:
    return dict(re.findall(r'<section id="([a-z]+)">(.*?)</section>', page, flags=re.S))


def test_report_is_written_self_contained_and_labelled(full_warehouse: Path) -> None:
    path = write_report(None, now=NOW)

    assert path == full_warehouse.parent / "reports" / "gate_report_20261121T120000Z.html"
    latest = full_warehouse.parent / "reports" / "latest.html"
    assert latest.read_text() == path.read_text()
    page = path.read_text()
    assert not re.search(r'(src|href)\s*=\s*["\']?https?://', page)
    assert "http://" not in page and "https://" not in page
    assert "SIMULATED DATA" in page
    assert "simulated</span>10 raw rows" in page  # raw rows only, not mart rows
    sections = _sections(page)
    assert set(sections) == {"verdict", *PLOT_SECTIONS}
    for name in PLOT_SECTIONS:
        assert sections[name].count("<img ") == 1, name
        assert 'src="data:image/png;base64,' in sections[name]
        assert 'class="note"' not in sections[name], name
    assert page.count("<img ") == len(PLOT_SECTIONS)


def test_verdict_rows_are_in_the_table(full_warehouse: Path) -> None:
    page = write_report(None, now=NOW).read_text()
    verdict = _sections(page)["verdict"]

    assert verdict.count("<tr class=") == 3
    assert '<tr class="go">' in verdict and verdict.count('<tr class="kill">') == 2
    assert "<td>16:00</td>" in verdict  # window start 960 minutes
    assert "$0.0412</td>" in verdict and "[0.0101, 0.0733]" in verdict
    assert "1 °F" in verdict and "2 °F" in verdict
    assert "EV CI includes zero" in verdict
    assert "1 of 3 station-contracts pass" in verdict


def test_missing_marts_give_notes_not_exceptions(warehouse: Path) -> None:
    build_warehouse(warehouse, marts=("fct_accuracy_by_window",))
    page = write_report(None, now=NOW).read_text()
    sections = _sections(page)

    assert "dim_station_thresholds not built yet" in sections["verdict"]
    assert sections["accuracy"].count("<img ") == 1
    for name, mart in (
        ("edge", "fct_historical_edge"),
        ("calibration", "fct_market_calibration"),
        ("equity", "fct_backtest_daily"),
    ):
        assert f"{mart} not built yet" in sections[name]
        assert "<img " not in sections[name]


def test_empty_mart_and_missing_columns_are_noted(warehouse: Path) -> None:
    build_warehouse(warehouse, marts=())
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table main.fct_backtest_daily (data_source text, station_icao text, "
            "climate_date date, pnl_dollars decimal(18, 2))"
        )
        con.execute("create table main.fct_market_calibration (data_source text, oops int)")
    sections = _sections(write_report(None, now=NOW).read_text())

    assert "fct_backtest_daily is empty" in sections["equity"]
    assert "lacks the columns" in sections["calibration"]


def test_no_warehouse_still_writes_a_page(warehouse: Path, tmp_path: Path) -> None:
    out = write_report(tmp_path / "out" / "r.html", now=NOW)

    assert out.exists()
    assert "No warehouse at" in out.read_text()
    assert not warehouse.exists()


def test_real_data_has_no_banner(warehouse: Path) -> None:
    build_warehouse(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for table in ("asos_observations",):
            con.execute(f"update raw_iem.{table} set data_source = 'real'")
        for name in (
            "dim_station_thresholds",
            "fct_accuracy_by_window",
            "fct_historical_edge",
            "fct_market_calibration",
            "fct_backtest_daily",
        ):
            con.execute(f"update main.{name} set data_source = 'real'")
    page = write_report(None, now=NOW).read_text()

    assert "SIMULATED DATA" not in page
    assert 'class="source real"' in page


def test_summary_prints_counts_verdicts_and_report(full_warehouse: Path) -> None:
    written = write_report(None, now=NOW)
    console = Console(record=True, width=240)
    print_summary(console)
    text = console.export_text()

    assert "asos_observations" in text and "simulated" in text
    assert "_dlt_loads" not in text
    assert "fct_backtest_daily" in text and "120" in text  # 2 stations x 60 days
    assert "SIMULATED DATA" in text
    assert "EV CI includes zero" in text
    assert str(written.parent / "latest.html") in text


def test_summary_without_marts_says_what_is_missing(warehouse: Path) -> None:
    console = Console(record=True, width=200)
    print_summary(console)
    assert "No warehouse at" in console.export_text()

    build_warehouse(warehouse, marts=())
    console = Console(record=True, width=200)
    print_summary(console)
    text = console.export_text()
    assert "dim_station_thresholds not built yet" in text
    assert "No HTML report yet" in text


def test_formatters() -> None:
    assert fmt_minute(15) == "00:15 LST"
    assert fmt_minute(1440) == "24:00 LST"
    assert fmt_minute(None) == "–"
    assert fmt_number("0.04124", 4, "$") == "$0.0412"
    assert fmt_number(-0.5, 2, "$") == "-$0.50"


def test_read_mart_applies_the_report_filters(full_warehouse: Path) -> None:
    with connect_read_only(full_warehouse) as con:
        accuracy = queries.read_mart(con, queries.FCT_ACCURACY_BY_WINDOW)
        edge = queries.read_mart(con, queries.FCT_HISTORICAL_EDGE)
        calibration = queries.read_mart(con, queries.FCT_MARKET_CALIBRATION)

    assert accuracy.frame is not None and len(accuracy.frame) == 2 * 2 * 96
    assert accuracy.frame["accuracy"].min() > 0.01  # period 'all', buffer 0 only
    assert edge.frame is not None and len(edge.frame) == 2 * 2 * 96
    assert calibration.frame is not None and len(calibration.frame) == 3 * 3 * 10
