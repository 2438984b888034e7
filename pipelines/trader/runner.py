"""Load a trader journal into ``raw_trader``: ``python -m pipelines run --source trader``.

The journal is read from a consistent read-only copy (``journal_file``), so a trader may keep
writing while it loads. Every table merges on its key, so re-running never duplicates rows;
the append-only tables resume after the last row loaded. Call it holding the exclusive
warehouse lock and the load marker, as the CLI does for every load.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import duckdb

from domain.layout import warehouse_path
from pipelines.documents import DATA_SOURCES
from pipelines.loading import LoadSummary, table_row_counts
from pipelines.rejects import Reject, arrow_rejects_resource
from pipelines.trader import settings, trader_source
from pipelines.trader.journal_file import Fingerprint, JournalSnapshot, open_snapshot
from pipelines.trader.tables import JOURNALS, RECONCILIATION_EVENTS
from pipelines.warehouse import LoadFailedError, assert_load_ok, make_pipeline

log = logging.getLogger(__name__)

__all__ = ["journal_id_of", "load_journal"]


def journal_id_of(path: Path, journal_id: str | None = None) -> str:
    """The journal's name in the warehouse: ``journal_id`` as given, else the file's stem,
    lowercased with anything but letters, digits and ``_`` turned into ``_``.

    Args:
        path: the journal file (``warehouse/trader/journal.sqlite`` -> ``journal``).
        journal_id: a stable name the user chose (``paper``, ``replay_2025_03_10``).

    Returns:
        The slug.

    Raises:
        LoadFailedError: nothing usable is left of the name.
    """
    raw = journal_id if journal_id is not None else path.stem
    slug = re.sub(r"[^a-z0-9_]+", "_", raw.strip().lower()).strip("_")
    if not re.fullmatch(settings.JOURNAL_ID_PATTERN, slug):
        raise LoadFailedError(
            f"journal id {raw!r}: use 1 to 48 letters, digits or _ (e.g. --journal-id paper)"
        )
    return slug


def _stored_fingerprint(data_source: str, journal_id: str) -> Fingerprint | None:
    """The first rows recorded when this journal id was last loaded (None: never loaded)."""
    path = warehouse_path()
    if not path.exists():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            row = con.execute(
                f"select first_order, first_decision, first_heartbeat "
                f"from {settings.TRADER_DATASET}.{JOURNALS.name} "
                "where data_source = ? and journal_id = ?",
                [data_source, journal_id],
            ).fetchone()
    except duckdb.CatalogException:  # no journal loaded into this warehouse yet
        return None
    return None if row is None else Fingerprint(*row)


def _check_identity(snapshot: JournalSnapshot, data_source: str, journal_id: str) -> bool:
    """Refuse a different journal under a journal id already loaded.

    Returns:
        Whether the warehouse already holds this journal.

    Raises:
        LoadFailedError: the journal's first rows differ from those loaded under the id.
    """
    stored = _stored_fingerprint(data_source, journal_id)
    if stored is None:
        return False
    conflicts = snapshot.fingerprint().conflicts(stored)
    if conflicts:
        raise LoadFailedError(
            f"journal {snapshot.path} is not the journal loaded before as {journal_id!r} "
            f"({data_source}): {'; '.join(conflicts)}; load it under another --journal-id"
        )
    return True


def load_journal(
    path: Path, journal_id: str | None = None, *, data_source: str = "real"
) -> LoadSummary:
    """Load one trader journal into ``raw_trader``.

    Args:
        path: the journal (SQLite, WAL); opened read-only, never written.
        journal_id: a stable name for it (default: the file name's stem, see
            ``journal_id_of``); part of every key, so two journals never collide.
        data_source: ``real`` for a trader on real markets (paper or live), ``simulated`` for
            a replay of the simulated sample.

    Returns:
        Row counts of ``raw_trader`` after the load, and the rejects added.

    Raises:
        LoadFailedError: the file is not a readable journal, it is a different journal than
            the one loaded under this id before, or the load failed.
    """
    if data_source not in DATA_SOURCES:
        raise LoadFailedError(f"data_source must be one of {DATA_SOURCES}, got {data_source!r}")
    journal = journal_id_of(path, journal_id)
    label = f"trader {journal}"
    rejects: list[Reject] = []
    notes: list[str] = []
    with open_snapshot(path) as snapshot:
        known = _check_identity(snapshot, data_source, journal)
        pipeline = make_pipeline(
            f"{settings.PIPELINE_PREFIX}_{data_source}_{journal}", settings.TRADER_DATASET
        )
        if not known:
            # A rebuilt warehouse: the pipeline's local cursors would skip rows it never got.
            pipeline = pipeline.drop()
        if RECONCILIATION_EVENTS.name not in snapshot.tables:
            notes.append(f"{path}: no {RECONCILIATION_EVENTS.name} table (an older journal)")
        try:
            pipeline.extract(trader_source(snapshot, data_source, journal, rejects))
            pipeline.extract(arrow_rejects_resource(rejects))
            pipeline.normalize()
            info = pipeline.load()
        except Exception as exc:  # dlt wraps every step's error in PipelineStepFailed
            raise LoadFailedError(
                f"{label}: dlt load into {settings.TRADER_DATASET} failed: {exc}"
            ) from exc
    assert_load_ok(info, label)
    counts = table_row_counts(settings.TRADER_DATASET)
    log.info("%s: loaded from %s; %d rejects; %s", label, path, len(rejects), counts)
    return LoadSummary(
        source=label,
        dataset=settings.TRADER_DATASET,
        table_rows=counts,
        rejects_added=len(rejects),
        notes=notes,
    )
