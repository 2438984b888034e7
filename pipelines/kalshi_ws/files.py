"""The recorder's files: append-only gzip JSON lines, one file per UTC day, synced per line.

Each line is one envelope: ``{"received_at": ISO UTC, "conn": connection id, "raw": text}`` for
a server message exactly as received, or ``{"received_at", "conn", "recorder": {...}}`` for the
recorder's own events (connected, gap, heartbeat). :meth:`DayFiles.sync` flushes (gzip sync
flush) and fsyncs what was written; the recorder syncs each batch before it acts on it. A restart on the same day appends a new gzip member, which
gzip readers concatenate; :func:`read_lines` also keeps every whole line of a file whose last
member a crash cut short.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

FILE_PREFIX = "kalshi_ws-"
FILE_SUFFIX = ".jsonl.gz"
ENVELOPE_KEYS = frozenset({"received_at", "conn"})
_READ_CHUNK = 1 << 20


def day_file(out_dir: Path, day: date) -> Path:
    """The file of one UTC day (``kalshi_ws-2026-12-01.jsonl.gz``)."""
    return out_dir / f"{FILE_PREFIX}{day.isoformat()}{FILE_SUFFIX}"


def envelope(received_at: datetime, connection_id: str, **body: Any) -> bytes:
    """One envelope line (UTF-8, newline-terminated)."""
    record = {"received_at": received_at.isoformat(), "conn": connection_id, **body}
    return (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


class DayFiles:
    """Appends envelopes to the file of their UTC day, rotating at midnight UTC."""

    def __init__(self, out_dir: Path) -> None:
        """Write under ``out_dir`` (created when missing)."""
        self.out_dir = out_dir
        self.lines = 0
        self.syncs = 0
        self._day: date | None = None
        self._raw: IO[bytes] | None = None
        self._gzip: gzip.GzipFile | None = None
        self._dirty = False

    @property
    def current(self) -> Path | None:
        """The file being written, if any."""
        return None if self._day is None else day_file(self.out_dir, self._day)

    def write(self, received_at: datetime, line: bytes) -> None:
        """Append ``line`` to the file of ``received_at``'s UTC day (durable at :meth:`sync`;
        a new day closes, and so syncs, the previous day's file)."""
        day = received_at.date()
        if day != self._day:
            self.close()
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self._raw = day_file(self.out_dir, day).open("ab")
            self._gzip = gzip.GzipFile(fileobj=self._raw, mode="ab")
            self._day = day
        assert self._gzip is not None and self._raw is not None
        self._gzip.write(line)
        self._dirty = True
        self.lines += 1

    def sync(self) -> None:
        """Make every line written so far durable (gzip sync flush, then fsync)."""
        if not self._dirty or self._gzip is None or self._raw is None:
            return
        self._gzip.flush(zlib.Z_SYNC_FLUSH)
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._dirty = False
        self.syncs += 1

    def close(self) -> None:
        """Finish the current gzip member and close its file (synced)."""
        if self._gzip is not None and self._raw is not None:
            self._gzip.close()
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
        self._gzip = None
        self._raw = None
        self._day = None
        self._dirty = False


def read_lines(path: Path) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, None) per whole line of a recording, or (n, partial, reason) for a
    cut or unreadable tail (a crash mid-write, corrupt bytes): nothing before it is lost.

    Args:
        path: a ``.jsonl.gz`` recording (possibly several gzip members).

    Returns:
        The lines, decoded as UTF-8 (bad bytes become U+FFFD).
    """
    number = 0
    pending = b""
    decoder = zlib.decompressobj(wbits=31)
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_CHUNK):
            data = chunk
            while data:
                try:
                    out = decoder.decompress(data)
                except zlib.error as exc:
                    number += 1
                    yield (
                        number,
                        pending.decode("utf-8", "replace") or None,
                        (f"corrupt gzip data: {exc}"),
                    )
                    return
                pending += out
                *whole, pending = pending.split(b"\n")
                for line in whole:
                    number += 1
                    yield number, line.decode("utf-8", "replace"), None
                if decoder.eof:
                    data = decoder.unused_data
                    decoder = zlib.decompressobj(wbits=31)
                else:
                    data = b""
    if pending.strip():
        number += 1
        yield (
            number,
            pending.decode("utf-8", "replace"),
            "line cut short (recorder stopped mid-write)",
        )


def is_recording(path: Path) -> bool:
    """Is this a recorder file? (A ``.jsonl.gz`` whose first line is an envelope.)"""
    if not path.name.endswith(FILE_SUFFIX) or not path.is_file():
        return False
    try:
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
            first = handle.readline(64 * 1024)
        record = json.loads(first)
    except (OSError, EOFError, ValueError, zlib.error):
        return False
    return isinstance(record, dict) and ENVELOPE_KEYS <= record.keys()


__all__ = ["DayFiles", "day_file", "envelope", "is_recording", "read_lines"]
