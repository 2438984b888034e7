"""The verdict table (``dim_station_thresholds``) formatted for the HTML page and the terminal.

Both the report and ``reports.summary`` show it; the columns, their formatting and what counts as
a GO live here once. No plotting imports, so the summary stays light.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pandas as pd


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_minute(value: object) -> str:
    """Minutes after LST midnight as ``HH:MM LST``."""
    if _is_blank(value):
        return "–"
    try:
        minute = int(float(str(value)))
    except ValueError:
        return str(value)
    return f"{minute // 60:02d}:{minute % 60:02d} LST"


def fmt_number(value: object, places: int = 2, prefix: str = "") -> str:
    """A number with fixed decimals (Decimal-exact), or an en dash when absent."""
    if _is_blank(value):
        return "–"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    quantum = Decimal(1).scaleb(-places)
    sign = "-" if number < 0 else ""
    return f"{sign}{prefix}{abs(number).quantize(quantum)}"


def fmt_text(value: object) -> str:
    """Plain text, or an en dash when absent."""
    return "–" if _is_blank(value) else str(value)


def _fmt_degrees(value: object) -> str:
    if _is_blank(value):
        return "–"
    number = Decimal(str(value))
    places = 0 if number == number.to_integral_value() else 1
    return f"{fmt_number(number, places)} °F"


def verdict_rows(frame: pd.DataFrame) -> list[dict[str, str]]:
    """Formatted verdict rows (the HTML table and ``reports.summary``), sorted by station/contract."""
    ordered = frame.sort_values(["data_source", "station", "contract"], kind="stable")
    rows = []
    for record in ordered.to_dict("records"):
        low, high = record.get("ev_ci_low"), record.get("ev_ci_high")
        ci = (
            f"[{fmt_number(low, 4)}, {fmt_number(high, 4)}]"
            if not (_is_blank(low) or _is_blank(high))
            else "–"
        )
        window = fmt_minute(record.get("window_start"))
        rows.append(
            {
                "data_source": fmt_text(record.get("data_source")),
                "station": fmt_text(record.get("station")),
                "contract": fmt_text(record.get("contract")),
                "rule": fmt_text(record.get("rule")),
                "window_start": window.removesuffix(" LST"),
                "buffer_f": _fmt_degrees(record.get("buffer_f")),
                "min_edge": fmt_number(record.get("min_edge"), 4, "$"),
                "go_min_ev": fmt_number(record.get("go_min_ev"), 4, "$"),
                "tier": fmt_text(record.get("tier")),
                "ev": fmt_number(record.get("ev"), 4, "$"),
                "ev_ci": ci,
                "test_trades": fmt_text(record.get("test_trades")),
                "test_days": fmt_text(record.get("test_days")),
                "verdict": fmt_text(record.get("verdict")).upper(),
                "reason": fmt_text(record.get("reason")),
            }
        )
    return rows


VERDICT_COLUMNS: list[tuple[str, str]] = [
    ("data_source", "data_source"),
    ("station", "station"),
    ("contract", "contract"),
    ("rule", "rule"),
    ("window_start", "window start (LST)"),
    ("buffer_f", "buffer"),
    ("min_edge", "entry min edge / trade"),
    ("tier", "tier"),
    ("ev", "test EV / contract"),
    ("ev_ci", "95% CI"),
    ("go_min_ev", "GO needs EV ≥"),
    ("test_trades", "test trades"),
    ("test_days", "test days"),
    ("verdict", "verdict"),
    ("reason", "reason"),
]

# Columns shown right-aligned (numbers).
VERDICT_NUMERIC = frozenset(
    {"buffer_f", "min_edge", "ev", "go_min_ev", "ev_ci", "test_trades", "test_days"}
)

# What the two money thresholds mean: they are different numbers and easy to confuse.
ENTRY_EDGE_LEGEND = (
    "entry min edge / trade: the filter chosen on the training days; a checkpoint is traded "
    "only when the engine's EV per contract after fees is at least this."
)
GO_BAR_LEGEND = (
    "GO needs EV ≥: the verdict's own bar; GO needs the test EV per contract at or above it, "
    "the 95% CI lower bound above zero and enough test days."
)
# When dim_station_thresholds carries no column for the bar, the reason text still quotes it.
GO_BAR_IN_REASON_LEGEND = (
    "The verdict's own bar is a different number: GO needs the test EV per contract at or "
    "above the amount quoted in each reason (e.g. “>= $0.02”), the 95% CI lower bound above "
    "zero and enough test days."
)


def verdict_class(verdict: str) -> str:
    """``go``, ``kill`` or ``""`` for a formatted (upper-case) verdict: how a row is styled."""
    if verdict == "GO":
        return "go"
    return "kill" if verdict in ("KILL", "NO-GO") else ""
