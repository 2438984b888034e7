"""The rejects table: every malformed input row, with its reason and raw text, loses nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TTableSchemaColumns
from dlt.sources import DltResource

from pipelines.documents import truncated

# A reason is a sentence; one that quotes a hostile value must not grow with it.
MAX_REASON_CHARS = 1000

REJECT_COLUMNS: TTableSchemaColumns = {
    "reject_id": {"data_type": "text", "nullable": False},
    "source_name": {"data_type": "text", "nullable": False},
    "reason": {"data_type": "text", "nullable": False},
    "raw_text": {"data_type": "text", "nullable": True},
    "location": {"data_type": "text", "nullable": True},
    "data_source": {"data_type": "text", "nullable": False},
    "ingest_channel": {"data_type": "text", "nullable": False},
    "rejected_at": {"data_type": "timestamp", "nullable": False},
}


@dataclass(frozen=True)
class Reject:
    """One input row we could not load.

    Attributes:
        source_name: which parser refused it (``iem_asos``, ``kalshi_markets``...).
        reason: why, in words a person can act on.
        raw_text: the row exactly as received (cut to ``documents.MAX_RAW_CHARS``, noting the
            full length: a hostile line must not bloat the table).
        location: where it came from (URL, or file path and line).
        data_source: ``real`` or ``simulated``.
        ingest_channel: ``http``, ``files`` or ``sample``.
    """

    source_name: str
    reason: str
    raw_text: str
    location: str
    data_source: str
    ingest_channel: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw_text", truncated(self.raw_text))
        object.__setattr__(self, "reason", truncated(self.reason, MAX_REASON_CHARS))

    def to_row(self) -> dict[str, Any]:
        """The row for the rejects table; its id is a hash so a re-run never duplicates it."""
        digest = hashlib.sha256(
            "\x1f".join((self.source_name, self.location, self.raw_text, self.reason)).encode()
        ).hexdigest()[:32]
        return {
            "reject_id": digest,
            "source_name": self.source_name,
            "reason": self.reason,
            "raw_text": self.raw_text,
            "location": self.location,
            "data_source": self.data_source,
            "ingest_channel": self.ingest_channel,
            "rejected_at": datetime.now(UTC),
        }


REJECTS_ARROW_SCHEMA = pa.schema(
    [
        pa.field(
            name,
            pa.timestamp("us", tz="UTC") if hints["data_type"] == "timestamp" else pa.string(),
            nullable=bool(hints["nullable"]),
        )
        for name, hints in REJECT_COLUMNS.items()
    ]
)
"""The rejects table as Arrow, for loaders that stream Arrow batches."""


def arrow_rejects_resource(rejects: list[Reject]) -> DltResource:
    """The dataset's ``rejects`` table as one Arrow batch, always materialised (an empty load
    still creates the table)."""

    def _batches() -> Iterator[pa.Table]:
        yield pa.Table.from_pylist(
            [reject.to_row() for reject in rejects], schema=REJECTS_ARROW_SCHEMA
        )

    return dlt.resource(
        _batches,
        name="rejects",
        table_name="rejects",
        write_disposition="merge",
        primary_key="reject_id",
        columns=REJECT_COLUMNS,
    )


def rejects_resource(rejects: Iterable[Reject], name: str = "rejects") -> DltResource:
    """A dlt resource that merges rejects into the dataset's ``rejects`` table.

    Args:
        rejects: the rejected rows (may be a lazy iterable filled while other resources run).
        name: resource name (the table is always ``rejects``).

    Returns:
        The resource.
    """

    def _rows() -> Iterator[dict[str, Any]]:
        for reject in rejects:
            yield reject.to_row()

    return dlt.resource(
        _rows,
        name=name,
        table_name="rejects",
        write_disposition="merge",
        primary_key="reject_id",
        columns=REJECT_COLUMNS,
    )
