"""Raw input documents: the one shape every channel (http, files, sample) hands to the parsers,
and the bounded readers of their CSV lines and JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from domain.bounds import BoundsError, check_json_depth

DATA_SOURCES = ("real", "simulated")
INGEST_CHANNELS = ("http", "files", "sample")


@dataclass(frozen=True)
class RawDocument:
    """One raw payload exactly as received.

    Attributes:
        text: the body (CSV or JSON text).
        location: where it came from: a URL, or a file path.
        data_source: ``real`` or ``simulated``; simulated data is labelled in every row.
        ingest_channel: ``http``, ``files`` or ``sample``.
        hint: optional parser hint (e.g. the IEM ``report_type`` the request asked for).
    """

    text: str
    location: str
    data_source: str
    ingest_channel: str
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.data_source not in DATA_SOURCES:
            raise ValueError(f"data_source must be one of {DATA_SOURCES}, got {self.data_source!r}")
        if self.ingest_channel not in INGEST_CHANNELS:
            raise ValueError(f"ingest_channel must be one of {INGEST_CHANNELS}")


# --------------------------------------------------------------------------------------------
# Bounded readers: a hostile document costs time linear in its size and never escapes as an
# exception; what cannot be read becomes a reason for a reject.
# --------------------------------------------------------------------------------------------

# Real export lines are under 400 characters; csv's own field limit (131,072) would raise.
MAX_LINE_CHARS = 16384
# A reject keeps this much of a document or line (the rest is counted, not stored).
MAX_RAW_CHARS = 4096


class DocumentError(ValueError):
    """A whole document cannot be read; the message is the reason of its one reject."""


@dataclass(frozen=True)
class CsvLine:
    """One non-blank line of a CSV document.

    Attributes:
        number: 1-based line number.
        raw: the line as given (without its line end).
        values: the parsed fields, or None when the line cannot be parsed.
        error: why the line cannot be parsed (None when it can).
    """

    number: int
    raw: str
    values: list[str] | None
    error: str | None = None


def csv_lines(text: str) -> Iterator[CsvLine]:
    """Every non-blank line of a CSV text, parsed on its own (a bad line spoils only itself).

    One record per line: the exports quote no line breaks, so a line is a row and its number
    is the row's location.

    Args:
        text: the document.

    Returns:
        The lines; those over :data:`MAX_LINE_CHARS` or unparsable carry an ``error``.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield CsvLine(number, line, None, f"line longer than {MAX_LINE_CHARS} characters")
            continue
        try:
            values = next(csv.reader([line]), [])
        except csv.Error as exc:
            yield CsvLine(number, line, None, f"unreadable CSV line: {exc}")
            continue
        yield CsvLine(number, line, values)


def load_json(text: str) -> Any:
    """Decode a JSON document, refusing one nested deeper than ``domain.bounds.MAX_JSON_DEPTH``.

    Args:
        text: the document.

    Returns:
        The decoded value.

    Raises:
        DocumentError: not JSON, or nested too deep (which would exhaust the recursion limit).
    """
    try:
        check_json_depth(text)
    except BoundsError as exc:
        raise DocumentError(str(exc)) from exc
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError includes int digit limits
        raise DocumentError(f"not JSON: {exc}") from exc


def truncated(text: str, limit: int = MAX_RAW_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with a note of how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[truncated: {len(text)} characters]"
