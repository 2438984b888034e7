"""Run IEM loads: from files, from the live API, or from documents handed over by the sample.

Every channel ends in the same place: documents -> ``parsers`` (observations) or ``daily``
(CLI/CF6) -> ``iem_source`` -> dlt merge.
Parsing finishes before the load starts so the rejects resource sees every reject.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
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
from pipelines.documents import RawDocument
from pipelines.iem import WATERMARK_STATE_KEY, iem_source, revisions, settings, watermark_key
from pipelines.iem.daily import parse_daily
from pipelines.iem.parsers import Kind, Parsed, parse_observations, sniff
from pipelines.loading import LoadSummary, table_row_counts
from pipelines.rejects import Reject
from pipelines.warehouse import IEM_DATASET, LoadFailedError, assert_load_ok, make_pipeline

log = logging.getLogger(__name__)

Row = dict[str, Any]

# How much of a file to read when sniffing its format.
_SNIFF_BYTES = 64 * 1024


@dataclass
class _Collected:
    """Everything parsed from a set of documents, ready to load."""

    observation_batches: list[list[Row]] = field(default_factory=list)
    cli_rows: list[Row] = field(default_factory=list)
    cf6_rows: list[Row] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    documents: int = 0

    @property
    def observation_rows(self) -> int:
        return sum(len(batch) for batch in self.observation_batches)

    def add_observations(self, parsed: Parsed) -> None:
        """Append rows in batches of at most ``settings.BATCH_ROWS``."""
        rows = parsed.rows
        for start in range(0, len(rows), settings.BATCH_ROWS):
            chunk = rows[start : start + settings.BATCH_ROWS]
            last = self.observation_batches[-1] if self.observation_batches else None
            if last is not None and len(last) + len(chunk) <= settings.BATCH_ROWS:
                last.extend(chunk)
            else:
                self.observation_batches.append(list(chunk))
        self._add_common(parsed)

    def add_daily(self, parsed: Parsed, kind: Kind) -> None:
        """Append CLI or CF6 rows."""
        (self.cf6_rows if kind is Kind.cf6 else self.cli_rows).extend(parsed.rows)
        self._add_common(parsed)

    def _add_common(self, parsed: Parsed) -> None:
        self.rejects.extend(parsed.rejects)
        self.notes.extend(parsed.notes)
        self.documents += 1


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
        return handle.read(_SNIFF_BYTES).decode("utf-8", errors="replace")


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


def _parse_into(collected: _Collected, doc: RawDocument, kind: Kind | None) -> None:
    kind = kind or sniff(doc.text[:_SNIFF_BYTES], doc.location)
    if kind in (Kind.asos, Kind.hourly):
        collected.add_observations(parse_observations(doc, kind))
    elif kind in (Kind.cli, Kind.cf6):
        collected.add_daily(parse_daily(doc, kind), kind)
    else:
        collected.rejects.append(
            Reject(
                "iem_files",
                "not a format the IEM loader reads",
                doc.text[:500],
                doc.location,
                doc.data_source,
                doc.ingest_channel,
            )
        )
        collected.documents += 1


def _load(collected: _Collected, label: str, track_watermarks: bool = False) -> LoadSummary:
    """Run the dlt pipeline over parsed data and summarise the warehouse afterwards."""
    pipeline = make_pipeline("iem", IEM_DATASET)
    source = iem_source(
        collected.observation_batches,
        collected.cli_rows,
        collected.cf6_rows,
        collected.rejects,
        track_watermarks=track_watermarks,
    )
    rows = collected.observation_rows + len(collected.cli_rows) + len(collected.cf6_rows)
    log.info(
        "%s: loading %d observations, %d CLI, %d CF6 rows, %d rejects",
        label,
        collected.observation_rows,
        len(collected.cli_rows),
        len(collected.cf6_rows),
        len(collected.rejects),
    )
    try:
        _migrate_revisions()
        with _progress() as progress:
            # A spinner-like bar: dlt runs extract/normalize/load as one call.
            task = progress.add_task(f"{label}: loading {rows:,} rows into DuckDB", total=1)
            info = pipeline.run(source)
            progress.update(task, completed=1)
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
    return summary


def _migrate_revisions() -> None:
    """Add the revision columns to a warehouse loaded before they existed (see ``revisions``)."""
    path = warehouse_path()
    if not path.exists():
        return  # a new warehouse: dlt creates the table with them
    with duckdb.connect(str(path)) as con:
        revisions.migrate(con, IEM_DATASET)


def _parse_documents(
    docs: Iterable[tuple[RawDocument, Kind | None]], total: int | None, label: str
) -> _Collected:
    collected = _Collected()
    show = total is None or total >= settings.PROGRESS_MIN_DOCUMENTS
    with _progress() as progress:
        task = progress.add_task(f"{label}: parsing", total=total, visible=show)
        for doc, kind in docs:
            _parse_into(collected, doc, kind)
            progress.advance(task)
    return collected


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

    collected = _parse_documents(documents(), len(paths), label)
    if unreadable and len(unreadable) == len(paths):
        raise LoadFailedError(f"{label}: no file could be read ({'; '.join(unreadable)})")
    loaded = collected.observation_rows + len(collected.cli_rows) + len(collected.cf6_rows)
    if loaded == 0 and collected.rejects:
        # Nothing usable at all: still record why, then fail loudly.
        _load(collected, label)
        raise LoadFailedError(
            f"{label}: no loadable rows in {len(paths)} file(s); "
            f"{len(collected.rejects)} rejects recorded in {IEM_DATASET}.rejects"
        )
    summary = _load(collected, label)
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

    try:
        collected = _parse_documents(documents(), total, label)
    finally:
        if own_client:
            http.close()
    if failures and collected.documents == 0:
        raise LoadFailedError(f"{label}: all {len(failures)} requests failed; first: {failures[0]}")
    collected = _keep_window(collected, stations, start, end)
    summary = _load(collected, label, track_watermarks=True)
    summary.notes.extend(f"request failed: {failure}" for failure in failures)
    return summary


def _keep_window(
    collected: _Collected, stations: list[Station], start: date, end: date
) -> _Collected:
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
    return collected


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

    collected = _parse_documents(documents(), None, label)
    return _load(collected, label)
