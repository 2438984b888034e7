"""The advisor's rules: fronts and anomalies scale the day's confidence; no forecast = 1."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from trader.advisor_rules import ForecastContext, RuleConfig, Verdict, assess

DAY = date(2026, 12, 1)


def _ctx(high: int | None, low: int | None, **extra: int) -> ForecastContext:
    values = {"normal_high_f": 45, "normal_low_f": 33, "previous_high_f": 44, "previous_low_f": 32}
    values.update(extra)
    return ForecastContext(
        "KNYC",
        DAY,
        None if high is None else Decimal(high),
        None if low is None else Decimal(low),
        **{k: Decimal(v) for k, v in values.items()},  # type: ignore[arg-type]
    )


def test_an_ordinary_day_keeps_full_confidence() -> None:
    verdict = assess(_ctx(47, 34))
    assert verdict.multiplier == Decimal(1)
    assert verdict.flags == ()
    assert verdict.reasons[0].startswith("no front or anomaly: forecast high 47°F/low 34°F")


def test_front_steps() -> None:
    assert assess(_ctx(56, 34)).multiplier == Decimal("0.75")  # +12 °F on the high
    assert assess(_ctx(47, 16, normal_low_f=20)).multiplier == Decimal("0.5")  # -16 °F low
    skipped = assess(_ctx(20, 10, normal_high_f=22, normal_low_f=12))  # -24 °F: skip
    assert skipped.multiplier == Decimal(0)
    assert skipped.flags == ("front_high", "front_low")
    assert skipped.reasons[-1] == "skip the station today"
    assert "forecast high 20°F vs 44°F observed yesterday (-24°F) x0" in skipped.reasons[0]


def test_anomaly_and_front_multiply() -> None:
    # +15 front (x0.5) on the high, and 27 °F above normal (x0.5): 0.25.
    verdict = assess(_ctx(59, 34, previous_high_f=44, normal_high_f=32))
    assert verdict == Verdict(
        Decimal("0.25"),
        ("front_high", "anomaly_high"),
        (
            "front: forecast high 59°F vs 44°F observed yesterday (+15°F) x0.5",
            "anomaly: forecast high 59°F vs normal 32°F (+27°F) x0.5",
        ),
    )


def test_no_forecast_means_defaults_and_missing_inputs_are_skipped() -> None:
    assert assess(_ctx(None, None)) == Verdict(
        Decimal(1), ("no_forecast",), ("no forecast: trade with defaults",)
    )
    lone = ForecastContext("KNYC", DAY, forecast_high_f=Decimal(90))  # nothing to compare with
    assert assess(lone).multiplier == Decimal(1)


def test_thresholds_are_configurable() -> None:
    strict = RuleConfig(front_steps=((Decimal(3), Decimal("0.9")),), anomaly_steps=())
    assert assess(_ctx(47, 34), strict).multiplier == Decimal("0.9")
