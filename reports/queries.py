"""Read the go/kill marts, read-only, into pandas frames.

Every mart column name the report (and ``reports.summary``) relies on is written here, in
``MART_FIELDS``, and nowhere else. Each logical field lists the column names it accepts, the
contract name (docs/architecture.md, the marts' yml) first; the first one present in the mart
is used. A missing mart, a missing required column or an empty mart becomes a ``MartFrame``
with a human-readable ``note`` instead of an exception, so one unfinished mart never hides
the rest of the report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import pandas as pd

from reports.warehouse import columns_of, fetch_frame, raw_schemas, relations

log = logging.getLogger(__name__)

SCHEMA = "main"

DIM_STATION_THRESHOLDS = "dim_station_thresholds"
FCT_ACCURACY_BY_WINDOW = "fct_accuracy_by_window"
FCT_HISTORICAL_EDGE = "fct_historical_edge"
FCT_MARKET_CALIBRATION = "fct_market_calibration"
FCT_BACKTEST_TRADES = "fct_backtest_trades"
FCT_CLIMATE_DAY = "fct_climate_day"
FCT_MARKET_OUTCOMES = "fct_market_outcomes"


@dataclass(frozen=True)
class Field:
    """One logical column: the names it may carry in the mart, and whether the report needs it."""

    candidates: tuple[str, ...]
    required: bool = True


def _f(*names: str, required: bool = True) -> Field:
    return Field(candidates=names, required=required)


# The single place where mart column names live. Keys are the names the report code uses.
MART_FIELDS: dict[str, dict[str, Field]] = {
    DIM_STATION_THRESHOLDS: {
        "data_source": _f("data_source"),
        "station": _f("station_icao", "station"),
        "contract": _f("contract_type", "contract"),
        "rule": _f("rule", required=False),
        "window_start": _f(
            "window_start_minute",
            "entry_checkpoint_minute",
            "checkpoint_minute",
            "window_start",
            required=False,
        ),
        "window_end": _f("window_end_minute", required=False),
        "buffer_f": _f("buffer_f", "margin_f", "buffer_degrees_f", required=False),
        # per-trade entry filter chosen on train (a trade needs model EV >= it)
        "min_edge": _f("min_edge_dollars", "min_edge", required=False),
        # the verdict's own threshold: GO needs the test EV per contract >= it
        "go_min_ev": _f(
            "go_min_ev_dollars", "go_min_ev_per_contract", "min_ev_dollars", required=False
        ),
        "tier": _f("tier", "market_tier", "confidence_tier", required=False),
        "ev": _f(
            "ev_per_contract_dollars",
            "expected_value_per_contract_dollars",
            "ev_per_contract",
            required=False,
        ),
        "ev_ci_low": _f(
            "ev_ci_low_dollars", "ev_per_contract_ci_low_dollars", "ev_ci_low", required=False
        ),
        "ev_ci_high": _f(
            "ev_ci_high_dollars", "ev_per_contract_ci_high_dollars", "ev_ci_high", required=False
        ),
        "test_trades": _f("test_trade_count", required=False),
        "test_days": _f("test_day_count", "test_days", "oos_day_count", required=False),
        "test_start": _f("test_start_date", required=False),
        "test_end": _f("test_end_date", required=False),
        "verdict": _f("verdict", "decision"),
        "reason": _f("verdict_reason", "reason", required=False),
    },
    FCT_ACCURACY_BY_WINDOW: {
        "data_source": _f("data_source"),
        "station": _f("station_icao", "station"),
        "contract": _f("contract_type", "contract"),
        "checkpoint_minute": _f("checkpoint_minute"),
        "accuracy": _f("accuracy", "accuracy_rate", "exact_rate", "hit_rate"),
        "day_count": _f("day_count", "days", "n_days", required=False),
    },
    FCT_HISTORICAL_EDGE: {
        "data_source": _f("data_source"),
        "station": _f("station_icao", "station"),
        "contract": _f("contract_type", "contract", required=False),
        "window_minute": _f("checkpoint_minute", "window_start_minute", "window_minute"),
        # realised P&L per contract on the trades taken: the edge that actually paid
        "edge": _f("mean_realised_pnl_dollars", "edge_dollars", "edge"),
        "trade_count": _f("trade_count", required=False),
    },
    FCT_MARKET_CALIBRATION: {
        "data_source": _f("data_source"),
        "contract": _f("contract_type", "contract", required=False),
        "hours_to_close": _f("hours_to_close_min", required=False),
        "hours_to_close_max": _f("hours_to_close_max", required=False),
        "price": _f(
            "mean_price_dollars",
            "avg_price_dollars",
            "price_bucket_mid_dollars",
            "price_bucket_low_dollars",
        ),
        "yes_rate": _f("realised_yes_rate", "realized_yes_rate", "yes_rate", "yes_frequency"),
        "ci_low": _f("ci_low", "yes_rate_ci_low", "ci_lower", required=False),
        "ci_high": _f("ci_high", "yes_rate_ci_high", "ci_upper", required=False),
        "count": _f("market_count", "quote_count", "n", required=False),
    },
    FCT_BACKTEST_TRADES: {
        "data_source": _f("data_source"),
        "station": _f("station_icao", "station"),
        "contract": _f("contract_type", "contract"),
        "date": _f("climate_date", "trade_date", "date"),
        "rule": _f("rule"),
        # the verdict of the station-contract the trade belongs to: GO rows are what trades
        "station_verdict": _f("station_verdict", "verdict"),
        # p the engine priced the EV with (window accuracy for 'design', model p otherwise)
        "probability": _f("probability"),
        "is_win": _f("is_win"),
        "pnl": _f("pnl_dollars", "realised_pnl_dollars"),
        "risk_scope": _f("risk_scope", required=False),
    },
    FCT_CLIMATE_DAY: {
        "data_source": _f("data_source"),
        "station": _f("station_icao", "station"),
        "date": _f("climate_date"),
        "observation_count": _f("observation_count"),
    },
    FCT_MARKET_OUTCOMES: {
        "data_source": _f("data_source"),
        "station": _f("station_icao", "station"),
        "date": _f("climate_date"),
        "result": _f("kalshi_result", "result"),
    },
}

# Rows the report shows, per mart: column -> value, applied only where the column exists.
# (The marts carry more dimensions than a figure can: periods, buffers, strategies, bases.)
MART_FILTERS: dict[str, dict[str, object]] = {
    FCT_ACCURACY_BY_WINDOW: {"period_type": "all", "buffer_f": 0},
    FCT_HISTORICAL_EDGE: {"sample_period": "all", "strategy": "best_edge"},
    FCT_MARKET_CALIBRATION: {"price_basis": "mid", "station_icao": "ALL"},
    # bought brackets only: NO_TRADE rows (risk halts) were never priced into a position
    FCT_BACKTEST_TRADES: {"is_executed": True},
}

# Fields converted to float for plotting (money arrives as Decimal).
NUMERIC_FIELDS = frozenset(
    {
        "checkpoint_minute",
        "accuracy",
        "day_count",
        "window_minute",
        "edge",
        "trade_count",
        "hours_to_close",
        "hours_to_close_max",
        "price",
        "yes_rate",
        "ci_low",
        "ci_high",
        "count",
        "pnl",
        "probability",
        "observation_count",
    }
)


@dataclass
class MartFrame:
    """A mart read into pandas, columns renamed to ``MART_FIELDS`` keys, or why it could not be.

    Attributes:
        mart: the model name.
        frame: the rows (``None`` when unavailable); optional fields absent from the mart are
            columns of ``None``.
        note: why the mart is unavailable or empty (``None`` when ``frame`` has rows).
    """

    mart: str
    frame: pd.DataFrame | None
    note: str | None = None

    @property
    def ok(self) -> bool:
        """True when the mart has rows to show."""
        return self.frame is not None and not self.frame.empty


def resolve(available: list[str], fields: dict[str, Field]) -> tuple[dict[str, str], list[str]]:
    """Map logical fields to the mart's columns.

    Returns:
        (logical key -> column name for fields found, required keys that are missing with the
        names tried).
    """
    present = {c.lower(): c for c in available}
    mapping: dict[str, str] = {}
    missing: list[str] = []
    for key, spec in fields.items():
        found = next((present[c.lower()] for c in spec.candidates if c.lower() in present), None)
        if found is not None:
            mapping[key] = found
        elif spec.required:
            missing.append(f"{key} (tried {', '.join(spec.candidates)})")
    return mapping, missing


def read_mart(con: duckdb.DuckDBPyConnection, mart: str) -> MartFrame:
    """Read one mart's report fields.

    Args:
        con: a read-only warehouse connection.
        mart: a key of ``MART_FIELDS``.

    Returns:
        The rows with columns renamed to the logical keys, or a note saying what is missing.
    """
    fields = MART_FIELDS[mart]
    available = columns_of(con, SCHEMA, mart)
    if not available:
        return MartFrame(mart, None, f"{mart} not built yet (run `dbt build`).")
    mapping, missing = resolve(available, fields)
    if missing:
        log.warning("%s lacks columns: %s", mart, "; ".join(missing))
        return MartFrame(
            mart,
            None,
            f"{mart} exists but lacks the columns the report needs: {'; '.join(missing)}.",
        )
    select = ", ".join(f'"{column}" as "{key}"' for key, column in mapping.items())
    present = {c.lower() for c in available}
    filters = {c: v for c, v in MART_FILTERS.get(mart, {}).items() if c.lower() in present}
    where = " and ".join(f'"{column}" = ?' for column in filters) or "true"
    try:
        frame = fetch_frame(
            con, f'select {select} from "{SCHEMA}"."{mart}" where {where}', list(filters.values())
        )
    except duckdb.Error as exc:
        log.warning("could not read %s: %s", mart, exc)
        return MartFrame(mart, None, f"{mart} could not be read: {str(exc).splitlines()[0]}")
    for key in fields:
        if key not in frame.columns:
            frame[key] = None
    for key in NUMERIC_FIELDS & set(frame.columns):
        frame[key] = pd.to_numeric(frame[key], errors="coerce")
    if frame.empty:
        shown = ", ".join(f"{c} = {v!r}" for c, v in filters.items())
        return MartFrame(
            mart,
            frame,
            f"{mart} is empty: no rows to show" + (f" (where {shown})." if shown else "."),
        )
    return MartFrame(mart, frame)


def data_source_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Raw rows per ``data_source`` (every raw schema); a source that appears only in the
    report's marts is listed with 0 raw rows, so the page never hides that it is there."""
    totals: dict[str, int] = {}
    for schema, name, kind in relations(con, (*raw_schemas(con), SCHEMA)):
        if kind != "table" or "data_source" not in columns_of(con, schema, name):
            continue
        if schema == SCHEMA:
            if name not in MART_FIELDS:
                continue
            for (source,) in con.execute(
                f'select distinct data_source from "{schema}"."{name}"'
            ).fetchall():
                totals.setdefault(str(source), 0)
            continue
        rows = con.execute(
            f'select data_source, count(*) from "{schema}"."{name}" group by 1'
        ).fetchall()
        for source, count in rows:
            key = str(source)
            totals[key] = totals.get(key, 0) + int(count)
    return totals
