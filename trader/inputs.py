"""The trader's only analytic input: the dbt thresholds export (never the DuckDB warehouse).

``warehouse/exports/station_thresholds.parquet`` (or ``.json``) is written by
``rpt_station_thresholds_export`` from ``dim_station_thresholds``. The trader refuses to start,
with one clear line, when the file is missing, has no rows, a row fails
``StationThresholds.from_record``, the file is older than the allowed age, or it holds simulated
rows the command did not allow, or names a station missing from the registry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.layout import exports_dir, thresholds_export_stem
from domain.stations import UnknownStationError, station_by_icao
from domain.thresholds import StationThresholds

DEFAULT_MAX_EXPORT_AGE = timedelta(days=2)
SIMULATED = "simulated"


def default_export_path(simulated: bool = False, warehouse: Path | None = None) -> Path:
    """The parquet export beside the warehouse file (``domain.layout``).

    Args:
        simulated: the simulated sample's file (``station_thresholds_simulated.parquet``, what
            ``--simulated`` reads) instead of the real rows' ``station_thresholds.parquet``.
        warehouse: the warehouse file (default ``domain.layout.warehouse_path()``).

    Returns:
        The path (it need not exist).
    """
    stem = thresholds_export_stem(SIMULATED if simulated else "real")
    return exports_dir(warehouse) / f"{stem}.parquet"


class ExportError(RuntimeError):
    """The thresholds export cannot be used; the message is the one line to show."""


@dataclass(frozen=True)
class ThresholdsRow:
    """One usable export row: its thresholds and where its data came from."""

    thresholds: StationThresholds
    data_source: str

    @property
    def tradable(self) -> bool:
        """Only ``GO`` rows trade; ``KILL`` rows are watched and their decisions journaled."""
        return self.thresholds.verdict == "GO"


@dataclass(frozen=True)
class ThresholdsExport:
    """The validated export.

    Attributes:
        path: the file read.
        modified_at: its modification time (aware UTC).
        mtime_ns: the same, exactly as the file system reports it (to notice a rewrite).
        rows: one row per (station, contract type).
        simulated: True when the rows come from the simulated sample.
    """

    path: Path
    modified_at: datetime
    mtime_ns: int
    rows: tuple[ThresholdsRow, ...]
    simulated: bool

    def for_station(self, station_icao: str) -> tuple[ThresholdsRow, ...]:
        """The rows of one station."""
        return tuple(r for r in self.rows if r.thresholds.station_icao == station_icao)

    @property
    def stations(self) -> tuple[str, ...]:
        """The stations with at least one row, in file order."""
        return tuple(dict.fromkeys(r.thresholds.station_icao for r in self.rows))


def _records(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".json":
        data = json.loads(path.read_text())
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ExportError(f"thresholds export {path} is not a JSON array of rows")
        return data
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq  # parquet only when asked: JSON readers skip the import

        records: list[dict[str, Any]] = pq.read_table(path).to_pylist()
        return records
    raise ExportError(f"thresholds export {path}: expected .parquet or .json")


def load_thresholds(
    path: Path,
    now: datetime,
    *,
    max_age: timedelta = DEFAULT_MAX_EXPORT_AGE,
    allow_simulated: bool = False,
) -> ThresholdsExport:
    """Read and validate the thresholds export.

    Args:
        path: the ``.parquet`` or ``.json`` export.
        now: the current aware instant (the age is measured from the file's mtime).
        max_age: the oldest export still trusted.
        allow_simulated: accept rows of the simulated sample (``--simulated``).

    Returns:
        The export.

    Raises:
        ExportError: with one line that says what is wrong and what to do.
    """
    if not path.is_file():
        raise ExportError(f"thresholds export {path} is missing: run `make build` (dbt) first")
    mtime_ns = path.stat().st_mtime_ns
    modified_at = datetime.fromtimestamp(mtime_ns / 1e9, UTC)
    age = now - modified_at
    if age > max_age:
        hours = age.total_seconds() / 3600
        raise ExportError(
            f"thresholds export {path} is {hours:.1f} h old (max {max_age}): rebuild it"
        )
    try:
        records = _records(path)
    except (OSError, ValueError) as exc:
        raise ExportError(f"thresholds export {path} is unreadable: {exc}") from exc
    if not records:
        raise ExportError(f"thresholds export {path} has no rows")
    if not allow_simulated and any(r.get("data_source") == SIMULATED for r in records):
        raise ExportError(
            f"thresholds export {path} holds simulated rows: pass --simulated (demo and replays)"
        )
    rows: list[ThresholdsRow] = []
    seen: set[tuple[str, str]] = set()
    for number, record in enumerate(records, start=1):
        try:
            thresholds = StationThresholds.from_record(record, allow_simulated=allow_simulated)
        except (TypeError, ValueError, ArithmeticError) as exc:
            raise ExportError(f"thresholds export {path}: row {number} is invalid: {exc}") from exc
        try:
            station_by_icao(thresholds.station_icao)
        except UnknownStationError as exc:
            raise ExportError(f"thresholds export {path}: row {number}: {exc}") from exc
        key = (thresholds.station_icao, thresholds.contract_type)
        if key in seen:
            raise ExportError(f"thresholds export {path}: row {number} repeats {key}")
        seen.add(key)
        rows.append(ThresholdsRow(thresholds, str(record.get("data_source") or "unknown")))
    simulated = any(row.data_source == SIMULATED for row in rows)
    if simulated and any(row.data_source != SIMULATED for row in rows):
        raise ExportError(f"thresholds export {path} mixes simulated and real rows")
    return ThresholdsExport(path, modified_at, mtime_ns, tuple(rows), simulated)
