"""The console line of a station per tick (rich markup), and the reasons with ``--verbose``."""

from __future__ import annotations

from trader.loop import StationReport


def _extremes(report: StationReport) -> str:
    extreme = report.extreme
    if extreme is None or extreme.observation_count == 0:
        return "no readings"
    age = extreme.observation_age_minutes()
    age_text = "?" if age is None else f"{age:.0f}m"
    return f"max {extreme.running_max_f} min {extreme.running_min_f} age {age_text}"


def station_line(report: StationReport, verbose: bool = False) -> str:
    """One line: station, climate date, extremes, status, and what each contract did.

    Args:
        report: the station's part of the tick.
        verbose: append every decision's reason.

    Returns:
        The line, with rich markup.
    """
    colour = "green" if report.status == "ok" else "yellow"
    parts = [
        f"[bold]{report.station_icao}[/] {report.climate_date}",
        _extremes(report),
        f"[{colour}]{report.status}[/]",
    ]
    for decision in report.decisions:
        if decision.is_trade:
            parts.append(
                f"{decision.contract_type}: BUY {decision.count} {decision.market_ticker} "
                f"@ {decision.price}"
            )
        else:
            parts.append(f"{decision.contract_type}: {decision.reason_code}")
        if verbose:
            parts.append(f"({decision.reason})")
    for execution in report.executions:
        parts.append(
            f"-> {execution.status.value} {execution.filled_count} "
            f"cost ${execution.cost} fee ${execution.fees}"
        )
    return " | ".join(parts)
