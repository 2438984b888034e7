"""The default advisor's rules: a station's confidence for the day from its forecast context.
Pure and deterministic.

Two flags, each on the high and on the low:

- **front**: the forecast is far from what was observed the day before (a large day-to-day
  change: a front passing, when the running-extreme rules are least reliable);
- **anomaly**: the forecast is far from the day's climatological normal.

Each flag's factor is the step of the largest threshold its gap reaches (defaults below); the
multiplier is the worst front factor times the worst anomaly factor, in [0, 1]; 0 = skip the
station for the day. Without a forecast the advisor knows nothing: multiplier 1 (defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal

ONE, ZERO = Decimal(1), Decimal(0)
STEP = Decimal("0.01")


@dataclass(frozen=True)
class ForecastContext:
    """What the advisor knows about a station's day (°F; None when unknown).

    Attributes:
        station_icao: the station.
        day: the climate date advised on.
        forecast_high_f / forecast_low_f: the NWS forecast for the day.
        normal_high_f / normal_low_f: the climatological normals (CLI).
        previous_high_f / previous_low_f: observed the day before (CLI).
    """

    station_icao: str
    day: date
    forecast_high_f: Decimal | None = None
    forecast_low_f: Decimal | None = None
    normal_high_f: Decimal | None = None
    normal_low_f: Decimal | None = None
    previous_high_f: Decimal | None = None
    previous_low_f: Decimal | None = None


def _steps(*pairs: tuple[int, str]) -> tuple[tuple[Decimal, Decimal], ...]:
    return tuple((Decimal(gap), Decimal(factor)) for gap, factor in pairs)


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds (°F gap -> factor), largest first.

    Defaults: a day-to-day change of 20 °F skips the day, 15 halves it, 10 takes a quarter off;
    25 °F from normal halves it, 15 takes a quarter off.
    """

    front_steps: tuple[tuple[Decimal, Decimal], ...] = field(
        default_factory=lambda: _steps((20, "0"), (15, "0.5"), (10, "0.75"))
    )
    anomaly_steps: tuple[tuple[Decimal, Decimal], ...] = field(
        default_factory=lambda: _steps((25, "0.5"), (15, "0.75"))
    )


@dataclass(frozen=True)
class Verdict:
    """The rules' answer for one station: multiplier, flags and the reasons in words."""

    multiplier: Decimal
    flags: tuple[str, ...]
    reasons: tuple[str, ...]


def _factor(gap: Decimal, steps: tuple[tuple[Decimal, Decimal], ...]) -> Decimal:
    for threshold, factor in steps:
        if abs(gap) >= threshold:
            return factor
    return ONE


def _signed(gap: Decimal) -> str:
    return f"{'+' if gap >= 0 else ''}{gap:f}"


def assess(ctx: ForecastContext, config: RuleConfig | None = None) -> Verdict:
    """The day's multiplier for one station.

    Args:
        ctx: the forecast context.
        config: the thresholds (default ``RuleConfig()``).

    Returns:
        The verdict; multiplier 1 with a "no forecast" reason when nothing can be judged.
    """
    rules = config or RuleConfig()
    if ctx.forecast_high_f is None and ctx.forecast_low_f is None:
        return Verdict(ONE, ("no_forecast",), ("no forecast: trade with defaults",))
    front, anomaly = ONE, ONE
    flags: list[str] = []
    reasons: list[str] = []
    pairs = (
        ("high", ctx.forecast_high_f, ctx.previous_high_f, ctx.normal_high_f),
        ("low", ctx.forecast_low_f, ctx.previous_low_f, ctx.normal_low_f),
    )
    for name, forecast, previous, normal in pairs:
        if forecast is None:
            continue
        if previous is not None:
            gap = forecast - previous
            factor = _factor(gap, rules.front_steps)
            if factor < ONE:
                flags.append(f"front_{name}")
                reasons.append(
                    f"front: forecast {name} {forecast:f}°F vs {previous:f}°F observed yesterday "
                    f"({_signed(gap)}°F) x{factor}"
                )
            front = min(front, factor)
        if normal is not None:
            gap = forecast - normal
            factor = _factor(gap, rules.anomaly_steps)
            if factor < ONE:
                flags.append(f"anomaly_{name}")
                reasons.append(
                    f"anomaly: forecast {name} {forecast:f}°F vs normal {normal:f}°F "
                    f"({_signed(gap)}°F) x{factor}"
                )
            anomaly = min(anomaly, factor)
    multiplier = max(ZERO, min(ONE, front * anomaly)).quantize(STEP, rounding=ROUND_DOWN)
    if not reasons:
        reasons.append(
            f"no front or anomaly: forecast high {_shown(ctx.forecast_high_f)}/low "
            f"{_shown(ctx.forecast_low_f)} (normal {_shown(ctx.normal_high_f)}/"
            f"{_shown(ctx.normal_low_f)}, yesterday {_shown(ctx.previous_high_f)}/"
            f"{_shown(ctx.previous_low_f)})"
        )
    if multiplier == ZERO:
        reasons.append("skip the station today")
    return Verdict(multiplier, tuple(flags), tuple(reasons))


def _shown(value: Decimal | None) -> str:
    return "?" if value is None else f"{value:f}°F"
