"""The vectorised twin of ``parsers.parse_observations``: one observation CSV to an Arrow table.

The row rule stays ``domain.observations`` / ``domain.metar`` (through ``parsers``). This module
decodes the common case in DuckDB SQL over the document's lines (RE2 regular expressions and
string functions, no Python per row) and sends every line that is not plainly clean through the
row-by-row reference, so rejects and odd rows come out exactly as there:

* the document: one of ours (``station`` + ``valid`` asos.py columns, or the hourly export's),
  ``\\n`` or ``\\r\\n`` line ends only, no repeated column names, a usable report-type hint or
  none (and then no ``report_type`` column);
* a clean line: printable ASCII without quotes, the header's number of fields, a registry
  station id as written, a real minute, ``tmpf``/``dwpf`` plain decimals (or ``M`` / empty)
  within the physical bounds, and a METAR of single-spaced tokens (no ``=``) that parses, names
  the row's station, carries the row's day/hour/minute, has temperature groups within bounds and
  gives the row a temperature (a row without a METAR goes the reference way).

``tests/pipelines/iem/test_asos_arrow.py`` checks that both paths give the same rows and rejects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from domain.observations import station_icao
from domain.stations import load_stations
from pipelines.documents import CsvLine, RawDocument, csv_lines
from pipelines.iem import ASOS_ARROW_SCHEMA, rows_to_arrow
from pipelines.iem.asos_sql import decode_query
from pipelines.iem.parsers import (
    Kind,
    Parsed,
    RowError,
    csv_header,
    observation_kind,
    observation_line,
    parse_observations,
    stated_report_type,
)
from pipelines.iem.revisions import is_correction, revision_id, revision_numbers
from pipelines.rejects import Reject

# Line ends other than \n (and \r\n) split lines for str.splitlines(): such a document goes
# the reference way whole, so line numbers always agree.
_ODD_LINE_ENDS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@dataclass
class ArrowParsed:
    """One observation document parsed: an Arrow table (``ASOS_ARROW_SCHEMA``) and rejects.

    Attributes:
        table: the rows, in document order, revision columns filled.
        rejects: the rows we could not load.
        notes: things a person should know that are not errors.
        reference_lines: lines that went through the row-by-row reference (for the log).
    """

    table: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reference_lines: int = 0


class ObservationDecoder:
    """Decodes observation documents with one in-memory DuckDB connection (reused per load)."""

    def __init__(self) -> None:
        self._con = duckdb.connect()
        self._con.execute("set timezone = 'UTC'")
        ids = sorted({key for s in load_stations() for key in (s.iem_asos_id, s.icao)})
        self._con.register(
            "station_ids",
            pa.table({"raw": ids, "icao": [station_icao(key) for key in ids]}),
        )

    def close(self) -> None:
        """Close the DuckDB connection."""
        self._con.close()

    def __enter__(self) -> ObservationDecoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, doc: RawDocument, kind: Kind | None = None) -> ArrowParsed:
        """Parse an asos.py or hourly CSV document (as ``parsers.parse_observations`` does).

        Args:
            doc: the document; ``hint`` is the requested report type, if known.
            kind: ``Kind.asos`` or ``Kind.hourly``; sniffed when omitted.

        Returns:
            The table, rejects and notes.
        """
        out = Parsed()
        kind = observation_kind(doc, kind, out)
        if kind is None:
            return ArrowParsed(ASOS_ARROW_SCHEMA.empty_table(), out.rejects, out.notes)
        text = doc.text.replace("\r\n", "\n") if "\r" in doc.text else doc.text
        if any(char in text for char in _ODD_LINE_ENDS):
            return _reference(doc, kind)
        try:
            whole = pa.array([text], pa.large_string())
        except (pa.ArrowException, UnicodeError):
            return _reference(doc, kind)  # e.g. a lone surrogate, which UTF-8 cannot carry
        lines = pc.list_flatten(pc.split_pattern(whole, "\n"))
        if text.endswith("\n"):
            lines = lines.slice(0, len(lines) - 1)  # the empty piece after the last line end
        start, header = _header(doc, kind, lines, out)
        try:
            report_type = stated_report_type(doc.hint)
        except RowError:
            return _reference(doc, kind)  # every row is a reject: the reference says which
        sql = None if header is None else decode_query(header, kind, report_type)
        if sql is None:
            return _reference(doc, kind)
        numbers = pa.array(range(start + 1, len(lines) + 1), pa.int64())
        self._con.register("lines", pa.table({"n": numbers, "line": lines.slice(start)}))
        decoded = self._con.sql(sql).to_arrow_table()
        self._con.unregister("lines")
        clean = decoded.column("clean").fill_null(False)
        # IEM ends every response with a line end: a last line without one goes the reference
        # way, which rejects it as cut off.
        truncated = not doc.text.endswith(("\n", "\r"))
        if truncated and len(lines) > start:
            clean = pc.and_(clean, pc.not_equal(decoded.column("n"), len(lines)))
        rows = decoded.filter(clean).drop_columns(["clean"]).cast(_DECODED_SCHEMA)
        others = decoded.filter(pc.invert(clean)).column("n").to_pylist()
        fallback = _reference_lines(doc, kind, header or [], lines, others, truncated, out)
        merged = pa.concat_tables([rows, fallback]) if fallback.num_rows else rows
        return ArrowParsed(
            self._number(merged, doc), out.rejects, out.notes, reference_lines=len(others)
        )

    def _number(self, table: pa.Table, doc: RawDocument) -> pa.Table:
        """Revision numbers, the lineage columns, the table's exact types (in line order)."""
        if not pc.all(pc.greater(pc.pairwise_diff(table.column("n").combine_chunks()), 0)).as_py():
            table = table.sort_by("n")  # the reference's rows came after the clean ones
        size = table.num_rows
        table = table.append_column("revision", revision_numbers(self._con, table))
        lineage = {
            "source_location": doc.location,
            "data_source": doc.data_source,
            "ingest_channel": doc.ingest_channel,
        }
        for name, value in lineage.items():
            table = table.append_column(name, pa.repeat(value, size).cast(pa.string()))
        return table.select(ASOS_ARROW_SCHEMA.names).cast(ASOS_ARROW_SCHEMA)


def _reference(doc: RawDocument, kind: Kind) -> ArrowParsed:
    """A whole document through the row-by-row reference."""
    parsed = parse_observations(doc, kind)
    lines = len(parsed.rows) + len(parsed.rejects)
    return ArrowParsed(rows_to_arrow(parsed.rows), parsed.rejects, parsed.notes, lines)


def _header(
    doc: RawDocument, kind: Kind, lines: pa.Array, out: Parsed
) -> tuple[int, list[str] | None]:
    """The header line (the first readable one that is not a comment): lines before it are
    rejected as the reference does; returns (index after it, column names)."""
    for index in range(len(lines)):
        raw = lines[index].as_py()
        line = next(csv_lines(raw), None)
        if line is None or raw.startswith("#"):
            continue
        if line.values is None:
            observation_line(doc, kind, [], CsvLine(index + 1, raw, None, line.error), False, out)
            continue
        return index + 1, csv_header(line.values)
    return len(lines), None


def _reference_lines(
    doc: RawDocument,
    kind: Kind,
    header: list[str],
    lines: pa.Array,
    numbers: list[int],
    truncated: bool,
    out: Parsed,
) -> pa.Table:
    """The lines the query did not call clean, through the reference (rejects into ``out``)."""
    rows = []
    last = len(lines)
    for number in numbers:
        raw = lines[number - 1].as_py()
        line = next(csv_lines(raw), None)
        if line is None:
            continue  # a blank line
        parsed = CsvLine(number, raw, line.values, line.error)
        row = observation_line(doc, kind, header, parsed, truncated and number == last, out)
        if row is None:
            continue
        metar, temp_f, dew_f = row["metar"], row["temp_f_reported"], row["dewpoint_f_reported"]
        row |= {
            "n": number,
            "revision_id": revision_id(metar, temp_f, dew_f),
            "is_correction": is_correction(metar),
        }
        rows.append(row)
    return rows_to_arrow(rows, _DECODED_SCHEMA)


# What the decoding query returns for its clean rows (and the reference rows are made into).
_DECODED_SCHEMA = pa.schema(
    [
        pa.field("n", pa.int64()),
        *(
            f
            for f in ASOS_ARROW_SCHEMA
            if f.name not in ("source_location", "data_source", "ingest_channel", "revision")
        ),
    ]
)
