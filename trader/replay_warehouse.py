"""A replay's stored inputs, read once from the warehouse (read-only) for one climate day.

What the trader would have seen live, and what the backtest (``fct_backtest_trades``) decided on:

- observations: ``raw_iem.asos_observations`` of finished loads, as ``Observation`` rows exactly
  as ``trader.feeds`` builds them from IEM (tenths °C, tmpf, whole °C, report type); the loop's
  running extreme applies the publication delays itself;
- quotes: ``int_thresholds_engine_inputs``, the ladder of each station x contract at each
  15-minute checkpoint with the as-of executable YES ask (the last fresh quote at or before the
  checkpoint, ``int_gate_market_checkpoints``), the bid, the model probability and the fee;
  each becomes a book whose only NO bid is ``1 - ask`` with ``DEPTH`` contracts, so the paper
  fill is the engine's order at the engine's price;
- CLI reports: ``raw_iem.cli_reports``, for the paper settlement.

The trader itself never opens the warehouse: only a replay does, and read-only.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.kalshi.orderbook import BookLevel, OrderBook
from domain.brackets import Bracket
from domain.climate_day import climate_day_window
from domain.running_extreme import Observation
from domain.stations import Station, station_by_icao
from trader.markets import LadderMarket, SeriesFees
from trader.settlement import ClimateReport

ONE = Decimal(1)
DEPTH = Decimal(1_000_000)
"""Contracts behind every replayed ask: more than any order, so the fill is the decision."""


class ReplayDataError(RuntimeError):
    """The warehouse cannot feed this replay; the message is the one line to show."""


@dataclass(frozen=True)
class Quote:
    """One market at one checkpoint, as the engine saw it."""

    yes_ask: Decimal | None
    yes_bid: Decimal | None
    probability: Decimal | None


def _decimal(value: float | Decimal | None) -> Decimal | None:
    # DOUBLE tmpf arrives as float: its shortest repr is the text IEM sent ("71.6").
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def book_of(market_ticker: str, quote: Quote | None, depth: Decimal = DEPTH) -> OrderBook:
    """A book holding exactly ``quote``: YES ask ``a`` is a NO bid at ``1 - a``.

    Args:
        market_ticker: the market.
        quote: the quote (None: an empty book).
        depth: contracts at each level.

    Returns:
        The book (bids best first, one level per side at most).
    """
    if quote is None:
        return OrderBook(market_ticker, (), ())
    no = () if quote.yes_ask is None else (BookLevel(ONE - quote.yes_ask, depth),)
    yes = () if quote.yes_bid is None else (BookLevel(quote.yes_bid, depth),)
    return OrderBook(market_ticker, yes, no)


class WarehouseDay:
    """The stored inputs of one climate day, loaded at construction; the clock picks the instant.

    Args:
        warehouse: the DuckDB file (opened read-only, closed before this returns).
        data_source: ``simulated`` or ``real``.
        day: the climate date.
        stations: the stations replayed.
        clock: the replay's simulated clock (the current checkpoint).

    Raises:
        ReplayDataError: the warehouse is missing or unreadable, or holds nothing for the day.
    """

    def __init__(
        self,
        warehouse: Path,
        data_source: str,
        day: date,
        stations: tuple[str, ...],
        clock: Callable[[], datetime],
    ) -> None:
        self.day = day
        self.clock = clock
        self.stations = stations
        rows = _load(warehouse, data_source, day, stations)
        self._observations: dict[str, list[Observation]] = defaultdict(list)
        for obs in rows["observations"]:
            self._observations[obs.station_icao].append(obs)
        self._times = {
            icao: [obs.observed_at for obs in observations]
            for icao, observations in self._observations.items()
        }
        self._quotes: dict[tuple[str, datetime], Quote] = {}
        self._ladders: dict[tuple[str, datetime], list[LadderMarket]] = defaultdict(list)
        self._fees: dict[str, SeriesFees] = {}
        for row in rows["quotes"]:
            station = station_by_icao(row["station_icao"])
            series = (
                station.high_series_ticker
                if row["contract_type"] == "HIGH"
                else station.low_series_ticker
            )
            at = _utc(row["checkpoint_at"])
            bracket = Bracket(row["bracket_lower"], row["bracket_upper"])
            self._ladders[(series, at)].append(LadderMarket(row["market_ticker"], bracket))
            self._quotes[(row["market_ticker"], at)] = Quote(
                row["yes_ask_dollars"], row["yes_bid_dollars"], row["model_probability"]
            )
            self._fees.setdefault(series, SeriesFees(row["fee_type"], row["fee_multiplier"]))
        self._reports = {
            row["station"]: ClimateReport(
                row["station"], day, row["high_f"], row["low_f"], row["product_id"]
            )
            for row in rows["cli"]
        }
        if not self._observations:
            raise ReplayDataError(
                f"the warehouse holds no {data_source} observations for {day} at "
                f"{', '.join(stations)}"
            )

    @property
    def quote_count(self) -> int:
        """Market x checkpoint quotes loaded."""
        return len(self._quotes)

    # ObservationSource
    def fetch(self, station: Station, start: datetime, end: datetime) -> list[Observation]:
        """The station's reports valid in ``[start, end)`` (what IEM's asos.py would return)."""
        times = self._times.get(station.icao, [])
        low, high = bisect.bisect_left(times, start), bisect.bisect_left(times, end)
        return self._observations[station.icao][low:high]

    # MarketSource
    def ladder(self, series_ticker: str, climate_date: date) -> tuple[LadderMarket, ...]:
        """The markets open at the current checkpoint (none on another day)."""
        if climate_date != self.day:
            return ()
        return tuple(self._ladders.get((series_ticker, self.clock()), ()))

    def book(self, market_ticker: str) -> OrderBook:
        """The book of the market's quote at the current checkpoint."""
        return book_of(market_ticker, self._quotes.get((market_ticker, self.clock())))

    def book_at(self, market_ticker: str, at: datetime) -> OrderBook:
        """The book of the market's quote at ``at`` (a crashed intent's own instant)."""
        return book_of(market_ticker, self._quotes.get((market_ticker, at)))

    def fees(self, series_ticker: str) -> SeriesFees:
        """The series' fees as the engine inputs carry them."""
        return self._fees.get(series_ticker, SeriesFees())

    # ProbabilitySource
    def probability(self, market_ticker: str, at: datetime) -> Decimal | None:
        """The model probability of the market at checkpoint ``at``."""
        quote = self._quotes.get((market_ticker, at))
        return None if quote is None else quote.probability

    # ClimateSource
    def report(self, station: Station, climate_date: date) -> ClimateReport | None:
        """The station's CLI report of the replayed day."""
        if climate_date != self.day:
            return None
        return self._reports.get(station.icao)

    def settle_at(self) -> datetime:
        """When every replayed station's CLI is out (the paper settlement's instant)."""
        ends = [climate_day_window(self.day, station_by_icao(s))[1] for s in self.stations]
        issued = [r.issued_at for r in self._reports.values() if r.issued_at is not None]
        return max([*ends, *issued]) + timedelta(minutes=1)


def fetch_rows(con: Any, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _load(
    warehouse: Path, data_source: str, day: date, stations: tuple[str, ...]
) -> dict[str, list[Any]]:
    import duckdb  # only a replay needs DuckDB

    if not warehouse.is_file():
        raise ReplayDataError(f"warehouse {warehouse} is missing: run `make build` first")
    windows = [climate_day_window(day, station_by_icao(s)) for s in stations]
    start, end = min(w[0] for w in windows), max(w[1] for w in windows)
    marks = ", ".join("?" for _ in stations)
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise ReplayDataError(f"warehouse {warehouse} cannot be opened: {exc}") from exc
    try:
        observations = fetch_rows(
            con,
            # staging keeps finished loads and the latest revision of each report (a COR wins)
            "select station_icao as station, observed_at as valid_at, report_type, "
            "temp_c_tenths, temp_f_reported, temp_c_whole from main.stg_iem__observations "
            f"where data_source = ? and station_icao in ({marks}) "
            "and observed_at >= ? and observed_at < ? order by station_icao, observed_at",
            [data_source, *stations, start, end],
        )
        quotes = fetch_rows(
            con,
            "select station_icao, contract_type, market_ticker, checkpoint_at, bracket_lower, "
            "bracket_upper, yes_ask_dollars, yes_bid_dollars, model_probability, fee_type, "
            "fee_multiplier from int_thresholds_engine_inputs "
            f"where data_source = ? and climate_date = ? and station_icao in ({marks}) "
            "order by checkpoint_at, station_icao, contract_type, market_ticker",
            [data_source, day, *stations],
        )
        cli = fetch_rows(
            con,
            "select station, high_f, low_f, product_id from raw_iem.cli_reports "
            f"where data_source = ? and climate_date = ? and station in ({marks}) "
            "order by published_at, product_id",
            [data_source, day, *stations],
        )
    except duckdb.Error as exc:
        raise ReplayDataError(f"warehouse {warehouse} is not built for a replay: {exc}") from exc
    finally:
        con.close()
    return {
        "observations": [
            Observation(
                station_icao=row["station"],
                observed_at=_utc(row["valid_at"]),
                report_type=int(row["report_type"]),
                temp_c_tenths=row["temp_c_tenths"],
                temp_f_reported=_decimal(row["temp_f_reported"]),
                temp_c_whole=row["temp_c_whole"],
            )
            for row in observations
        ],
        "quotes": quotes,
        "cli": cli,
    }
