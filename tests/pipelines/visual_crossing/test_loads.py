"""Visual Crossing loads against the local fake: idempotent merges, the budget, look-ahead guards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pytest

from adapters.visual_crossing.client import QueryKind, TimelineQuery, VisualCrossingClient
from domain.stations import station_by_icao
from pipelines.documents import RawDocument
from pipelines.visual_crossing.parsers import parse_timeline
from pipelines.visual_crossing.runner import run_live
from tests.fakes.visual_crossing_server import FakeVisualCrossing, now_utc

KMDW = station_by_icao("KMDW")
START, END = date(2026, 11, 17), date(2026, 11, 18)


@pytest.fixture
def fake() -> Iterator[FakeVisualCrossing]:
    server = FakeVisualCrossing()
    server.start()
    yield server
    server.stop()


def _client(fake: FakeVisualCrossing, max_records: int = 1000) -> VisualCrossingClient:
    return VisualCrossingClient(
        key=fake.key,
        base_url=fake.base_url,
        max_records=max_records,
        min_interval=0,
        sleep=lambda _: None,
        clock=now_utc,
    )


def _counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from raw_visual_crossing.{table}").fetchall()[0][0]
            for table in ("observations", "forecasts", "rejects")
        }


def test_a_live_load_merges_and_a_rerun_never_duplicates(
    warehouse: Path, fake: FakeVisualCrossing
) -> None:
    with _client(fake) as client:
        first = run_live([KMDW], START, END, client=client, today=fake.today)
    with _client(fake) as client:
        run_live([KMDW], START, END, client=client, today=fake.today)
    counts = _counts(warehouse)
    # 2 days x 24 hours observed; basis dates 11-14..11-18, 4 days each, 1 day + 24 hours a day
    assert counts == {"observations": 48, "forecasts": 5 * 4 * 25, "rejects": 0}
    assert first.table_rows["forecasts"] == counts["forecasts"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select forecast_basis, min(published_at), min(lead_days), max(lead_days), "
            "count(distinct source_location) from raw_visual_crossing.forecasts group by 1"
        ).fetchall()
        keys = con.execute(
            "select source_location from raw_visual_crossing.observations"
        ).fetchall()
    for basis, published_at, lead_min, lead_max, _ in rows:
        local_midnight = datetime.combine(date.fromisoformat(basis), time(0), tzinfo=KMDW.zone)
        assert published_at == local_midnight.astimezone(UTC)  # never before it could exist
        assert (lead_min, lead_max) == (0, 3)
    assert all(fake.key not in location for (location,) in keys)


def test_the_budget_stops_the_load_and_keeps_what_it_fetched(
    warehouse: Path, fake: FakeVisualCrossing
) -> None:
    with _client(fake, max_records=60) as client:
        summary = run_live([KMDW], START, END, client=client, today=fake.today)
    # observations cost 48, each basis-date forecast 4: the fourth forecast (64) is not sent
    assert len(fake.requests) == 4 and client.spent == 60
    assert any(note.startswith("stopped: visual crossing budget") for note in summary.notes)
    assert _counts(warehouse) == {"observations": 48, "forecasts": 3 * 4 * 25, "rejects": 0}


def test_a_forecast_answered_with_observations_is_rejected() -> None:
    # a stn: location ignores forecastBasisDate and answers observations: never a forecast
    body = FakeVisualCrossing().body("stn:KMDW", [START.isoformat()], {"forecastBasisDate": "x"})
    query = TimelineQuery(QueryKind.historical_forecast, KMDW, START, START, basis_date=START)
    doc = RawDocument(json.dumps(body), "http://fake/stn:KMDW", "real", "http")
    parsed = parse_timeline(doc, query, now_utc())
    assert parsed.forecasts == []
    assert len(parsed.rejects) == 25
    assert all("source=obs" in reject.reason for reject in parsed.rejects)


def test_a_current_forecast_is_published_when_fetched(fake: FakeVisualCrossing) -> None:
    body = fake.body(f"{KMDW.latitude},{KMDW.longitude}", [], {})
    doc = RawDocument(json.dumps(body), "http://fake/current", "real", "http")
    parsed = parse_timeline(doc, TimelineQuery(QueryKind.current_forecast, KMDW), now_utc())
    assert {row["published_at"] for row in parsed.forecasts} == {now_utc()}
    assert min(row["lead_days"] for row in parsed.forecasts) == 0
    assert max(row["target_local_date"] for row in parsed.forecasts) == fake.today + timedelta(14)


def test_a_broken_document_is_one_reject() -> None:
    query = TimelineQuery(QueryKind.observations, KMDW, START, START)
    parsed = parse_timeline(RawDocument("{not json", "u", "real", "http"), query, now_utc())
    assert parsed.observations == [] and len(parsed.rejects) == 1
