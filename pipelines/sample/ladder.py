"""Simulated Kalshi ladders: exact wire-format strings, the 6-market ladder, and how a belief
about the settlement value becomes bracket prices and quotes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from domain.brackets import Bracket, bracket_from_strikes
from domain.stations import Station
from pipelines.sample.truth import round_half_away

JsonObject = dict[str, Any]

CONTRACTS = ("HIGH", "LOW")
LADDER_BINS = 4
_SQRT2 = math.sqrt(2.0)
_NORMAL_CDF = np.vectorize(lambda x: 0.5 * (1.0 + math.erf(x / _SQRT2)), otypes=[float])
NO_BID, NO_ASK = 0, 100  # cents: an empty side of the book


# --------------------------------------------------------------------------------------------
# Formatting helpers (integers in, exact strings out)


def cents_text(cents: int) -> str:
    """Whole cents as a ``*_dollars`` string (``27`` -> ``"0.2700"``)."""
    return _CENTS_TEXT[cents]


_CENTS_TEXT = tuple(f"{cents // 100}.{cents % 100:02d}00" for cents in range(101))


def count_text(count: int) -> str:
    """A whole contract count as a ``*_fp`` string (``12`` -> ``"12.00"``)."""
    return f"{count}.00"


def iso_z(at: datetime) -> str:
    """``2025-03-02T05:59:00Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def series_for(station: Station, contract: str) -> str:
    """The series ticker of a station's HIGH or LOW contract."""
    return station.high_series_ticker if contract == "HIGH" else station.low_series_ticker


# --------------------------------------------------------------------------------------------
# Ladder


@dataclass(frozen=True)
class LadderMarket:
    """One market of a ladder: ticker suffix, strikes and its bracket."""

    suffix: str
    strike_type: str
    floor_strike: int | None
    cap_strike: int | None
    bracket: Bracket

    @property
    def subtitle(self) -> str:
        """``72° to 73°``, ``71° or below``, ``80° or above``."""
        low, high = self.bracket.lower, self.bracket.upper
        if low is None:
            return f"{high}° or below"
        if high is None:
            return f"{low}° or above"
        return f"{low}° to {high}°"


def ladder(center_f: float) -> list[LadderMarket]:
    """Two tails and four 2 °F bins centred on a forecast (as in ``KXHIGHCHI-26JUN01``).

    ``L`` is the lowest bin's floor: ``T<L>`` (less: <= L-1), ``B<L+0.5>`` .. ``B<L+6.5>``,
    ``T<L+7>`` (greater: >= L+8).
    """
    low = int(round_half_away(np.array([center_f - 3.5]))[0])
    markets = [LadderMarket(f"T{low}", "less", None, low, bracket_from_strikes("less", None, low))]
    for index in range(LADDER_BINS):
        floor = low + 2 * index
        suffix = f"B{floor}.5"
        markets.append(
            LadderMarket(
                suffix,
                "between",
                floor,
                floor + 1,
                bracket_from_strikes("between", floor, floor + 1),
            )
        )
    top = low + 2 * LADDER_BINS - 1
    markets.append(
        LadderMarket(f"T{top}", "greater", top, None, bracket_from_strikes("greater", top, None))
    )
    return markets


# --------------------------------------------------------------------------------------------
# Belief and prices


def bracket_probabilities(
    contract: str,
    markets: Sequence[LadderMarket],
    extreme_so_far: np.ndarray,
    mu: np.ndarray,
    sigma: np.ndarray,
) -> np.ndarray:
    """Probabilities (updates x markets) of each bracket under the market's belief.

    Args:
        contract: HIGH or LOW.
        markets: the ladder, ascending.
        extreme_so_far: running max (HIGH) / min (LOW) known to the market; NaN = none yet.
        mu: centre of the outlook for the rest-of-day extreme.
        sigma: its spread.
    """
    # Integer edges between brackets: P(V <= edge) for each edge.
    edges = np.array([m.bracket.upper for m in markets[:-1]], dtype=float)
    known = ~np.isnan(extreme_so_far)
    bound = np.where(known, extreme_so_far, np.nan)[:, None]
    if contract == "HIGH":
        cdf = _NORMAL_CDF((edges[None, :] + 0.5 - mu[:, None]) / sigma[:, None])
        # V = max(running max, rest of day): impossible below what was already observed.
        cdf = np.where(known[:, None] & (edges[None, :] < bound), 0.0, cdf)
    else:
        survival_next = _NORMAL_CDF((mu[:, None] - (edges[None, :] + 0.5)) / sigma[:, None])
        # V = min(running min, rest of day): certainly <= the running min.
        survival_next = np.where(known[:, None] & (edges[None, :] + 1 > bound), 0.0, survival_next)
        cdf = 1.0 - survival_next
    padded = np.concatenate((np.zeros((len(mu), 1)), cdf, np.ones((len(mu), 1))), axis=1)
    return np.clip(np.diff(padded, axis=1), 0.0, 1.0)


def quote(p: float, spread: int) -> tuple[int, int]:
    """(bid, ask) in cents around fair value ``p``; 0 / 100 mark an empty side."""
    centre = p * 100.0
    bid = math.floor(centre - spread / 2.0)
    ask = bid + spread
    if bid < 1:
        bid, ask = NO_BID, max(ask, 1)
    if ask > 99:
        ask, bid = NO_ASK, min(bid, 99)
    return bid, ask
