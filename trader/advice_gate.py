"""The daily advice's effect on trading: scale a station's stakes, or skip it for the day.

``trader.advisor`` writes one file per day of multipliers in [0, 1]; the trader reads it when
present and fresh (``load_advice``), else trades with defaults. A multiplier m scales the
largest stake of the station's decisions (``stake_max x m``, the smallest stake never above it),
so the engine sizes and prices the smaller order itself, fees included; 0 skips the station's
trades for the day (``trader.gates``: reason code ``advisor_skip``). The advice never places an
order and never blocks one beyond that; every effect is in the journaled decision's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from domain.risk import RiskState
from trader.advisor import Advice, advice_path, load_advice

ONE = Decimal(1)
CENT = Decimal("0.01")

AdviceSource = Callable[[date, datetime], Advice | None]
"""The usable advice for a climate date at an instant (None: trade with defaults)."""


def advice_loader(directory: Path) -> AdviceSource:
    """``load_advice`` over ``directory``; a usable file is parsed once per modification.

    Args:
        directory: the advice folder (``trader.advisor.default_advice_dir()``).

    Returns:
        The source. Freshness is checked at every call (advice goes stale, and advice created
        after the instant asked about is never used); an unusable file is re-read each call.
    """
    cache: dict[date, tuple[int, Advice]] = {}

    def source(day: date, now: datetime) -> Advice | None:
        try:
            stamp = advice_path(directory, day).stat().st_mtime_ns
        except OSError:
            return None
        seen = cache.get(day)
        if seen is not None and seen[0] == stamp:
            return seen[1] if seen[1].fresh_at(now) else None
        loaded = load_advice(directory, day, now)
        if loaded is not None:
            cache[day] = (stamp, loaded)
        return loaded

    return source


def advised_risk(risk: RiskState, icao: str, advice: Advice | None) -> RiskState:
    """The risk state a station decides with: its stake ceiling scaled by the multiplier."""
    multiplier = ONE if advice is None else advice.multiplier(icao)
    if multiplier >= ONE or multiplier <= 0:
        return risk  # 1: defaults; 0: decided as usual, then skipped (``advice_effect``)
    limits = risk.limits
    stake_max = max((limits.stake_max * multiplier).quantize(CENT, rounding=ROUND_FLOOR), CENT)
    scaled = replace(limits, stake_max=stake_max, stake_min=min(limits.stake_min, stake_max))
    return replace(risk, limits=scaled)


def advice_effect(advice: Advice | None, icao: str) -> tuple[Decimal, str]:
    """The station's multiplier and the words journaled with its decisions ("" at 1)."""
    multiplier = ONE if advice is None else advice.multiplier(icao)
    if advice is None or multiplier >= ONE:
        return ONE, ""
    reason = advice.reason(icao) or "no reason given"
    return multiplier, f"advisor {advice.advisor} x{multiplier}: {reason}"
