"""Parse IEM / NWS payloads (as ``RawDocument``) into raw-table rows plus ``Reject`` rows.

Formats:
- ``asos``: IEM ``asos.py`` CSV (``station,valid,tmpf,dwpf,metar``; ``valid`` in UTC).
- ``hourly``: a third-party hourly export of IEM/NWS observations (``timestamp,station,...,
  nws_current_temp_f,nws_dew_point_f,...,nws_metar,...``), loaded as observations.
- ``cli``: IEM ``json/cli.py`` JSON, or the same rows as CSV (``date`` may stand for ``valid``).
- ``cf6``: IEM ``json/cf6.py`` JSON (or CSV).

This module sniffs all four and parses the observations; :mod:`pipelines.iem.daily` parses the
CLI/CF6 daily summaries.

Every report is kept, a second one for the same station, minute and type (a ``COR`` or a
repeat with other text) as a revision: :mod:`pipelines.iem.revisions`.

Report type (1 = HF 5-minute, 3 = routine, 4 = special): the request's ``report_type`` (the
document ``hint``) wins, then a ``report_type`` column. Without either, it is inferred from the
METAR: a ``SPECI`` prefix means special, a ``METAR`` prefix routine; otherwise a report with a
sea-level-pressure group (``SLPppp``/``SLPNO``) is routine and one without is special, because
US SPECIs do not carry SLP (FMH-1 §12.7) while routine reports do. Checked on the KNYC sample:
every :51 report has SLP and no off-hour special does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlparse

from domain.observations import (
    ObservationError,
    asos_valid_at,
    observation_row,
    offset_valid_at,
)
from pipelines.documents import CsvLine, DocumentError, RawDocument, csv_lines, load_json
from pipelines.iem.revisions import add_revisions
from pipelines.rejects import Reject

Row = dict[str, Any]

REPORT_TYPES = frozenset({1, 3, 4})


class Kind(StrEnum):
    """The payload formats this package reads."""

    asos = "asos"
    hourly = "hourly"
    cli = "cli"
    cf6 = "cf6"


@dataclass
class Parsed:
    """Rows and rejects of one or more documents.

    Attributes:
        rows: raw-table rows.
        rejects: rows (or whole documents) we could not load.
        notes: things a person should know that are not errors (empty responses...).
    """

    rows: list[Row] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class RowError(ValueError):
    """One row is unusable; the message is the reject reason (``ObservationError`` likewise)."""


# ---------------------------------------------------------------------------------------------
# Sniffing


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            return line.strip().lstrip("\ufeff")
    return ""


_CF6_ONLY_KEYS = frozenset({"avg_temp", "dep_temp", "hdd", "cdd", "snowd_12z"})
_CLI_ONLY_KEYS = frozenset({"high_time", "low_time", "high_normal", "high_record", "precip_month"})


def _name_says_cf6(location: str) -> bool:
    # Only the last path segment: a folder name must not decide the format.
    return "cf6" in urlparse(location).path.rsplit("/", 1)[-1].lower()


def _json_kind(rows: list[Any], location: str) -> Kind:
    first = rows[0] if rows and isinstance(rows[0], dict) else {}
    if _CF6_ONLY_KEYS & set(first):
        return Kind.cf6
    if _CLI_ONLY_KEYS & set(first):
        return Kind.cli
    product = str(first.get("product", "")).upper()
    if "CF6" in product or "CLI" in product:
        return Kind.cf6 if "CF6" in product else Kind.cli
    return Kind.cf6 if _name_says_cf6(location) else Kind.cli


def sniff(text: str, location: str = "") -> Kind | None:
    """Which format a payload is in, from its content (header or JSON shape).

    Args:
        text: the payload, or its first few kilobytes.
        location: the URL or path, used only to tell CLI from CF6 when the content cannot.

    Returns:
        The format, or ``None`` when this package does not read it.
    """
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith("{"):
        # A prefix of a large JSON file may not parse; look for the key instead.
        if '"results"' not in stripped[:4096]:
            return None
        try:
            rows = load_json(text).get("results", [])
        except (DocumentError, AttributeError):
            rows = []
        if not isinstance(rows, list):
            rows = []  # parse_daily rejects the document, with the reason
        if not rows:
            # A prefix of a big file, or no results: look for a CF6-only key, then the name.
            cf6 = '"avg_temp"' in stripped or '"hdd"' in stripped or _name_says_cf6(location)
            return Kind.cf6 if cf6 else Kind.cli
        return _json_kind(rows, location)
    header = {name.strip().lower() for name in _first_line(stripped).split(",")}
    if {"timestamp", "station", "nws_metar"} <= header:
        return Kind.hourly
    if {"station", "valid"} <= header and header & {"tmpf", "metar"}:
        return Kind.asos
    if {"station", "high", "low", "product"} <= header and header & {"valid", "date"}:
        return Kind.cf6 if "avg_temp" in header else Kind.cli
    return None


# ---------------------------------------------------------------------------------------------
# Report type


def stated_report_type(raw: str | None) -> int | None:
    """A report type the request (the document ``hint``) or a ``report_type`` column states.

    Args:
        raw: the hint or column text.

    Returns:
        1, 3 or 4; None when ``raw`` is absent or blank (the type is then inferred).

    Raises:
        RowError: anything else.
    """
    if raw is None or not raw.strip():
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise RowError(f"report_type {raw!r} is not 1, 3 or 4") from exc
    if value not in REPORT_TYPES:
        raise RowError(f"report_type {raw!r} is not 1, 3 or 4")
    return value


def _report_type(
    hint: str | None, column: str | None, metar_kind: str | None, has_slp: bool
) -> int:
    for raw in (hint, column):
        value = stated_report_type(raw)
        if value is not None:
            return value
    if metar_kind == "SPECI":
        return 4
    if metar_kind == "METAR":
        return 3
    return 3 if has_slp else 4


# ---------------------------------------------------------------------------------------------
# Observations


def _observation_row(fields: dict[str, str | None], kind: Kind, doc: RawDocument) -> Row:
    hourly = kind is Kind.hourly
    obs = observation_row(
        station=fields.get("station"),
        valid=fields.get("timestamp" if hourly else "valid"),
        tmpf=fields.get("nws_current_temp_f" if hourly else "tmpf"),
        dwpf=fields.get("nws_dew_point_f" if hourly else "dwpf"),
        metar=fields.get("nws_metar" if hourly else "metar"),
        valid_at=offset_valid_at if hourly else asos_valid_at,
    )
    metar = obs.metar
    report_type = _report_type(
        doc.hint,
        fields.get("report_type"),
        metar.kind if metar else None,
        bool(metar and metar.has_slp),
    )
    return {
        "station": obs.station_icao,
        "valid_at": obs.valid_at,
        "report_type": report_type,
        "temp_f_reported": None if obs.temp_f is None else float(obs.temp_f),
        "dewpoint_f_reported": None if obs.dewpoint_f is None else float(obs.dewpoint_f),
        "temp_c_tenths": metar.temp_c_tenths if metar else None,
        "dewpoint_c_tenths": metar.dewpoint_c_tenths if metar else None,
        "temp_c_whole": metar.temp_c_whole if metar else None,
        "max_6h_c": metar.max_6h_c if metar else None,
        "min_6h_c": metar.min_6h_c if metar else None,
        "max_24h_c": metar.max_24h_c if metar else None,
        "min_24h_c": metar.min_24h_c if metar else None,
        "metar": obs.metar_text,
        "source_location": doc.location,
        "data_source": doc.data_source,
        "ingest_channel": doc.ingest_channel,
    }


def reject(doc: RawDocument, source: str, reason: str, raw: str, where: str) -> Reject:
    """A reject of ``raw`` from ``doc`` (``where``: ``:line`` or ``#index`` after the location)."""
    return Reject(
        source_name=source,
        reason=reason,
        raw_text=raw,
        location=f"{doc.location}{where}",
        data_source=doc.data_source,
        ingest_channel=doc.ingest_channel,
    )


def csv_header(values: list[str]) -> list[str]:
    """Column names of a CSV header line: stripped, without a byte-order mark, lower case."""
    return [name.strip().lstrip("\ufeff").lower() for name in values]


def line_fields(
    doc: RawDocument, source: str, out: Parsed, header: list[str], line: CsvLine, truncated: bool
) -> dict[str, str | None] | None:
    """One line after the header as fields by column name.

    Args:
        doc: the document.
        source: the reject source name.
        out: where a reject goes.
        header: the column names (``csv_header``).
        line: the line (from ``csv_lines``).
        truncated: the line is the document's last and has no line end (cut off).

    Returns:
        The fields; None for a comment, or a bad line (its reject appended to ``out``).
    """
    number, raw, values = line.number, line.raw, line.values
    if raw.startswith("#"):
        return None
    if values is None:
        out.rejects.append(reject(doc, source, line.error or "", raw, f":{number}"))
        return None
    # IEM ends every response with a newline; a last line without one was cut off in transit
    # or on disk, so it is rejected even when it happens to have every column.
    if truncated:
        out.rejects.append(
            reject(doc, source, "truncated file: last line has no line end", raw, f":{number}")
        )
        return None
    if len(values) != len(header):
        out.rejects.append(
            reject(
                doc,
                source,
                f"garbled row: {len(values)} fields, header has {len(header)}",
                raw,
                f":{number}",
            )
        )
        return None
    return dict(zip(header, values, strict=True))


def _after_header(doc: RawDocument) -> Iterator[tuple[list[str], CsvLine, bool]]:
    """The lines after the header, with the header and whether each is a cut-off last line."""
    truncated_last = bool(doc.text) and not doc.text.endswith(("\n", "\r"))
    last_line = len(doc.text.splitlines())
    header: list[str] | None = None
    for parsed in csv_lines(doc.text):
        if header is None and parsed.values is not None and not parsed.raw.startswith("#"):
            header = csv_header(parsed.values)
            continue
        # Before the header only comments and unreadable lines come here (never a data row).
        yield header or [], parsed, truncated_last and parsed.number == last_line


def csv_records(
    doc: RawDocument, source: str, out: Parsed
) -> Iterator[tuple[int, str, dict[str, str | None]]]:
    """CSV data lines as (line number, raw line, fields); bad lines become rejects in ``out``."""
    for header, line, truncated in _after_header(doc):
        fields = line_fields(doc, source, out, header, line, truncated)
        if fields is not None:
            yield line.number, line.raw, fields


def observation_line(
    doc: RawDocument, kind: Kind, header: list[str], line: CsvLine, truncated: bool, out: Parsed
) -> Row | None:
    """One line of an observation CSV through the row rule (``domain.observations``).

    Args:
        doc: the document.
        kind: ``Kind.asos`` or ``Kind.hourly``.
        header: the column names.
        line: the line.
        truncated: see ``line_fields``.
        out: where a reject goes.

    Returns:
        The row (without revision columns), or None (a comment, or a reject in ``out``).
    """
    fields = line_fields(doc, "iem_asos", out, header, line, truncated)
    if fields is None:
        return None
    try:
        return _observation_row(fields, kind, doc)
    except (RowError, ObservationError) as exc:
        out.rejects.append(reject(doc, "iem_asos", str(exc), line.raw, f":{line.number}"))
        return None


def parse_observations(doc: RawDocument, kind: Kind | None = None) -> Parsed:
    """Parse an asos.py CSV or a third-party hourly CSV into ``asos_observations`` rows.

    Every report is a row; revisions of one station-minute-type are numbered in file order.
    This is the row-by-row reference; ``asos_arrow`` is its vectorised twin for loads.

    Args:
        doc: the document; ``hint`` is the requested report type, if known.
        kind: ``Kind.asos`` or ``Kind.hourly``; sniffed when omitted.

    Returns:
        Rows, rejects and notes.
    """
    out = Parsed()
    kind = observation_kind(doc, kind, out)
    if kind is None:
        return out
    for header, line, truncated in _after_header(doc):
        row = observation_line(doc, kind, header, line, truncated, out)
        if row is not None:
            out.rows.append(row)
    add_revisions(out.rows)
    return out


def observation_kind(doc: RawDocument, kind: Kind | None, out: Parsed) -> Kind | None:
    """The observation format of a document, or None (an empty one is a note, another format
    a reject, in ``out``)."""
    if not doc.text.strip():
        out.notes.append(f"empty response: {doc.location}")
        return None
    kind = kind or sniff(doc.text[:8192], doc.location)
    if kind not in (Kind.asos, Kind.hourly):
        out.rejects.append(
            reject(doc, "iem_asos", "not an asos.py or hourly CSV", doc.text[:500], "")
        )
        return None
    return kind
