"""Parse IEM daily climate summaries (``json/cli.py`` CLI, ``json/cf6.py`` CF6; JSON or the CSV
form) into ``cli_reports`` / ``cf6_reports`` rows plus ``Reject`` rows. Every issuance
(product id) is kept; its issuance time comes from the product id.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from domain.bounds import (
    BoundsError,
    bounded_whole,
    check_daily_range,
    check_temperature_f,
    shown,
)
from domain.observations import ObservationError, is_missing, reading, station_icao
from pipelines.documents import DocumentError, RawDocument, load_json
from pipelines.iem.parsers import Kind, Parsed, Row, RowError, csv_records, reject, sniff

_PRODUCT_TIME = re.compile(r"^(\d{12})")


def _temperature_or_none(raw: str | None, name: str) -> float | None:
    # The raw tables hold IEM's numbers as DOUBLE; the rule that they are numbers is the domain's.
    value = reading(raw, name)
    if value is None:
        return None
    try:
        check_temperature_f(value, name, raw)
    except BoundsError as exc:
        raise RowError(str(exc)) from exc
    return float(value)


def _whole_temperature_or_none(raw: Any, name: str) -> int | None:
    """A CLI/CF6 whole-°F value (JSON number or text), bounded before conversion."""
    if raw is None or (isinstance(raw, str) and is_missing(raw)):
        return None
    if isinstance(raw, str) and raw.strip().upper() == "T":
        raise RowError(f"{name} {raw!r} is not a number (trace 'T' is not a temperature)")
    try:
        value = bounded_whole(raw, name)
        check_temperature_f(value, name, raw)
    except BoundsError as exc:
        raise RowError(str(exc)) from exc
    return value


def published_at(product_id: str) -> datetime:
    """Issuance time of an NWS product id: its first 12 digits, ``YYYYMMDDHHMM``, in UTC.

    Args:
        product_id: e.g. ``202601240636-KLOT-CDUS43-CLIMDW``.

    Returns:
        The aware UTC instant.

    Raises:
        RowError: the id does not start with a valid timestamp.
    """
    match = _PRODUCT_TIME.match(product_id or "")
    if not match:
        raise RowError(f"product id {product_id!r} does not start with YYYYMMDDHHMM")
    try:
        return datetime.strptime(match.group(1), "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError as exc:
        raise RowError(f"product id {product_id!r} has an impossible timestamp") from exc


def _climate_date(raw: Any) -> date:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise RowError(f"climate date {raw!r} is not YYYY-MM-DD") from exc


def _daily_row(record: dict[str, Any], kind: Kind, doc: RawDocument) -> Row:
    icao = station_icao(record.get("station"))
    day = _climate_date(record.get("valid", record.get("date")))
    product = str(record.get("product") or "").strip()
    if is_missing(product):
        raise RowError("product id is missing")
    issued = published_at(product)
    high = _whole_temperature_or_none(record.get("high"), "high")
    low = _whole_temperature_or_none(record.get("low"), "low")
    # One missing value still carries the other; a row with neither is useless.
    if high is None and low is None:
        raise RowError("high and low are both missing")
    try:
        check_daily_range(high, low)
    except BoundsError as exc:
        raise RowError(str(exc)) from exc
    row: Row = {
        "station": icao,
        "climate_date": day,
        "product_id": product,
        "published_at": issued,
        "high_f": high,
        "low_f": low,
    }
    if kind is Kind.cli:
        row["high_time"] = _text_or_none(record.get("high_time"))
        row["low_time"] = _text_or_none(record.get("low_time"))
    else:
        avg = record.get("avg_temp")
        row["avg_temp_f"] = _temperature_or_none(None if avg is None else str(avg), "avg_temp")
    row.update(
        source_location=doc.location,
        data_source=doc.data_source,
        ingest_channel=doc.ingest_channel,
    )
    return row


def _text_or_none(raw: Any) -> str | None:
    if raw is None:
        return None
    text = str(raw).strip()
    return None if is_missing(text) else text


def parse_daily(doc: RawDocument, kind: Kind | None = None) -> Parsed:
    """Parse a json/cli.py or json/cf6.py response (JSON, or the CSV form) into rows.

    Args:
        doc: the document.
        kind: ``Kind.cli`` or ``Kind.cf6``; sniffed when omitted.

    Returns:
        Rows, rejects and notes. Every issuance (product id) is kept.
    """
    out = Parsed()
    kind = kind or sniff(doc.text, doc.location)
    source = "iem_cf6" if kind is Kind.cf6 else "iem_cli"
    if not doc.text.strip():
        out.notes.append(f"empty response: {doc.location}")
        return out
    if kind not in (Kind.cli, Kind.cf6):
        out.rejects.append(reject(doc, source, "not a cli.py/cf6.py payload", doc.text[:500], ""))
        return out
    records: list[tuple[str, str, dict[str, Any]]] = []
    if doc.text.lstrip("\ufeff \r\n\t").startswith("{"):
        try:
            payload = load_json(doc.text)
            results = payload.get("results") if isinstance(payload, dict) else None
            if not isinstance(results, list):
                raise DocumentError(f"results is not a list: {shown(results)}")
        except DocumentError as exc:
            out.rejects.append(reject(doc, source, f"unreadable JSON: {exc}", doc.text[:500], ""))
            return out
        for index, record in enumerate(results):
            raw = json.dumps(record, sort_keys=True)
            if not isinstance(record, dict):
                out.rejects.append(reject(doc, source, "result is not an object", raw, f"#{index}"))
                continue
            records.append((f"#results[{index}]", raw, record))
    else:
        records = [(f":{n}", line, fields) for n, line, fields in csv_records(doc, source, out)]
    for where, raw, record in records:
        try:
            out.rows.append(_daily_row(record, kind, doc))
        except (RowError, ObservationError) as exc:
            out.rejects.append(reject(doc, source, str(exc), raw, where))
    if not records and not out.rejects:
        out.notes.append(f"no results: {doc.location}")
    return out
