"""What each data source holds, so an empty section can say why it is empty.

Read from the marts (``fct_climate_day``, ``fct_market_outcomes``, ``dim_station_thresholds``):
which days have IEM observations, which Kalshi markets settled, how many station-contracts
have a verdict and how many are GO. ``why_empty`` turns that into one sentence naming the
missing input and the command that loads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from reports import queries

REAL = "real"
SIMULATED = "simulated"

# The command that loads each input, per data source (anything else is loaded like 'real').
LOAD_OBSERVATIONS = {
    REAL: "python -m pipelines run --source live",
    SIMULATED: "python -m pipelines run --source sample",
}
LOAD_MARKETS = {
    REAL: "python -m pipelines run --source files --path <folder>` or `--source live",
    SIMULATED: "python -m pipelines run --source sample",
}


def ordered_sources(sources: Iterable[str]) -> list[str]:
    """Real first (it is what counts), then the rest alphabetically."""
    return sorted(set(sources), key=lambda s: (s != REAL, s))


def data_label(sources: Iterable[str]) -> str:
    """``SIMULATED DATA``, ``REAL AND SIMULATED DATA``, ``REAL DATA`` or ``NO DATA``."""
    ordered = ordered_sources(sources)
    return " AND ".join(s.upper() for s in ordered) + " DATA" if ordered else "NO DATA"


@dataclass(frozen=True)
class Span:
    """How many of something, and the climate days they cover."""

    count: int = 0
    first: date | None = None
    last: date | None = None

    def text(self) -> str:
        """``1,234 (2025-06-01..2025-09-16)`` or ``none``."""
        if not self.count:
            return "none"
        return f"{self.count:,} ({self.first}..{self.last})"


@dataclass(frozen=True)
class SourceCoverage:
    """One data source's inputs, as the marts see them.

    Attributes:
        source: the ``data_source`` value.
        observed_days: station-days with IEM observations (``fct_climate_day``).
        settled_markets: Kalshi markets with a yes/no result (``fct_market_outcomes``).
        overlap_days: station-days having both observations and a settled market.
        verdicts: station-contracts in ``dim_station_thresholds``.
        go: how many of them are GO.
    """

    source: str
    observed_days: Span = Span()
    settled_markets: Span = Span()
    overlap_days: int = 0
    verdicts: int = 0
    go: int = 0

    @property
    def passes(self) -> str:
        """``3 of 14 station-contracts pass`` or ``no verdicts``."""
        if not self.verdicts:
            return "no verdicts"
        return f"{self.go} of {self.verdicts} station-contracts pass"


def _span(frame: pd.DataFrame) -> Span:
    if frame.empty:
        return Span()
    dates = pd.to_datetime(frame["date"]).dt.date
    return Span(len(frame), dates.min(), dates.max())


def _station_days(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["station"].astype(str), frame["date"].astype(str), strict=True))


def _rows_of(mart: queries.MartFrame, source: str) -> pd.DataFrame:
    if mart.frame is None or mart.frame.empty:
        return pd.DataFrame(columns=list(queries.MART_FIELDS[mart.mart]))
    return mart.frame[mart.frame["data_source"].astype(str) == source]


def load_coverage(
    con: duckdb.DuckDBPyConnection, sources: Iterable[str]
) -> dict[str, SourceCoverage]:
    """Coverage per data source (a source absent from a mart covers nothing there).

    Args:
        con: a read-only warehouse connection.
        sources: the data sources the page reports on.

    Returns:
        ``SourceCoverage`` per source, in ``ordered_sources`` order.
    """
    days = queries.read_mart(con, queries.FCT_CLIMATE_DAY)
    outcomes = queries.read_mart(con, queries.FCT_MARKET_OUTCOMES)
    verdicts = queries.read_mart(con, queries.DIM_STATION_THRESHOLDS)
    coverage: dict[str, SourceCoverage] = {}
    for source in ordered_sources(sources):
        observed = _rows_of(days, source)
        observed = observed[observed["observation_count"].fillna(0) > 0]
        settled = _rows_of(outcomes, source)
        settled = settled[settled["result"].astype(str).str.lower().isin(("yes", "no"))]
        verdict = _rows_of(verdicts, source)
        coverage[source] = SourceCoverage(
            source=source,
            observed_days=_span(observed),
            settled_markets=_span(settled),
            overlap_days=len(_station_days(observed) & _station_days(settled)),
            verdicts=len(verdict),
            go=int((verdict["verdict"].astype(str).str.upper() == "GO").sum()),
        )
    return coverage


def why_empty(coverage: SourceCoverage, mart: str, needs: str, observations: bool = True) -> str:
    """One sentence: why ``mart`` has no rows for this data source, and what to run.

    Args:
        coverage: the data source's inputs.
        mart: the mart the section reads.
        needs: what that mart needs beyond its inputs (shown when they are there).
        observations: whether the mart needs IEM observations (market calibration does not).

    Returns:
        The reason, starting with ``no <source> ...``.
    """
    source = coverage.source
    if observations and not coverage.observed_days.count:
        return (
            f"no {source} observations (fct_climate_day has no {source} day with IEM "
            f"observations): load IEM with `{LOAD_OBSERVATIONS.get(source, LOAD_OBSERVATIONS[REAL])}`"
            ", then `dbt build`."
        )
    if not coverage.settled_markets.count:
        return (
            f"no {source} settled Kalshi markets (fct_market_outcomes): load them with "
            f"`{LOAD_MARKETS.get(source, LOAD_MARKETS[REAL])}`, then `dbt build`."
        )
    if not observations:
        return (
            f"no {source} rows in {mart} although {coverage.settled_markets.count:,} {source} "
            f"markets settled: it needs {needs}. If data was loaded since the last build, run "
            "`dbt build`."
        )
    if not coverage.overlap_days:
        return (
            f"no {source} station-day has both observations and a settled market: observations "
            f"{coverage.observed_days.text()} station-days, settled markets "
            f"{coverage.settled_markets.text()}; load observations for the markets' days."
        )
    return (
        f"no {source} rows in {mart} although {coverage.overlap_days:,} {source} station-days "
        f"have observations and settled markets: it needs {needs}. If data was loaded since the "
        "last build, run `dbt build`."
    )
