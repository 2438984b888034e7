"""The go/kill report on a hand-built warehouse: self-contained, labelled, graceful."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from reports import queries
from reports.build import write_report
from reports.summary import print_summary
from reports.verdicts import fmt_minute, fmt_number
from reports.warehouse import WarehouseUnavailableError, connect_read_only
from tests.reports.conftest import build_warehouse

NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
PLOT_SECTIONS = ("accuracy", "edge", "calibration", "reliability", "equity")


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
    assert "SIMULATED DATA" in page and "<title>Go/kill report (SIMULATED DATA)</title>" in page
    assert "simulated</span>10 raw rows" in page  # raw rows only, not mart rows
    assert "1 of 3 station-contracts pass" in page
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
    assert "simulated: 1 of 3 station-contracts pass" in verdict


def test_verdict_table_shows_the_entry_edge_and_the_go_bar_apart(full_warehouse: Path) -> None:
    verdict = _sections(write_report(None, now=NOW).read_text())["verdict"]
    headings = re.findall(r"<th>(.*?)</th>", verdict)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", verdict.split("</tr>")[1])  # the first row
    row = dict(zip(headings, cells, strict=True))

    assert row["entry min edge / trade"] == "$0.0300"
    assert row["GO needs EV ≥"] == "$0.0200"
    assert row["test EV / contract"] == "$0.0412"
    assert "entry min edge / trade: the filter chosen on the training days" in verdict


def test_verdict_table_without_the_go_bar_column_points_to_the_reason(warehouse: Path) -> None:
    build_warehouse(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("alter table main.dim_station_thresholds drop column go_min_ev_dollars")
    verdict = _sections(write_report(None, now=NOW).read_text())["verdict"]

    assert "GO needs EV ≥</th>" not in verdict
    assert "at or above the amount quoted in each reason" in verdict


def test_missing_marts_give_notes_not_exceptions(warehouse: Path) -> None:
    build_warehouse(warehouse, marts=("fct_accuracy_by_window",))
    page = write_report(None, now=NOW).read_text()
    sections = _sections(page)

    assert "dim_station_thresholds not built yet" in sections["verdict"]
    assert sections["accuracy"].count("<img ") == 1
    for name, mart in (
        ("edge", "fct_historical_edge"),
        ("calibration", "fct_market_calibration"),
        ("reliability", "fct_backtest_trades"),
        ("equity", "fct_backtest_trades"),
    ):
        assert f"{mart} not built yet" in sections[name]
        assert "<img " not in sections[name]


def test_empty_mart_and_missing_columns_are_noted(warehouse: Path) -> None:
    build_warehouse(warehouse, marts=("fct_climate_day", "fct_market_outcomes"))
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table main.fct_historical_edge (data_source text, station_icao text, "
            "checkpoint_minute int, mean_realised_pnl_dollars decimal(18, 4))"
        )
        con.execute("create table main.fct_market_calibration (data_source text, oops int)")
    sections = _sections(write_report(None, now=NOW).read_text())

    # empty: the reason names what the simulated rows lack
    assert (
        "no simulated rows in fct_historical_edge although 240 simulated station-days"
        in (sections["edge"])
    )
    assert "lacks the columns" in sections["calibration"]


def test_no_warehouse_writes_nothing_and_says_how_to_build_one(
    warehouse: Path, tmp_path: Path
) -> None:
    with pytest.raises(WarehouseUnavailableError, match="no warehouse at .*make demo"):
        write_report(tmp_path / "out" / "r.html", now=NOW)

    assert not (tmp_path / "out").exists()
    assert not warehouse.exists()


def test_mixed_warehouse_reports_each_data_source(mixed_warehouse: Path) -> None:
    page = write_report(None, now=NOW).read_text()
    sections = _sections(page)

    assert "<title>Go/kill report (REAL AND SIMULATED DATA)</title>" in page
    assert '<div class="banner mixed" id="data-banner">REAL AND SIMULATED DATA' in page
    assert ">SIMULATED DATA<" not in page
    real_line = re.search(r'<li class="source-line" data-source="real">(.*?)</li>', page)
    assert real_line is not None
    assert "25 raw rows" in real_line[1] and "no verdicts" in real_line[1]
    assert "settled markets 20 (2024-01-01..2024-01-20)" in real_line[1]
    assert "real: no verdicts; simulated: 1 of 3 station-contracts pass" in sections["verdict"]
    # real first: it is what counts
    assert page.index('data-source="real"') < page.index('data-source="simulated"')
    # every section without real rows says why and what to run
    reason = "no real observations (fct_climate_day has no real day with IEM observations)"
    command = "`python -m pipelines run --source live`"
    for name in ("verdict", "accuracy", "edge", "reliability", "equity"):
        assert reason in sections[name] and command in sections[name], name
    # market calibration needs no observations: real has its own figure
    assert sections["calibration"].count("<img ") == 2
    assert "market calibration (real)" in sections["calibration"]


def test_equity_curve_counts_only_go_station_contracts(full_warehouse: Path) -> None:
    equity = _sections(write_report(None, now=NOW).read_text())["equity"]

    assert "GO station-contracts only" in equity
    # 60 GO trades (KMDW HIGH, daily); 30 KILL trades (KMDW LOW) left out; the halt is no trade
    assert "Whole book = 60 trades on the GO station-contracts (KMDW HIGH), P&amp;L $30.00" in (
        equity
    )
    assert "left out: 30 trades on 1 KILL station-contracts (P&amp;L $15.00)" in equity
    assert equity.count("<img ") == 1


def test_no_go_row_means_no_book(full_warehouse: Path) -> None:
    with duckdb.connect(str(full_warehouse)) as con:
        con.execute("update main.fct_backtest_trades set station_verdict = 'KILL'")
    equity = _sections(write_report(None, now=NOW).read_text())["equity"]

    assert "<img " not in equity
    assert "no simulated station-contract is GO, so the trader would trade nothing" in equity


def test_reliability_diagram_of_the_bought_brackets(full_warehouse: Path) -> None:
    reliability = _sections(write_report(None, now=NOW).read_text())["reliability"]

    assert reliability.count("<img ") == 1
    assert 'alt="reliability diagram of the priced probability (simulated)"' in reliability
    # 90 bought brackets (the risk-halted row is not one): 60 HIGH at mean p 0.50 and 30 LOW at
    # 0.45 (even days only); 6 in 10 of each win
    assert "90 bought brackets, mean priced probability 0.48, won 0.60" in reliability


def test_real_data_has_no_banner(warehouse: Path) -> None:
    build_warehouse(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for table in ("asos_observations",):
            con.execute(f"update raw_iem.{table} set data_source = 'real'")
        for name in queries.MART_FIELDS:
            con.execute(f"update main.{name} set data_source = 'real'")
    page = write_report(None, now=NOW).read_text()

    assert "SIMULATED DATA" not in page and 'id="data-banner"' not in page
    assert "<title>Go/kill report (REAL DATA)</title>" in page
    assert 'class="source real"' in page
    assert "real: 1 of 3 station-contracts pass" in page


def test_summary_prints_counts_verdicts_and_report(full_warehouse: Path) -> None:
    written = write_report(None, now=NOW)
    console = Console(record=True, width=240)
    print_summary(console)
    text = console.export_text()

    assert "asos_observations" in text and "simulated" in text
    assert "_dlt_loads" not in text
    assert "fct_backtest_trades" in text and "91" in text  # 60 + 30 bought, 1 halted
    assert "SIMULATED DATA" in text
    assert "EV CI includes zero" in text
    assert str(written.parent / "latest.html") in text


def test_summary_without_marts_says_what_is_missing(warehouse: Path) -> None:
    with pytest.raises(WarehouseUnavailableError, match="no warehouse at"):
        print_summary(Console(record=True, width=200))

    build_warehouse(warehouse, marts=())
    console = Console(record=True, width=200)
    print_summary(console)
    text = console.export_text()
    assert "dim_station_thresholds not built yet" in text
    assert "No HTML report yet" in text


def test_summary_names_a_source_without_verdicts(mixed_warehouse: Path) -> None:
    console = Console(record=True, width=240)
    print_summary(console)

    assert "real: no verdicts; simulated: 1 of 3 station-contracts pass" in console.export_text()


def test_summary_counts_passes_per_data_source(mixed_warehouse: Path) -> None:
    with duckdb.connect(str(mixed_warehouse)) as con:
        con.execute(
            "insert into main.dim_station_thresholds by name select 'real' as data_source, "
            "'KNYC' as station_icao, 'HIGH' as contract_type, 'KILL' as verdict"
        )
    console = Console(record=True, width=240)
    print_summary(console)
    text = console.export_text()

    assert "REAL AND SIMULATED DATA" in text
    assert "real: 0 of 1 station-contracts pass; simulated: 1 of 3 station-contracts pass" in text


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
