"""Raw input documents: the one shape every channel (http, files, sample) hands to the parsers."""

from __future__ import annotations

from dataclasses import dataclass

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
