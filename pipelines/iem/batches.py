"""Parse documents for a load: observation batches streamed as Arrow, the rest collected.

The observations of a document are decoded by ``asos_arrow`` and handed on in batches of about
``settings.BATCH_ROWS`` rows, so a load holds one batch (and one document) in memory; CLI/CF6
rows, rejects and notes are small and collected for the extraction after the observations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from pipelines.documents import RawDocument
from pipelines.iem import settings
from pipelines.iem.asos_arrow import ArrowParsed, ObservationDecoder
from pipelines.iem.daily import parse_daily
from pipelines.iem.parsers import Kind, Parsed, sniff
from pipelines.rejects import Reject

Row = dict[str, Any]

# How much of a document to read when sniffing its format.
SNIFF_BYTES = 64 * 1024


@dataclass
class Collected:
    """What a parse of documents gathered besides the observation batches (small)."""

    cli_rows: list[Row] = field(default_factory=list)
    cf6_rows: list[Row] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    documents: int = 0
    observation_rows: int = 0
    reference_lines: int = 0

    def add_observations(self, parsed: ArrowParsed) -> None:
        """Count an observation document's rows; keep its rejects and notes."""
        self.observation_rows += parsed.table.num_rows
        self.reference_lines += parsed.reference_lines
        self._add_common(parsed.rejects, parsed.notes)

    def add_daily(self, parsed: Parsed, kind: Kind) -> None:
        """Append CLI or CF6 rows."""
        (self.cf6_rows if kind is Kind.cf6 else self.cli_rows).extend(parsed.rows)
        self._add_common(parsed.rejects, parsed.notes)

    def _add_common(self, rejects: list[Reject], notes: list[str]) -> None:
        self.rejects.extend(rejects)
        self.notes.extend(notes)
        self.documents += 1


def observation_batches(
    docs: Iterable[tuple[RawDocument, Kind | None]],
    collected: Collected,
    advance: Callable[[], None],
) -> Iterator[pa.Table]:
    """Parse documents one by one: observations as Arrow batches of about
    ``settings.BATCH_ROWS`` rows (small documents joined), the rest into ``collected``."""
    pending: list[pa.Table] = []
    pending_rows = 0
    with ObservationDecoder() as decoder:
        for doc, given in docs:
            kind = given or sniff(doc.text[:SNIFF_BYTES], doc.location)
            if kind in (Kind.asos, Kind.hourly):
                parsed = decoder.parse(doc, kind)
                collected.add_observations(parsed)
                pending.append(parsed.table)
                pending_rows += parsed.table.num_rows
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
            advance()
            if pending_rows >= settings.BATCH_ROWS:
                yield from _sliced(pa.concat_tables(pending))
                pending, pending_rows = [], 0
    if pending:
        yield from _sliced(pa.concat_tables(pending))


def _sliced(table: pa.Table) -> Iterator[pa.Table]:
    for start in range(0, table.num_rows, settings.BATCH_ROWS):
        yield table.slice(start, settings.BATCH_ROWS)
