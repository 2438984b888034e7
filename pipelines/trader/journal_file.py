"""Read a trader journal safely while a trader may be writing it.

The journal is SQLite in WAL mode, written by one trader process. The loader never writes to
it: it opens the file read-only (a ``mode=ro`` URI) and copies it with SQLite's backup API,
in one step, to a private temporary file, then reads only the copy. The copy is one
consistent snapshot (the backup holds a read transaction for the whole copy), so a load never
sees half of a trader's transaction, and the trader's writes are never blocked for longer than
the copy takes.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.trader.tables import JOURNAL_TABLES, JournalTable
from pipelines.warehouse import LoadFailedError

log = logging.getLogger(__name__)

# The pseudo-column an incremental table resumes after: SQLite's rowid (insertion order; the
# journal never deletes a row).
ROW_ID = "journal_row_id"


@dataclass(frozen=True)
class Fingerprint:
    """The first rows of a journal: they never change once written, so they identify it.

    A journal deleted and started afresh under the same path (and so the same default
    journal_id) has different first rows; its decision ids restart at 1 and would overwrite
    the old journal's rows. The runner refuses such a load.
    """

    first_order: str | None
    first_decision: str | None
    first_heartbeat: str | None

    def conflicts(self, other: Fingerprint) -> list[str]:
        """The first rows both journals have and that differ (empty = the same journal)."""
        pairs = {
            "first order": (self.first_order, other.first_order),
            "first decision": (self.first_decision, other.first_decision),
            "first heartbeat": (self.first_heartbeat, other.first_heartbeat),
        }
        return [
            f"{what} {mine!r} != {theirs!r}"
            for what, (mine, theirs) in pairs.items()
            if mine is not None and theirs is not None and mine != theirs
        ]


class JournalSnapshot:
    """A consistent copy of a journal, opened for reading.

    Args:
        connection: the copy's connection (rows as ``sqlite3.Row``).
        path: the journal the copy was made from (for messages and reject locations).
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection = connection
        self.path = path
        self.tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        missing = sorted(t.name for t in JOURNAL_TABLES if t.required and t.name not in self.tables)
        if missing:
            raise LoadFailedError(f"{path} is not a trader journal: no table {', '.join(missing)}")

    def columns(self, table: str) -> list[str]:
        """The columns a journal table has (none when the table is absent)."""
        if table not in self.tables:
            return []
        return [row[1] for row in self.connection.execute(f'PRAGMA table_info("{table}")')]

    def rows(self, table: JournalTable, after: int | None = None) -> Iterator[dict[str, Any]]:
        """The rows of a journal table in insertion order, with ``journal_row_id``.

        Columns a newer journal has and this one lacks get the table's default (orders
        journaled before the broker column existed were paper orders).

        Args:
            table: the table; nothing is yielded when the journal lacks an optional one.
            after: only rows whose cursor is above this value (incremental loads).

        Raises:
            LoadFailedError: the table lacks a column the loader needs.
        """
        present = self.columns(table.name)
        if not present:
            return
        defaults = dict(table.optional or {})
        lacking = sorted(set(table.columns) - set(present) - set(defaults) - {ROW_ID})
        if lacking:
            raise LoadFailedError(
                f"journal {self.path}: table {table.name} lacks {', '.join(lacking)}"
            )
        cursor = "rowid" if table.cursor == ROW_ID else table.cursor
        sql = f'SELECT rowid AS {ROW_ID}, * FROM "{table.name}"'
        params: tuple[object, ...] = ()
        if cursor is not None and after is not None:
            sql, params = f"{sql} WHERE {cursor} > ?", (after,)
        sql += f" ORDER BY {cursor or 'rowid'}"
        absent = {column: value for column, value in defaults.items() if column not in present}
        for row in self.connection.execute(sql, params):
            yield {**absent, **dict(row)}

    def fingerprint(self) -> Fingerprint:
        """The journal's first order, decision and heartbeat, as text."""

        def first(sql: str) -> str | None:
            try:
                row = self.connection.execute(sql).fetchone()
            except sqlite3.Error:  # an older journal without the table
                return None
            return None if row is None else "|".join(str(v) for v in row)

        return Fingerprint(
            first_order=first(
                "SELECT client_order_id, created_at FROM orders ORDER BY order_row_id LIMIT 1"
            ),
            first_decision=first(
                "SELECT decision_id, decided_at, station_icao, contract_type FROM decisions "
                "ORDER BY decision_id LIMIT 1"
            ),
            first_heartbeat=first(
                "SELECT heartbeat_id, at, kind FROM heartbeats ORDER BY heartbeat_id LIMIT 1"
            ),
        )


@contextmanager
def open_snapshot(path: Path) -> Iterator[JournalSnapshot]:
    """Copy the journal read-only into a temporary file and open the copy.

    Args:
        path: the journal file (SQLite, WAL); it is only ever opened read-only.

    Returns:
        A context manager yielding the snapshot; the copy is deleted on exit.

    Raises:
        LoadFailedError: the file is missing, not SQLite, or not a trader journal.
    """
    if not path.is_file():
        raise LoadFailedError(f"journal {path} does not exist")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with tempfile.TemporaryDirectory(prefix="journal_snapshot_") as folder:
        copy = Path(folder) / "journal.sqlite"
        try:
            with (
                closing(sqlite3.connect(uri, uri=True, timeout=30)) as source,
                closing(sqlite3.connect(copy)) as target,
            ):
                source.backup(target)  # all pages in one step: one consistent read
        except sqlite3.Error as exc:
            raise LoadFailedError(f"cannot read journal {path}: {exc}") from exc
        with closing(sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)) as connection:
            connection.row_factory = sqlite3.Row
            try:
                snapshot = JournalSnapshot(connection, path)
            except sqlite3.Error as exc:
                raise LoadFailedError(f"cannot read journal {path}: {exc}") from exc
            log.info("journal %s: snapshot of %s", path, ", ".join(sorted(snapshot.tables)))
            yield snapshot
