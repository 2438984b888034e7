"""The simulated forecasts: real Timeline shape through the real parser, labelled, leads 0..3."""

from __future__ import annotations

from collections import Counter
from datetime import date

from domain.stations import station_by_icao
from pipelines.sample.forecasts import forecast_documents
from pipelines.sample.truth import day_truth, iter_days
from pipelines.visual_crossing.parsers import parse_timeline

KMDW = station_by_icao("KMDW")
DAYS = iter_days(date(2025, 3, 8), date(2025, 3, 10))  # spans the DST start (23-hour day)


def test_every_day_gets_leads_0_to_3_labelled_simulated() -> None:
    documents = list(forecast_documents([KMDW], DAYS))
    assert [doc.text for doc, _, _ in documents] == [
        doc.text for doc, _, _ in forecast_documents([KMDW], DAYS)
    ]  # deterministic
    rows, rejects = [], []
    for doc, query, fetched_at in documents:
        parsed = parse_timeline(doc, query, fetched_at)
        rows += parsed.forecasts
        rejects += parsed.rejects
    assert rejects == []
    assert {(row["data_source"], row["ingest_channel"]) for row in rows} == {
        ("simulated", "sample")
    }
    days = [row for row in rows if row["granularity"] == "day"]
    leads = Counter((row["target_local_date"], row["lead_days"]) for row in days)
    assert set(leads) == {(day, lead) for day in DAYS for lead in range(4)}
    hours = Counter(row["target_local_date"] for row in rows if row["granularity"] == "hour")
    assert hours[date(2025, 3, 9)] == 4 * 23 and hours[date(2025, 3, 8)] == 4 * 24
    for row in days:
        truth = day_truth(KMDW, row["target_local_date"])
        # within 5 sd of the lead's spread, plus the hourly sampling of the peak
        assert abs(row["temp_max_f"] - truth.high_f) < 5 * (2.5 + row["lead_days"]) + 3
        assert row["published_at"] <= row["target_at"]
