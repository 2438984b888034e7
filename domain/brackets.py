"""Kalshi temperature brackets: the one bracket function (SQL twin: the ``bracket_*`` dbt macros).

A bracket is a closed interval of whole °F, open on one side for the tails:
``between`` is inclusive on both integer strikes, ``greater`` and ``less`` are strict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

SUPPORTED_STRIKE_TYPES = ("between", "greater", "less", "greater_or_equal", "less_or_equal")


class BracketError(ValueError):
    """Strikes that do not describe a temperature bracket."""


@dataclass(frozen=True)
class Bracket:
    """Inclusive whole-°F bounds; ``None`` is an open end."""

    lower: int | None
    upper: int | None

    def contains(self, value: int) -> bool:
        """Does a whole-°F value settle this bracket YES?"""
        return (self.lower is None or value >= self.lower) and (
            self.upper is None or value <= self.upper
        )


def headroom(bracket: Bracket, value: int, contract_type: str) -> int | None:
    """Degrees the running extreme can still move before it leaves the bracket.

    A running high only rises, so only the upper edge can be crossed; a running low only falls,
    so only the lower edge. None means unbounded (an open tail in the direction of travel).
    SQL twin: the ``bracket_headroom`` macro.
    """
    if not bracket.contains(value):
        return None
    if contract_type == "HIGH":
        return None if bracket.upper is None else bracket.upper - value
    if contract_type == "LOW":
        return None if bracket.lower is None else value - bracket.lower
    raise BracketError(f"contract_type must be HIGH or LOW, got {contract_type!r}")


def is_dead(bracket: Bracket, value: int, contract_type: str) -> bool:
    """Can the final value no longer land in this bracket, given the running extreme ``value``?

    The running max only rises, so a HIGH bracket entirely below it is dead; the running min only
    falls, so a LOW bracket entirely above it is dead (SQL: ``is_dead_bracket`` of the engine inputs).
    """
    if contract_type == "HIGH":
        return bracket.upper is not None and bracket.upper < value
    return bracket.lower is not None and bracket.lower > value


def is_decided(bracket: Bracket, value: int, contract_type: str) -> bool:
    """Is this a tail the running extreme has already crossed (YES unless the CLI disagrees)?"""
    if not bracket.contains(value):
        return False
    return bracket.upper is None if contract_type == "HIGH" else bracket.lower is None


def _number(value: Decimal | float | int | str | None, name: str) -> Decimal:
    if value is None or value == "":
        raise BracketError(f"{name} strike missing")
    try:
        number = Decimal(str(value))
    except ArithmeticError as exc:
        raise BracketError(f"{name} strike not a number: {value!r}") from exc
    if not number.is_finite():
        raise BracketError(f"{name} strike not finite: {value!r}")
    return number


def bracket_from_strikes(
    strike_type: str,
    floor_strike: Decimal | float | int | str | None,
    cap_strike: Decimal | float | int | str | None,
) -> Bracket:
    """Build the bracket of a market from its strike fields.

    Args:
        strike_type: Kalshi's ``strike_type``.
        floor_strike: the floor strike (between, greater).
        cap_strike: the cap strike (between, less).

    Returns:
        The inclusive whole-°F bracket.
    """
    kind = (strike_type or "").strip().lower()
    if kind == "between":
        lower = math.ceil(_number(floor_strike, "floor"))
        upper = math.floor(_number(cap_strike, "cap"))
        if lower > upper:
            raise BracketError(f"empty between bracket {floor_strike}..{cap_strike}")
        return Bracket(lower, upper)
    if kind == "greater":
        return Bracket(math.floor(_number(floor_strike, "floor")) + 1, None)
    if kind == "greater_or_equal":
        return Bracket(math.ceil(_number(floor_strike, "floor")), None)
    if kind == "less":
        return Bracket(None, math.ceil(_number(cap_strike, "cap")) - 1)
    if kind == "less_or_equal":
        return Bracket(None, math.floor(_number(cap_strike, "cap")))
    raise BracketError(f"unsupported strike_type {strike_type!r}")


def settles_yes(
    value: int,
    strike_type: str,
    floor_strike: Decimal | float | int | str | None,
    cap_strike: Decimal | float | int | str | None,
) -> bool:
    """Does the whole-°F settlement value make this market resolve YES?"""
    return bracket_from_strikes(strike_type, floor_strike, cap_strike).contains(value)
