"""Run IEM loads: from files, from the live API, or from documents handed over by the sample.

Every channel ends in the same place: documents -> ``asos_arrow`` (observations, vectorised,
with ``parsers`` as the row-by-row reference) or ``daily`` (CLI/CF6) -> ``iem_source`` -> dlt
merge. Observations are parsed while dlt extracts them, one document at a time, so memory holds
one batch, not the input; CLI/CF6 rows and every reject are extracted after them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from adapters.iem import settings as api
from adapters.iem.client import IemClient, IemRequestError, IemResponse, asos_requests
from domain.climate_day import climate_day_window
from domain.layout import warehouse_path
from domain.stations import Station
from pipelines import lake
from pipelines.documents import RawDocument
from pipelines.iem import (
    OBSERVATION_RESOURCES,
    REPORT_RESOURCES,
    WATERMARK_STATE_KEY,
    iem_source,
    revisions,
    settings,
    watermark_key,
)
from pipelines.iem.batches import SNIFF_BYTES, Collected, observation_batches
from pipelines.iem.parsers import Kind, sniff
from pipelines.loading import LoadSummary, table_row_counts
from pipelines.warehouse import IEM_DATASET, LoadFailedError, assert_load_ok, make_pipeline

log = logging.getLogger(__name__)

Row = dict[str, Any]


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
    )


def _read_head(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES).decode("utf-8", errors="replace")


def claims(path: Path) -> bool:
    """True if the file is in a format this loader imports (sniffs the content, not the name).

    Args:
        path: a file.

    Returns:
        Whether ``run_files`` would load it: asos.py CSV, the hourly observation CSV, or
        cli.py / cf6.py JSON or CSV.
    """
    try:
        return sniff(_read_head(path), str(path)) is not None
    except OSError:
        return False


def _load(
    docs: Iterable[tuple[RawDocument, Kind | None]],
    total: int | None,
    label: str,
    track_watermarks: bool = False,
    between: Callable[[Collected], None] | None = None,
) -> tuple[Collected, LoadSummary]:
    """Parse and load documents with dlt: observations extracted as they are parsed, then
    CLI/CF6 rows and every reject; normalised and loaded in one go.

    Args:
        docs: the documents, with their format when known (sniffed otherwise).
        total: how many documents, for the progress bar (None when unknown).
        label: the summary's source label.
        track_watermarks: see ``iem.asos_observations``.
        between: called once the observations are extracted, before the CLI/CF6 rows and
            rejects are: it may filter them, or raise ``LoadFailedError`` to load nothing.

    Returns:
        What the parse collected, and the load summary.

    Raises:
        LoadFailedError: the load failed.
    """
    pipeline = make_pipeline("iem", IEM_DATASET)
    collected = Collected()
    show = total is None or total >= settings.PROGRESS_MIN_DOCUMENTS
    try:
        _migrate_revisions()
        with _progress() as progress:
            task = progress.add_task(f"{label}: parsing", total=total, visible=show)
            batches = observation_batches(docs, collected, lambda: progress.advance(task))
            observations = iem_source(batches, [], [], [], track_watermarks)
            pipeline.extract(observations.with_resources(*OBSERVATION_RESOURCES))
            if between is not None:
                try:
                    between(collected)
                except LoadFailedError:
                    pipeline.abort_packages()  # the extracted package is deleted, not loaded
                    raise
            # Each extract is normalised at once so its package carries the current schema.
            pipeline.normalize()
            log.info(
                "%s: loading %d observations (%d lines by the row-by-row reference), "
                "%d CLI, %d CF6 rows, %d rejects",
                label,
                collected.observation_rows,
                collected.reference_lines,
                len(collected.cli_rows),
                len(collected.cf6_rows),
                len(collected.rejects),
            )
            reports = iem_source([], collected.cli_rows, collected.cf6_rows, collected.rejects)
            pipeline.extract(reports.with_resources(*REPORT_RESOURCES))
            pipeline.normalize()
            info = pipeline.load()
    except LoadFailedError:
        raise
    except Exception as exc:  # dlt wraps destination errors in PipelineStepFailed
        raise LoadFailedError(f"{label}: dlt load into {IEM_DATASET} failed: {exc}") from exc
    assert_load_ok(info, label)
    summary = LoadSummary(
        source=label,
        dataset=IEM_DATASET,
        table_rows=table_row_counts(IEM_DATASET),
        rejects_added=len(collected.rejects),
        notes=list(collected.notes),
    )
    return collected, summary


def _migrate_revisions() -> None:
    """Add the revision columns to a warehouse loaded before they existed (see ``revisions``)."""
    path = warehouse_path()
    if lake.lake_path() is not None or not path.exists():
        return  # a lake load, or a new warehouse: dlt creates the table with them
    with duckdb.connect(str(path)) as con:
        revisions.migrate(con, IEM_DATASET)


def run_files(paths: list[Path]) -> LoadSummary:
    """Load saved IEM / NWS files (``--source files``).

    Args:
        paths: files ``claims`` accepted.

    Returns:
        Row counts of ``raw_iem`` after the load, and the rejects added.

    Raises:
        LoadFailedError: no file could be read at all, or the load failed.
    """
    label = "iem files"
    unreadable: list[str] = []

    def documents() -> Iterator[tuple[RawDocument, Kind | None]]:
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                unreadable.append(f"{path}: {exc.strerror or exc}")
                continue
            yield RawDocument(text, str(path), "real", "files"), None

    def readable(_: Collected) -> None:
        if unreadable and len(unreadable) == len(paths):
            raise LoadFailedError(f"{label}: no file could be read ({'; '.join(unreadable)})")

    collected, summary = _load(documents(), len(paths), label, between=readable)
    loaded = collected.observation_rows + len(collected.cli_rows) + len(collected.cf6_rows)
    if loaded == 0 and collected.rejects:
        # Nothing usable at all: the rejects say why (they are loaded); fail loudly.
        raise LoadFailedError(
            f"{label}: no loadable rows in {len(paths)} file(s); "
            f"{len(collected.rejects)} rejects recorded in {IEM_DATASET}.rejects"
        )
    summary.notes.extend(f"unreadable: {item}" for item in unreadable)
    return summary


def _watermarks() -> dict[str, str]:
    """The live watermarks the last live load left in dlt state (empty on a first run)."""
    pipeline = make_pipeline("iem", IEM_DATASET)
    try:
        state: Mapping[str, Any] = pipeline.state  # a copy of the local state
    except Exception:  # no state yet is the normal first-run case
        return {}
    resources = state.get("sources", {}).get("iem", {}).get("resources", {})
    return dict(resources.get("asos_observations", {}).get(WATERMARK_STATE_KEY, {}))


def run_live(
    stations: list[Station],
    start: date,
    end: date,
    client: IemClient | None = None,
) -> LoadSummary:
    """Fetch and load IEM data over HTTP for climate dates ``start..end`` (inclusive).

    Observations come from asos.py (tz=UTC, 3-char ids, report types 1, 3 and 4 requested
    separately), CLI from json/cli.py and CF6 from json/cf6.py (4-char ids, one request per
    station-year). Observation requests start at the later of the window start and the last
    loaded observation (per station and report type, from dlt state) minus a lag.

    Args:
        stations: stations to fetch.
        start: first climate date.
        end: last climate date.
        client: an ``IemClient`` (tests pass one with no pacing); a default polite one otherwise.

    Returns:
        Row counts of ``raw_iem`` after the load, rejects added, and notes on failed requests.

    Raises:
        LoadFailedError: every request failed, or the load failed.
    """
    label = "iem live"
    watermarks = _watermarks()
    lag = timedelta(hours=settings.LIVE_RESUME_LAG_HOURS)
    requests = []
    for station in stations:
        window_start = climate_day_window(start, station)[0]
        window_end = climate_day_window(end, station)[1]
        for request in asos_requests([station], window_start, window_end):
            seen = watermarks.get(watermark_key("real", station.icao, request.report_type))
            if seen:
                resume = datetime.fromisoformat(seen).astimezone(UTC) - lag
                if resume >= request.end:
                    continue  # this chunk is already loaded
                if resume > request.start:
                    request = type(request)(
                        request.station, request.report_type, resume, request.end
                    )
            requests.append(request)
    years = end.year - start.year + 1
    total = len(requests) + 2 * len(stations) * years
    failures: list[str] = []
    own_client = client is None
    http = client or IemClient()

    def documents() -> Iterator[tuple[RawDocument, Kind | None]]:
        streams: list[tuple[Iterable[IemResponse | IemRequestError], Kind]] = [
            (http.asos_responses(requests), Kind.asos),
            (http.yearly_json_responses(api.CLI_PATH, stations, start, end), Kind.cli),
            (http.yearly_json_responses(api.CF6_PATH, stations, start, end), Kind.cf6),
        ]
        for stream, kind in streams:
            for item in stream:
                if isinstance(item, IemRequestError):
                    failures.append(str(item))
                    log.warning("%s", item)
                    continue
                yield RawDocument(item.text, item.url, "real", "http", hint=item.report_type), kind

    def answered(collected: Collected) -> None:
        if failures and collected.documents == 0:
            raise LoadFailedError(
                f"{label}: all {len(failures)} requests failed; first: {failures[0]}"
            )
        _keep_window(collected, stations, start, end)

    try:
        _, summary = _load(documents(), total, label, track_watermarks=True, between=answered)
    finally:
        if own_client:
            http.close()
    summary.notes.extend(f"request failed: {failure}" for failure in failures)
    return summary


def _keep_window(collected: Collected, stations: list[Station], start: date, end: date) -> None:
    """Drop CLI/CF6 rows outside ``start..end``: those endpoints return whole years."""
    wanted = {station.icao for station in stations}
    collected.cli_rows = [
        row
        for row in collected.cli_rows
        if start <= row["climate_date"] <= end and row["station"] in wanted
    ]
    collected.cf6_rows = [
        row
        for row in collected.cf6_rows
        if start <= row["climate_date"] <= end and row["station"] in wanted
    ]


def load_documents(
    asos: Iterable[RawDocument],
    cli: Iterable[RawDocument],
    cf6: Iterable[RawDocument],
    label: str,
) -> LoadSummary:
    """Load documents another channel produced (the simulated sample generator).

    Args:
        asos: asos.py CSV documents; ``hint`` is the report type ("1", "3" or "4").
        cli: json/cli.py JSON documents.
        cf6: json/cf6.py JSON documents.
        label: the summary's source label (``iem sample``).

    Returns:
        Row counts of ``raw_iem`` after the load, and the rejects added.

    Raises:
        LoadFailedError: the load failed.
    """

    def documents() -> Iterator[tuple[RawDocument, Kind | None]]:
        for doc in asos:
            yield doc, None  # asos.py CSV or the hourly form: sniffed
        for doc in cli:
            yield doc, Kind.cli
        for doc in cf6:
            yield doc, Kind.cf6

    return _load(documents(), None, label)[1]
