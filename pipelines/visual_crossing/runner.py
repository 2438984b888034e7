"""Run Visual Crossing loads: live over HTTP, or documents the simulated sample hands over.

Both channels end in the same place: Timeline JSON -> ``parsers.parse_timeline`` ->
``visual_crossing_source`` -> dlt merge.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from adapters.visual_crossing import settings as api
from adapters.visual_crossing.client import (
    BudgetExhaustedError,
    MissingApiKeyError,
    QueryKind,
    TimelineQuery,
    VcRequestError,
    VisualCrossingClient,
)
from domain.stations import Station
from pipelines.documents import RawDocument
from pipelines.loading import LoadSummary, table_row_counts
from pipelines.visual_crossing import DATASET, visual_crossing_source
from pipelines.visual_crossing.parsers import ParsedTimeline, parse_timeline
from pipelines.warehouse import LoadFailedError, assert_load_ok, make_pipeline

log = logging.getLogger(__name__)

# Observation requests span at most this many days (a failed one is cheap to retry).
OBS_CHUNK_DAYS = 7


def plan_queries(
    stations: list[Station], start: date, end: date, today: date
) -> list[TimelineQuery]:
    """The requests of a live load for local dates ``start..end``.

    Per station: observations in chunks (up to today), the forecast as issued on every basis
    date from ``start - FORECAST_DAYS_AHEAD`` to ``min(end, today)`` (so every date of the
    window gets leads 0..3), and the current forecast when the window reaches today.

    Args:
        stations: the stations.
        start: first date.
        end: last date.
        today: today's date (UTC).

    Returns:
        The queries, station by station.
    """
    queries: list[TimelineQuery] = []
    ahead = api.FORECAST_DAYS_AHEAD
    for station in stations:
        at, obs_end = start, min(end, today)
        while at <= obs_end:
            chunk_end = min(at + timedelta(days=OBS_CHUNK_DAYS - 1), obs_end)
            queries.append(TimelineQuery(QueryKind.observations, station, at, chunk_end))
            at = chunk_end + timedelta(days=1)
        basis = start - timedelta(days=ahead)
        while basis <= min(end, today - timedelta(days=1)):
            queries.append(
                TimelineQuery(
                    QueryKind.historical_forecast,
                    station,
                    basis,
                    basis + timedelta(days=ahead),
                    basis_date=basis,
                )
            )
            basis += timedelta(days=1)
        if end >= today:
            queries.append(TimelineQuery(QueryKind.current_forecast, station))
    return queries


def load_documents(
    documents: Iterable[tuple[RawDocument, TimelineQuery, datetime]], label: str
) -> LoadSummary:
    """Parse Timeline documents and load them.

    Args:
        documents: (document, the query it answers, fetch time).
        label: the summary's source label.

    Returns:
        Row counts of ``raw_visual_crossing`` after the load, and the rejects added.

    Raises:
        LoadFailedError: the load failed.
    """
    parsed = ParsedTimeline()
    for doc, query, fetched_at in documents:
        one = parse_timeline(doc, query, fetched_at)
        parsed.observations.extend(one.observations)
        parsed.forecasts.extend(one.forecasts)
        parsed.rejects.extend(one.rejects)
        parsed.query_cost += one.query_cost
    log.info(
        "%s: loading %d observations, %d forecast rows, %d rejects",
        label,
        len(parsed.observations),
        len(parsed.forecasts),
        len(parsed.rejects),
    )
    pipeline = make_pipeline("visual_crossing", DATASET)
    source = visual_crossing_source(parsed.observations, parsed.forecasts, parsed.rejects)
    try:
        info = pipeline.run(source)
    except Exception as exc:  # dlt wraps destination errors in PipelineStepFailed
        raise LoadFailedError(f"{label}: dlt load into {DATASET} failed: {exc}") from exc
    assert_load_ok(info, label)
    return LoadSummary(
        source=label,
        dataset=DATASET,
        table_rows=table_row_counts(DATASET),
        rejects_added=len(parsed.rejects),
    )


def run_live(
    stations: list[Station],
    start: date,
    end: date,
    client: VisualCrossingClient | None = None,
    today: date | None = None,
) -> LoadSummary:
    """Fetch and load Visual Crossing observations and forecasts for ``start..end``.

    Stops sending when the record budget would be exceeded (``VISUAL_CROSSING_MAX_RECORDS``)
    and loads what it has, with a note.

    Args:
        stations: stations to fetch.
        start: first local date.
        end: last local date.
        client: a client (tests pass one pointed at the fake server); a default one otherwise.
        today: today's date (default: UTC today).

    Returns:
        Row counts after the load, rejects added, notes on failed requests and the budget.

    Raises:
        LoadFailedError: no API key, every request failed, or the load failed.
    """
    label = "visual crossing live"
    queries = plan_queries(stations, start, end, today or datetime.now(UTC).date())
    own_client = client is None
    try:
        http = client or VisualCrossingClient()
    except MissingApiKeyError as exc:
        raise LoadFailedError(f"{label}: {exc}") from exc
    documents: list[tuple[RawDocument, TimelineQuery, datetime]] = []
    notes: list[str] = []
    try:
        for query in queries:
            try:
                response = http.fetch(query)
            except BudgetExhaustedError as exc:
                notes.append(f"stopped: {exc}")
                log.warning("%s", exc)
                break
            except VcRequestError as exc:
                notes.append(f"request failed: {exc}")
                log.warning("%s", exc)
                continue
            doc = RawDocument(response.text, response.url, "real", "http")
            documents.append((doc, query, response.fetched_at))
    finally:
        if own_client:
            http.close()
    if queries and not documents and any(n.startswith("request failed") for n in notes):
        raise LoadFailedError(f"{label}: every request failed; first: {notes[0]}")
    summary = load_documents(documents, label)
    summary.notes.extend(notes)
    summary.notes.append(f"{http.spent} records spent of a budget of {http.max_records}")
    return summary
