"""IEM loads end to end into a throwaway warehouse: live HTTP (fake server), files, documents."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from adapters.iem.client import IemClient
from domain.stations import station_by_icao
from pipelines.documents import RawDocument
from pipelines.iem import runner
from pipelines.warehouse import LoadFailedError
from tests.fakes.iem_server import ASOS_PATH, CF6_PATH, CLI_PATH, FakeIem

KNYC = station_by_icao("KNYC")
# The KNYC sample covers climate dates 2026-08-20..08-22.
START, END = date(2026, 8, 20), date(2026, 8, 22)


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _count(warehouse: Path, table: str) -> int:
    return _rows(warehouse, f"select count(*) from raw_iem.{table}")[0][0]


@pytest.fixture
def fake_iem() -> Iterator[FakeIem]:
    """The fake IEM, from ../shared/realdata when present (else its built-in real reports)."""
    from tests.conftest import REALDATA

    fake = FakeIem(REALDATA if REALDATA.is_dir() else None)
    yield fake
    fake.stop()


def _client(base_url: str) -> IemClient:
    # No pacing and no backoff sleeps, so the retries cost no wall time.
    return IemClient(base_url=base_url, min_interval=0, backoff_base=0, sleep=lambda _: None)


def test_live_load_retries_503_and_is_idempotent(fake_iem: FakeIem, warehouse: Path) -> None:
    base = fake_iem.start()
    fake_iem.fail[ASOS_PATH] = [503, 503]  # the first asos request fails twice, then succeeds
    summary = runner.run_live([KNYC], START, END, client=_client(base))
    expected_obs = sum(
        1
        for (station, _), lines in fake_iem.asos.items()
        for line in lines
        if station == "NYC" and "2026-08-20 05:00" <= line.split(",")[1] < "2026-08-23 05:00"
    )
    # one issuance per climate date in the window (3 with realdata, 1 from the fallback)
    expected_days = sum(
        1
        for (station, _), rows in fake_iem.cli.items()
        for row in rows
        if station == "KNYC" and START.isoformat() <= row["valid"] <= END.isoformat()
    )
    assert summary.table_rows["asos_observations"] == expected_obs > 0
    assert summary.table_rows["cli_reports"] == expected_days > 0
    assert summary.table_rows["cf6_reports"] == expected_days
    assert summary.rejects_added == 0
    asos_requests = [r for r in fake_iem.requests if r.startswith(ASOS_PATH)]
    # 3 report types x 1 chunk, plus the two refused attempts of the first.
    assert len(asos_requests) == 3 + 2
    assert all("tz=UTC" in r and "station=NYC" in r for r in asos_requests)
    assert any("station=KNYC" in r for r in fake_iem.requests if r.startswith(CLI_PATH))

    again = runner.run_live([KNYC], START, END, client=_client(base))
    assert again.table_rows == summary.table_rows


def test_live_resumes_from_the_dlt_state_watermark(fake_iem: FakeIem, warehouse: Path) -> None:
    base = fake_iem.start()
    runner.run_live([KNYC], START, END, client=_client(base))
    fake_iem.requests.clear()
    runner.run_live([KNYC], START, END, client=_client(base))
    routine = [r for r in fake_iem.requests if r.startswith(ASOS_PATH) and "report_type=3" in r]
    # The second run starts at the last routine report served minus the 6 h lag.
    last = max(line.split(",")[1] for line in fake_iem.asos[("NYC", "3")])
    resume = datetime.strptime(last, "%Y-%m-%d %H:%M") - timedelta(hours=6)
    expected = f"day1={resume.day}&hour1={resume.hour}&minute1={resume.minute}"
    assert len(routine) == 1 and expected in routine[0]


def test_garbled_row_and_unknown_station_land_in_rejects(
    fake_iem: FakeIem, warehouse: Path
) -> None:
    garbled = "NYC,2026-08-21 12:00,7"
    unknown = "XYZ,2026-08-21 12:51,70.00,60.00,XYZZ 211251Z 21/15 A3001 RMK AO2 SLP100"
    fake_iem.asos[("NYC", "3")] += [garbled, unknown]
    fake_iem.cli[("KNYC", 2026)].append(
        {"station": "KNYC", "valid": "2026-08-21", "product": "20260822xxxx", "high": 80, "low": 1}
    )
    summary = runner.run_live([KNYC], START, END, client=_client(fake_iem.start()))
    assert summary.rejects_added == 3
    rejects = dict(_rows(warehouse, "select raw_text, reason from raw_iem.rejects"))
    assert rejects[garbled] == "garbled row: 3 fields, header has 5"
    assert rejects[unknown].startswith("unknown station 'XYZ'")
    assert any(reason.startswith("product id") for reason in rejects.values())
    # The good rows still loaded.
    assert summary.table_rows["asos_observations"] > 0


def test_empty_responses_and_total_failure(fake_iem: FakeIem, warehouse: Path) -> None:
    base = fake_iem.start()
    fake_iem.empty |= {ASOS_PATH, CLI_PATH, CF6_PATH}
    summary = runner.run_live([KNYC], START, END, client=_client(base))
    assert summary.table_rows == {
        "asos_observations": 0,
        "cf6_reports": 0,
        "cli_reports": 0,
        "rejects": 0,
    }
    assert any(note.startswith("empty response: http://127.0.0.1") for note in summary.notes)

    failing = IemClient(base_url=base, min_interval=0, backoff_base=0, max_attempts=2)
    fake_iem.empty.clear()
    for path in (ASOS_PATH, CLI_PATH, CF6_PATH):
        fake_iem.fail[path] = [503] * 100
    with pytest.raises(LoadFailedError, match=r"all 5 requests failed; first: GET http://127"):
        runner.run_live([KNYC], START, END, client=failing)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_truncated_file_via_run_files(tmp_path: Path, warehouse: Path) -> None:
    header = "station,valid,tmpf,dwpf,metar\n"
    good = (
        "NYC,2026-08-21 19:51,78.08,64.04,"
        "KNYC 211951Z AUTO 04003KT 10SM FEW041 26/18 A3006 RMK AO2 SLP171 T02560178 $\n"
    )
    path = _write(tmp_path / "asos.csv", header + good + "NYC,2026-08-21 20:51,76.00,64.0")
    assert runner.claims(path)
    summary = runner.run_files([path])
    assert summary.table_rows["asos_observations"] == 1
    assert summary.rejects_added == 1
    ((reason, location),) = _rows(warehouse, "select reason, location from raw_iem.rejects")
    assert reason == "truncated file: last line has no line end"
    assert location == f"{path}:3"


def test_unreadable_files_fail_the_whole_source(tmp_path: Path, warehouse: Path) -> None:
    garbage = _write(tmp_path / "notes.csv", "station,valid,tmpf\nthis is not, a row\n")
    assert runner.claims(garbage)  # the header looks right...
    with pytest.raises(LoadFailedError, match="no loadable rows in 1 file"):
        runner.run_files([garbage])  # ...but nothing in it loads
    assert not runner.claims(_write(tmp_path / "other.csv", "a,b\n1,2\n"))
    with pytest.raises(LoadFailedError, match="no file could be read"):
        runner.run_files([tmp_path / "missing.csv"])


def test_load_documents_labels_simulated_rows(warehouse: Path) -> None:
    lines = ["station,valid,tmpf,dwpf,metar"]
    for hour in range(24):
        temp_c = 200 + hour
        lines.append(
            f"MDW,2026-07-09 {hour:02d}:53,{temp_c / 10 * 1.8 + 32:.2f},50.00,"
            f"KMDW 09{hour:02d}53Z AUTO 20/10 A3000 RMK AO2 SLP100 T0{temp_c}0100"
        )
    asos = [RawDocument("\n".join(lines) + "\n", "sample:asos/MDW", "simulated", "sample", "3")]
    cli = [
        RawDocument(
            json.dumps(
                {
                    "results": [
                        {
                            "station": "KMDW",
                            "valid": "2026-07-09",
                            "high": 72,
                            "low": 60,
                            "product": "202607100634-KLOT-CDUS43-CLIMDW",
                        }
                    ]
                }
            ),
            "sample:cli/KMDW",
            "simulated",
            "sample",
        )
    ]
    summary = runner.load_documents(asos, cli, [], "iem sample")
    assert summary.table_rows["asos_observations"] == 24
    assert _rows(
        warehouse,
        "select distinct data_source, ingest_channel, report_type from raw_iem.asos_observations",
    ) == [("simulated", "sample", 3)]
    assert _rows(warehouse, "select data_source, high_f from raw_iem.cli_reports") == [
        ("simulated", 72)
    ]


@pytest.mark.realdata
def test_real_cli_file_reproduces_every_high_and_low(realdata: Path, warehouse: Path) -> None:
    path = realdata / "weather" / "cli_daily_kmdw_knyc.csv"
    assert runner.claims(path)
    summary = runner.run_files([path])
    with path.open(newline="") as f:
        expected = {
            (r["station"], r["date"], r["product"]): (int(r["high"]), int(r["low"]))
            for r in csv.DictReader(f)
        }
    loaded = {
        (station, str(day), product): (high, low)
        for station, day, product, high, low in _rows(
            warehouse,
            "select station, climate_date, product_id, high_f, low_f from raw_iem.cli_reports",
        )
    }
    assert summary.rejects_added == 0
    assert summary.table_rows["cli_reports"] == len(expected) == 500
    assert loaded == expected
    # The corrected issuance (weather/README: the first one said 33).
    assert [v for (s, d, _), v in loaded.items() if s == "KMDW" and d == "2026-01-04"] == [(34, 25)]
    again = runner.run_files([path])
    assert again.table_rows == summary.table_rows


@pytest.mark.realdata
def test_real_hourly_sample_loads_without_rejects(realdata: Path, warehouse: Path) -> None:
    path = realdata / "weather" / "knyc_asos_hourly_sample_2026-08.csv"
    with path.open(newline="") as f:
        source_rows = list(csv.DictReader(f))
    summary = runner.run_files([path])
    assert summary.rejects_added == 0
    assert summary.table_rows["asos_observations"] == len(source_rows)
    routine = sum(" SLP" in row["nws_metar"] for row in source_rows)
    assert _rows(
        warehouse, "select count(*) from raw_iem.asos_observations where report_type = 3"
    ) == [(routine,)]
    # Files that are not IEM formats are not claimed.
    assert not runner.claims(realdata / "weather" / "ghcnd_USW00014819_midway.csv")


def test_saved_cli_and_cf6_json_files_load(
    fake_iem: FakeIem, tmp_path: Path, warehouse: Path
) -> None:
    cli_rows = fake_iem.cli[("KNYC", 2026)][:5]
    cf6_rows = fake_iem.cf6[("KNYC", 2026)][:5]
    cli_path = _write(tmp_path / "cli.json", json.dumps({"results": cli_rows}))
    cf6_path = _write(tmp_path / "cf6.json", json.dumps({"results": cf6_rows}))
    assert runner.claims(cli_path) and runner.claims(cf6_path)
    summary = runner.run_files([cli_path, cf6_path])
    assert summary.table_rows["cli_reports"] == len(cli_rows)
    assert summary.table_rows["cf6_reports"] == len(cf6_rows)
    assert _rows(warehouse, "select sum(high_f) from raw_iem.cf6_reports") == [
        (sum(row["high"] for row in cf6_rows),)
    ]
