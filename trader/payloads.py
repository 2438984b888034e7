"""Venue bodies that are not the documented shape: a venue fault, never a crash.

A 2xx answer whose body is not JSON, or holds a list where an object belongs, makes the
adapters' parsers raise ``ValueError``/``AttributeError``/``TypeError``. At the trader's edge
those become one ``PayloadError``, which the loop treats like a 5xx: back off, trade nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from adapters.kalshi.orderbook import OrderBookFormatError
from domain.money import MoneyFormatError

T = TypeVar("T")


class PayloadError(ValueError):
    """A venue answered with a body the trader cannot read."""


def shaped(what: str, read: Callable[[], T]) -> T:
    """``read()``, with a malformed body reported as a ``PayloadError``.

    Args:
        what: the request, for the message (``GET /events/KXHIGHNY-26AUG21``).
        read: sends the request and parses its body.

    Returns:
        What ``read`` returned.

    Raises:
        PayloadError: the body was not JSON or not the expected shape.
    """
    try:
        return read()
    except (OrderBookFormatError, MoneyFormatError):
        raise  # already a precise payload error the loop backs off on
    except (ValueError, AttributeError, TypeError) as exc:
        raise PayloadError(f"{what}: unreadable body ({type(exc).__name__}: {exc})") from exc
