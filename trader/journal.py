"""The trader's journal: SQLite in WAL mode, the source of truth across restarts.

Every write is its own committed transaction (``synchronous=FULL``), so a ``kill -9`` at any
instant leaves either the whole row or none of it. An order intent is committed before the
broker sees it; the UNIQUE ``dedup_key`` and ``client_order_id`` make a second order for the same
(climate date, station, contract type) impossible, whatever the process remembers.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from domain.brackets import Bracket
from domain.layout import warehouse_path
from domain.orders import TRANSITIONS, Fill, OrderIntent, OrderStatus
from trader.journal_codec import to_iso, to_text
from trader.journal_schema import DDL, MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


def default_journal_path() -> Path:
    """``trader/journal.sqlite`` beside the warehouse file (``warehouse/trader/journal.sqlite``)."""
    return warehouse_path().parent / "trader" / "journal.sqlite"


BUSY_TIMEOUT_MS = 5000


class JournalError(RuntimeError):
    """The journal cannot be opened or written: the trader must stop trading."""


class DuplicateOrderError(JournalError):
    """An order already exists for this dedup key (or client order id)."""


class FillConflictError(JournalError):
    """A fill the journal refuses: it differs from the journaled one under its id, overfills
    its order, or lands on an order that can take no fill (nothing of its batch is written)."""


@dataclass(frozen=True)
class OrderRecord:
    """One row of ``orders`` as stored."""

    dedup_key: str
    client_order_id: str
    station_icao: str
    contract_type: str
    climate_date: date
    market_ticker: str
    bracket: Bracket
    count: int
    limit_price: Decimal
    status: OrderStatus
    status_reason: str | None
    venue_order_id: str | None
    decision_id: int | None
    created_at: datetime
    updated_at: datetime
    broker: str = "paper"


BROKERS = frozenset({"paper", "live"})
_ORDER_COLUMNS = (
    "dedup_key, client_order_id, station_icao, contract_type, climate_date, market_ticker, "
    "bracket_lower, bracket_upper, count, limit_price, status, status_reason, venue_order_id, "
    "decision_id, created_at, updated_at, broker"
)


def _order(row: sqlite3.Row) -> OrderRecord:
    return OrderRecord(
        dedup_key=row["dedup_key"],
        client_order_id=row["client_order_id"],
        station_icao=row["station_icao"],
        contract_type=row["contract_type"],
        climate_date=date.fromisoformat(row["climate_date"]),
        market_ticker=row["market_ticker"],
        bracket=Bracket(row["bracket_lower"], row["bracket_upper"]),
        count=row["count"],
        limit_price=Decimal(row["limit_price"]),
        status=OrderStatus(row["status"]),
        status_reason=row["status_reason"],
        venue_order_id=row["venue_order_id"],
        decision_id=row["decision_id"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        broker=row["broker"],
    )


def _fill(row: sqlite3.Row) -> Fill:
    return Fill(
        fill_id=row["fill_id"],
        client_order_id=row["client_order_id"],
        market_ticker=row["market_ticker"],
        count=Decimal(row["count"]),
        price=Decimal(row["price"]),
        fee=Decimal(row["fee"]),
        filled_at=datetime.fromisoformat(row["filled_at"]),
        is_taker=bool(row["is_taker"]),
    )


class Journal:
    """The open journal. One process writes it; use as a context manager or call ``close``.

    Args:
        path: the SQLite file (parents are created), e.g. ``default_journal_path()``.
        busy_timeout_ms: how long a write waits for a lock before the journal counts as
            unwritable.
    """

    def __init__(self, path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, timeout=busy_timeout_ms / 1000
            )
            self._db.row_factory = sqlite3.Row
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(f"journal {self.path}: WAL mode refused (got {mode})")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._tx() as db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version not in (0, SCHEMA_VERSION) and version not in MIGRATIONS:
                    raise JournalError(f"journal {self.path}: unknown schema version {version}")
                # An older journal is brought forward step by step, in the same transaction.
                for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION):
                    for statement in MIGRATIONS[step]:
                        db.execute(statement)
                for statement in DDL:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open journal {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the connection (everything is already committed)."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One committed write transaction; any SQLite failure becomes a ``JournalError``."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path} is not writable: {exc}") from exc
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def write(self, sql: str, params: tuple[object, ...]) -> int:
        """One committed INSERT/UPDATE; returns the last row id (``JournalError`` on failure)."""
        try:
            with self._tx() as db:
                cursor = db.execute(sql, params)
                return int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path} write failed: {exc}") from exc

    # -- orders and fills -------------------------------------------------------------------

    def record_intent(self, intent: OrderIntent, broker: str = "paper") -> OrderRecord:
        """Commit an order intent; it must be journaled before the broker sends it.

        Args:
            intent: the order.
            broker: the broker it is meant for, ``paper`` or ``live`` (``Broker.name``).

        Raises:
            DuplicateOrderError: an order already exists for the key (on any earlier run).
            JournalError: the journal cannot be written.
        """
        if broker not in BROKERS:
            raise ValueError(f"broker {broker!r} not in {sorted(BROKERS)}")
        at = to_iso(intent.created_at)
        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO orders (dedup_key, client_order_id, station_icao, contract_type, "
                    "climate_date, market_ticker, bracket_lower, bracket_upper, side, action, "
                    "count, limit_price, status, decision_id, created_at, updated_at, broker) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'yes', 'buy', ?, ?, 'intent', ?, ?, ?, ?)",
                    (
                        intent.dedup_key,
                        intent.client_order_id,
                        intent.station_icao.upper(),
                        intent.contract_type.upper(),
                        intent.climate_date.isoformat(),
                        intent.market_ticker,
                        intent.bracket.lower,
                        intent.bracket.upper,
                        intent.count,
                        to_text(intent.limit_price),
                        intent.decision_id,
                        at,
                        at,
                        broker,
                    ),
                )
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise DuplicateOrderError(f"order {intent.dedup_key} already journaled") from exc
            raise JournalError(f"journal {self.path} refused intent: {exc}") from exc
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path} write failed: {exc}") from exc
        record = self.order_by_key(intent.dedup_key)
        assert record is not None  # just committed
        log.info("order intent %s journaled", intent.client_order_id)
        return record

    def order_by_key(self, key: str) -> OrderRecord | None:
        """The order of a dedup key, or None."""
        rows = self.query(f"SELECT {_ORDER_COLUMNS} FROM orders WHERE dedup_key = ?", (key,))
        return _order(rows[0]) if rows else None

    def order_by_client_id(self, client_id: str) -> OrderRecord | None:
        """The order of a client order id, or None."""
        rows = self.query(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE client_order_id = ?", (client_id,)
        )
        return _order(rows[0]) if rows else None

    def orders(self, climate_date: date | None = None) -> list[OrderRecord]:
        """Orders in journal order (on ``climate_date`` when given)."""
        sql = f"SELECT {_ORDER_COLUMNS} FROM orders"
        params: tuple[object, ...] = ()
        if climate_date is not None:
            sql += " WHERE climate_date = ?"
            params = (climate_date.isoformat(),)
        return [_order(row) for row in self.query(sql + " ORDER BY order_row_id", params)]

    def set_status(
        self,
        client_id: str,
        status: OrderStatus,
        at: datetime,
        *,
        reason: str | None = None,
        venue_order_id: str | None = None,
    ) -> OrderRecord:
        """Move an order to ``status`` along an allowed transition (see ``orders.TRANSITIONS``).

        Raises:
            JournalError: unknown order, a forbidden transition, or an unwritable journal.
        """
        try:
            with self._tx() as db:
                row = db.execute(
                    "SELECT status FROM orders WHERE client_order_id = ?", (client_id,)
                ).fetchone()
                if row is None:
                    raise JournalError(f"no order {client_id}")
                current = OrderStatus(row["status"])
                if status not in TRANSITIONS[current]:
                    raise JournalError(f"order {client_id}: {current} -> {status} not allowed")
                db.execute(
                    "UPDATE orders SET status = ?, status_reason = coalesce(?, status_reason), "
                    "venue_order_id = coalesce(?, venue_order_id), updated_at = ? "
                    "WHERE client_order_id = ?",
                    (status.value, reason, venue_order_id, to_iso(at), client_id),
                )
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path} write failed: {exc}") from exc
        record = self.order_by_client_id(client_id)
        assert record is not None
        return record

    def set_venue_order_id(self, client_id: str, venue_order_id: str, at: datetime) -> None:
        """Remember the venue's id of an order (the first one given stays)."""
        self.write(
            "UPDATE orders SET venue_order_id = coalesce(venue_order_id, ?), updated_at = ? "
            "WHERE client_order_id = ?",
            (venue_order_id, to_iso(at), client_id),
        )

    def record_fill(self, fill: Fill, recorded_at: datetime) -> bool:
        """Journal one fill (see ``record_fills``); True when it was new."""
        return self.record_fills((fill,), recorded_at) == 1

    def record_fills(self, fills: Sequence[Fill], recorded_at: datetime) -> int:
        """Journal an execution's fills in ONE transaction and roll the order's status forward.

        A fill already journaled identically is skipped (a replayed read); all or none land.

        Args:
            fills: the fills, in execution order.
            recorded_at: aware instant they are journaled.

        Returns:
            How many fills were new.

        Raises:
            JournalError: a different fill under a journaled id, an overfill, an unknown order,
                or an unwritable journal (then nothing of the batch is written).
        """
        try:
            with self._tx() as db:
                return sum(self._insert_fill(db, fill, recorded_at) for fill in fills)
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path} write failed: {exc}") from exc

    def _insert_fill(self, db: sqlite3.Connection, fill: Fill, recorded_at: datetime) -> bool:
        old = db.execute("SELECT * FROM fills WHERE fill_id = ?", (fill.fill_id,)).fetchone()
        if old is not None:
            if _fill(old) != fill:
                raise FillConflictError(f"fill {fill.fill_id} differs from the journaled one")
            return False
        order = db.execute(
            "SELECT count, status FROM orders WHERE client_order_id = ?", (fill.client_order_id,)
        ).fetchone()
        if order is None:
            raise FillConflictError(f"fill {fill.fill_id} for unknown order")
        done = self._filled_count(db, fill.client_order_id) + fill.count
        if done > order["count"]:
            raise FillConflictError(f"fill {fill.fill_id} overfills {fill.client_order_id}")
        status = OrderStatus.FILLED if done == order["count"] else OrderStatus.PARTIAL
        if status not in TRANSITIONS[OrderStatus(order["status"])]:
            raise FillConflictError(f"fill {fill.fill_id} on a {order['status']} order")
        db.execute(
            "INSERT INTO fills (fill_id, client_order_id, market_ticker, count, price, fee, "
            "is_taker, filled_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fill.fill_id,
                fill.client_order_id,
                fill.market_ticker,
                to_text(fill.count),
                to_text(fill.price),
                to_text(fill.fee),
                int(fill.is_taker),
                to_iso(fill.filled_at),
                to_iso(recorded_at),
            ),
        )
        db.execute(
            "UPDATE orders SET status = ?, updated_at = ? WHERE client_order_id = ?",
            (status.value, to_iso(recorded_at), fill.client_order_id),
        )
        return True

    @staticmethod
    def _filled_count(db: sqlite3.Connection, client_id: str) -> Decimal:
        rows = db.execute("SELECT count FROM fills WHERE client_order_id = ?", (client_id,))
        return sum((Decimal(row[0]) for row in rows), Decimal(0))

    def fills(self, client_id: str | None = None) -> list[Fill]:
        """Fills in journal order (of one order when ``client_id`` is given)."""
        sql = "SELECT * FROM fills"
        params: tuple[object, ...] = ()
        if client_id is not None:
            sql, params = sql + " WHERE client_order_id = ?", (client_id,)
        return [_fill(row) for row in self.query(sql + " ORDER BY rowid", params)]

    # -- generic access for trader.journal_state ---------------------------------------------

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query (``JournalError`` when the file cannot be read)."""
        try:
            return list(self._db.execute(sql, params))
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path} read failed: {exc}") from exc
