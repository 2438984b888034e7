"""The one bracket function: inclusive whole-°F bounds, strict tails, negative strikes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.brackets import Bracket, BracketError, bracket_from_strikes, headroom, settles_yes


@pytest.mark.parametrize(
    ("strike_type", "floor", "cap", "expected"),
    [
        ("between", "30", "31", Bracket(30, 31)),  # B30.5 -> 30 or 31
        ("between", 72.0, 73.0, Bracket(72, 73)),
        ("between", "-1", "0", Bracket(-1, 0)),  # B-0.5
        ("greater", "93", None, Bracket(94, None)),  # strictly above 93
        ("less", None, "86", Bracket(None, 85)),  # strictly below 86
        ("less", None, "-5", Bracket(None, -6)),
        ("greater", "-10", None, Bracket(-9, None)),
        ("greater_or_equal", "50", None, Bracket(50, None)),
        ("less_or_equal", None, "50", Bracket(None, 50)),
        ("BETWEEN", Decimal("29.5"), Decimal("31.5"), Bracket(30, 31)),
    ],
)
def test_bracket_from_strikes(
    strike_type: str, floor: object, cap: object, expected: Bracket
) -> None:
    assert bracket_from_strikes(strike_type, floor, cap) == expected  # type: ignore[arg-type]


def test_edges_settle_as_kalshi_says() -> None:
    # between is inclusive at both ends; greater/less are strict
    assert settles_yes(30, "between", 30, 31) and settles_yes(31, "between", 30, 31)
    assert not settles_yes(32, "between", 30, 31) and not settles_yes(29, "between", 30, 31)
    assert not settles_yes(93, "greater", 93, None) and settles_yes(94, "greater", 93, None)
    assert not settles_yes(86, "less", None, 86) and settles_yes(85, "less", None, 86)


def test_headroom_is_measured_in_the_direction_of_travel() -> None:
    # a running high can only cross the upper edge, a running low only the lower one
    assert headroom(Bracket(30, 33), 31, "HIGH") == 2
    assert headroom(Bracket(30, 33), 31, "LOW") == 1
    assert headroom(Bracket(30, 31), 31, "HIGH") == 0
    assert headroom(Bracket(94, None), 97, "HIGH") is None  # crossed 'greater' tail: unbounded
    assert headroom(Bracket(None, 85), 80, "HIGH") == 5
    assert headroom(Bracket(None, 85), 80, "LOW") is None
    assert headroom(Bracket(30, 31), 35, "HIGH") is None  # outside the bracket
    with pytest.raises(BracketError):
        headroom(Bracket(30, 31), 30, "MID")


@pytest.mark.parametrize(
    ("strike_type", "floor", "cap", "message"),
    [
        ("custom", None, None, "unsupported strike_type 'custom'"),
        ("between", None, "31", "floor strike missing"),
        ("less", None, "", "cap strike missing"),
        ("between", "31", "30", "empty between bracket"),
        ("greater", "abc", None, "not a number"),
        ("greater", "nan", None, "not finite"),
    ],
)
def test_non_brackets_are_refused_with_a_reason(
    strike_type: str, floor: object, cap: object, message: str
) -> None:
    with pytest.raises(BracketError, match=message):
        bracket_from_strikes(strike_type, floor, cap)  # type: ignore[arg-type]
