"""How fresh is what the trader needs: per station the last observation, quote and CLI, and the
age of the thresholds export.

Read from the staging views and marts (read-only), with the same time columns as the dbt
sources' ``loaded_at_field`` (observation valid time, quote time, CLI issuance), and from the
export file's modification time. The limits are the caller's (``python -m pipelines check``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from domain.layout import REPO_ROOT, exports_dir, thresholds_export_stem, warehouse_path


class NoFreshnessDataError(RuntimeError):
    """The warehouse is missing or has not been built; the message is the one line to show."""


@dataclass(frozen=True)
class FreshnessLimits:
    """The oldest age still fresh, per thing the trader needs.

    Attributes:
        observation: the last observation (IEM METAR) of a station.
        quote: the last quote (candle or order book) of any market of a station.
        cli: the last CLI issuance of a station (issued each morning for the day before).
        export: the thresholds export file (rewritten by every refresh cycle).
    """

    observation: timedelta = timedelta(hours=3)
    quote: timedelta = timedelta(hours=3)
    cli: timedelta = timedelta(hours=48)
    export: timedelta = timedelta(hours=3)


@dataclass(frozen=True)
class Reading:
    """The latest instant of one thing and its age at the check.

    Attributes:
        last_at: the latest instant (aware UTC), None when there is none.
        age: how long before the check (never negative), None when there is none.
        limit: the oldest age still fresh.
    """

    last_at: datetime | None
    age: timedelta | None
    limit: timedelta

    @classmethod
    def at(cls, last_at: datetime | None, now: datetime, limit: timedelta) -> Reading:
        """The reading of ``last_at`` as of ``now`` (a quote period ending later counts as 0)."""
        if last_at is None:
            return cls(None, None, limit)
        utc = last_at.astimezone(UTC)
        return cls(utc, max(timedelta(0), now - utc), limit)

    @property
    def stale(self) -> bool:
        """Missing, or older than the limit."""
        return self.age is None or self.age > self.limit

    def as_json(self) -> dict[str, Any]:
        """``last_at`` (ISO), ``age_minutes``, ``limit_minutes`` and ``stale``."""
        return {
            "last_at": None if self.last_at is None else self.last_at.isoformat(),
            "age_minutes": None if self.age is None else round(self.age.total_seconds() / 60, 1),
            "limit_minutes": round(self.limit.total_seconds() / 60, 1),
            "stale": self.stale,
        }


@dataclass(frozen=True)
class StationFreshness:
    """One station's readings.

    Attributes:
        station_icao: the station.
        observation: its last observation.
        quote: the last quote of its markets.
        cli: its last CLI issuance.
        cli_date: the climate date of its latest CLI.
        export_rows: its rows in the thresholds export (one per contract type it has).
    """

    station_icao: str
    observation: Reading
    quote: Reading
    cli: Reading
    cli_date: date | None
    export_rows: int

    @property
    def stale(self) -> bool:
        """Any of the station's readings is stale."""
        return self.observation.stale or self.quote.stale or self.cli.stale


@dataclass(frozen=True)
class FreshnessReport:
    """The whole check.

    Attributes:
        warehouse: the DuckDB file read.
        checked_at: the instant ages are measured from.
        data_source: ``real`` (what the trader trades) or ``simulated``.
        export_path: the thresholds export of that data source.
        export: the export file's modification time.
        stations: one entry per station checked.
    """

    warehouse: Path
    checked_at: datetime
    data_source: str
    export_path: Path
    export: Reading
    stations: list[StationFreshness] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        """The export or any station reading is stale."""
        return self.export.stale or any(s.stale for s in self.stations)

    def as_json(self) -> dict[str, Any]:
        """The report as plain JSON values."""
        return {
            "warehouse": str(self.warehouse),
            "checked_at": self.checked_at.isoformat(),
            "data_source": self.data_source,
            "stale": self.stale,
            "export": {"path": str(self.export_path), **self.export.as_json()},
            "stations": [
                {
                    "station": s.station_icao,
                    "observation": s.observation.as_json(),
                    "quote": s.quote.as_json(),
                    "cli": {
                        **s.cli.as_json(),
                        "climate_date": None if s.cli_date is None else s.cli_date.isoformat(),
                    },
                    "export_rows": s.export_rows,
                    "stale": s.stale,
                }
                for s in self.stations
            ],
        }


_LAST_OBSERVATION = """
    select station_icao, max(observed_at)
    from stg_iem__observations where data_source = $source group by 1
"""
_LAST_QUOTE = """
    select markets.station_icao, max(quotes.quoted_at)
    from int_market_quotes as quotes
    inner join int_markets_enriched as markets
        on quotes.data_source = markets.data_source and quotes.market_ticker = markets.market_ticker
    where quotes.data_source = $source group by 1
"""
_LAST_CLI = """
    select station_icao, max(published_at), max(climate_date)
    from stg_iem__cli_daily where data_source = $source group by 1
"""


def listed_export(con: duckdb.DuckDBPyConnection, data_source: str) -> tuple[Path, int] | None:
    """The parquet export of a data source and its rows, as the last build listed them.

    Args:
        con: a connection to the warehouse.
        data_source: ``real`` or ``simulated``.

    Returns:
        The file (the build honours var ``thresholds_export_dir``; a relative one is relative
        to where dbt ran, the repo root) and its row count, or None before any build wrote it.
    """
    try:
        rows = con.execute(
            "select export_path, row_count from rpt_station_thresholds_export "
            "where export_format = 'parquet' and data_source = $source",
            {"source": data_source},
        ).fetchall()
    except duckdb.CatalogException:
        return None
    if not rows:
        return None
    path = Path(str(rows[0][0]))
    return (path if path.is_absolute() else REPO_ROOT / path), int(rows[0][1])


def _export_rows(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int]:
    if not path.is_file():
        return {}
    rows = con.execute(
        "select station_icao, count(*) from read_parquet($path) group by 1", {"path": str(path)}
    ).fetchall()
    return {str(station): int(count) for station, count in rows}


def _modified_at(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None


def check_freshness(
    stations: list[str],
    limits: FreshnessLimits,
    *,
    data_source: str = "real",
    now: datetime | None = None,
) -> FreshnessReport:
    """Read the latest instants per station and the export's age; open the warehouse read-only.

    Call it holding the shared warehouse lock (a load or build must not be mid-way).

    Args:
        stations: ICAO ids to check.
        limits: the oldest ages still fresh.
        data_source: ``real`` (the trader's default) or ``simulated`` (the sample).
        now: measure ages from this instant (default: now).

    Returns:
        The report.

    Raises:
        NoFreshnessDataError: no warehouse file, or no staging views built in it yet.
        duckdb.IOException: another program holds the file (the caller names it).
    """
    at = now or datetime.now(UTC)
    path = warehouse_path()
    if not path.is_file():
        raise NoFreshnessDataError(
            f"no warehouse at {path}: load one (`python -m pipelines run --source live`) "
            "and build it (`python -m pipelines build`)"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            params = {"source": data_source}
            observations = dict(con.execute(_LAST_OBSERVATION, params).fetchall())
            quotes = dict(con.execute(_LAST_QUOTE, params).fetchall())
            clis = {row[0]: (row[1], row[2]) for row in con.execute(_LAST_CLI, params).fetchall()}
        except duckdb.CatalogException as exc:
            missing = str(exc).splitlines()[0]
            raise NoFreshnessDataError(
                f"warehouse {path} has no built staging views or marts yet ({missing}): "
                "run `python -m pipelines build`"
            ) from exc
        listed = listed_export(con, data_source)
        # before any build: where the build will write it
        default = exports_dir() / f"{thresholds_export_stem(data_source)}.parquet"
        export_path = listed[0] if listed else default
        export_rows = _export_rows(con, export_path)
    report = FreshnessReport(
        warehouse=path,
        checked_at=at,
        data_source=data_source,
        export_path=export_path,
        export=Reading.at(_modified_at(export_path), at, limits.export),
    )
    for station in stations:
        cli_at, cli_date = clis.get(station, (None, None))
        report.stations.append(
            StationFreshness(
                station_icao=station,
                observation=Reading.at(observations.get(station), at, limits.observation),
                quote=Reading.at(quotes.get(station), at, limits.quote),
                cli=Reading.at(cli_at, at, limits.cli),
                cli_date=cli_date,
                export_rows=export_rows.get(station, 0),
            )
        )
    return report
