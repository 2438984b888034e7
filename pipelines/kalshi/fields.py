"""Field readers and the parse context shared by the Kalshi parsers (API objects and CSV files).

Prices and counts are parsed exactly by :mod:`domain.money` (never float) and stored as its
canonical text (``"0.2700"`` dollars, ``"10.00"`` counts). Legacy integer-cent fields
(``yes_bid``, ``last_price``, ``volume``...) are accepted when the ``*_dollars`` / ``*_fp``
field is absent. Instants become aware UTC datetimes. :class:`ParseContext` stamps provenance
and collects rejects; :func:`guarded` turns one object's parse failure into a reject;
:func:`registered_series` refuses a series the station registry does not hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any, TypeVar

from domain.bounds import shown
from domain.money import (
    MoneyFormatError,
    amount_cents_text,
    amount_text,
    cents_text,
    count_text,
    dollars_text,
    is_absent,
)
from domain.stations import load_stations
from pipelines.kalshi.tables import Row
from pipelines.rejects import Reject

JsonObject = dict[str, Any]
_Parsed = TypeVar("_Parsed")


class ParseError(ValueError):
    """A field that cannot be normalised; the message becomes the reject reason."""


# --------------------------------------------------------------------------------------------
# Field readers (prices and counts: domain.money)
# --------------------------------------------------------------------------------------------


# ISO-8601 instants are at most ~35 characters; Unix seconds stay within datetime's years.
MAX_INSTANT_CHARS = 64
_MAX_EPOCH_DIGITS = 11


@lru_cache(maxsize=131072)
def _parse_instant(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _from_epoch(seconds: int, value: object, field_name: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ParseError(f"{field_name}: Unix time out of range: {shown(value)}") from exc


def instant(value: object, field_name: str) -> datetime | None:
    """An ISO-8601 string or Unix seconds as an aware UTC datetime; None if absent.

    Args:
        value: the raw value.
        field_name: the field, for the error message.

    Returns:
        The instant, or None.
    """
    if is_absent(value):
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        return _from_epoch(value, value, field_name)
    if not isinstance(value, str):
        raise ParseError(f"{field_name}: not an instant: {shown(value)}")
    text = value.strip()
    if len(text) > MAX_INSTANT_CHARS:
        raise ParseError(f"{field_name}: longer than {MAX_INSTANT_CHARS} characters")
    digits = text.removeprefix("-")
    if digits.isascii() and digits.isdigit():
        if len(digits) > _MAX_EPOCH_DIGITS:
            raise ParseError(f"{field_name}: Unix time out of range: {shown(value)}")
        return _from_epoch(int(text), value, field_name)
    try:
        return _parse_instant(text)
    except ValueError as exc:
        raise ParseError(f"{field_name}: not an ISO-8601 instant: {shown(value)}") from exc


Normaliser = Callable[[object, str], str | None]


def _new_or_legacy(
    obj: JsonObject, new_key: str, name: str, used: set[str], new: Normaliser, old: Normaliser
) -> str | None:
    """``new_key`` if present, else the legacy field ``name``; marks what the row accounts for.

    A legacy field that agrees with the new one is marked used; one that disagrees is left
    unused so it is kept in ``extra_json``.
    """
    value = new(obj.get(new_key), new_key) if new_key in obj else None
    if new_key in obj:
        used.add(new_key)
    if name in obj:
        legacy = obj.get(name)
        if value is None:
            used.add(name)
            return old(legacy, name)
        try:
            if is_absent(legacy) or old(legacy, name) == value:
                used.add(name)
        except MoneyFormatError:
            pass
    return value


def price_field(obj: JsonObject, name: str, used: set[str], *, bounded: bool = True) -> str | None:
    """Price ``name`` from ``<name>_dollars``, else legacy integer cents ``<name>``.

    ``bounded=False`` for dollar amounts that are not contract prices (liquidity, notional).
    """
    if bounded:
        return _new_or_legacy(obj, f"{name}_dollars", name, used, dollars_text, cents_text)
    return _new_or_legacy(obj, f"{name}_dollars", name, used, amount_text, amount_cents_text)


def count_field(obj: JsonObject, name: str, used: set[str]) -> str | None:
    """Count ``name`` from ``<name>_fp``, else the legacy integer ``<name>``."""
    return _new_or_legacy(obj, f"{name}_fp", name, used, count_text, count_text)


def ohlc_field(block: object, live_key: str, hist_key: str, label: str) -> str | None:
    """One OHLC point of a candle block (``yes_bid``...): live ``*_dollars`` keys, historical
    dollar keys, or legacy integer cents; None when the block or the point is absent."""
    if block is None:
        return None
    if not isinstance(block, dict):
        raise ParseError(f"{label}: expected an object, got {block!r}")
    # Live keys carry _dollars; historical keys have no suffix; legacy live keys were cents.
    if live_key in block:
        return dollars_text(block[live_key], label)
    value = block.get(hist_key)
    if is_absent(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return cents_text(value, label)
    return dollars_text(value, label)


def canonical_json(value: object) -> str:
    """Stable JSON text (sorted keys, no spaces) for json-ish columns and hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def text_or_none(value: object) -> str | None:
    """A text field as text (a non-string is stringified); None stays None."""
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def ticker_field(value: object, field_name: str) -> str | None:
    """A ticker field: text or absent; anything else would fail the Arrow conversion later."""
    if value is None or isinstance(value, str):
        return value
    raise ParseError(f"{field_name}: not a string: {shown(value)}")


@cache
def _registry_series() -> frozenset[str]:
    return frozenset(ticker for station in load_stations() for ticker in station.series_tickers)


def registered_series(series_ticker: str) -> str:
    """A series ticker of the station registry, as given.

    A market of any other series would load, stage, and then join no station: it would reach
    no mart. Refusing it here makes it a reject with this reason instead of a silent drop.

    Raises:
        ParseError: the series is not in ``domain/data/stations.csv``.
    """
    if series_ticker.upper() not in _registry_series():
        raise ParseError(
            f"series {shown(series_ticker)} is not in the station registry "
            "(domain/data/stations.csv): no mart would cover its markets"
        )
    return series_ticker


def _raw(obj: object) -> str:
    try:
        return canonical_json(obj)
    except (TypeError, ValueError, RecursionError):
        try:
            return repr(obj)
        except RecursionError:
            return f"<{type(obj).__name__} nested too deep to show>"


# --------------------------------------------------------------------------------------------
# Parse context and results
# --------------------------------------------------------------------------------------------


@dataclass
class ParseContext:
    """Provenance stamped on every row, and the sink for rejects."""

    data_source: str
    ingest_channel: str
    location: str
    rejects: list[Reject] = field(default_factory=list)

    def provenance(self, location: str | None = None) -> Row:
        """The provenance columns of a row."""
        return {
            "data_source": self.data_source,
            "ingest_channel": self.ingest_channel,
            "source_location": location or self.location,
        }

    def reject(
        self, source_name: str, reason: str, raw: object, location: str | None = None
    ) -> None:
        """Record a rejected input row.

        Args:
            source_name: the parser (``kalshi_markets``...).
            reason: why.
            raw: the input object or text.
            location: where it came from (default: the context's location).
        """
        self.rejects.append(
            Reject(
                source_name=source_name,
                reason=reason,
                raw_text=raw if isinstance(raw, str) else _raw(raw),
                location=location or self.location,
                data_source=self.data_source,
                ingest_channel=self.ingest_channel,
            )
        )


# What a malformed object may raise inside a parser (ParseError, MoneyFormatError, BoundsError
# and TickerError are ValueErrors; KeyError/TypeError/AttributeError come from wrong shapes;
# RecursionError from an object nested too deep to serialise into extra_json).
PARSE_ERRORS = (ValueError, ArithmeticError, KeyError, TypeError, AttributeError, RecursionError)


def guarded(
    source_name: str,
    parse: Callable[..., _Parsed],
    ctx: ParseContext,
    obj: object,
    *args: Any,
    location: str | None = None,
) -> _Parsed | None:
    """Run one parser on one object; a parse failure becomes a reject instead of an exception.

    Args:
        source_name: the reject's source name (``kalshi_markets``...).
        parse: the parser, called as ``parse(obj, *args, ctx=ctx)``.
        ctx: provenance and reject sink.
        obj: the object to parse.
        *args: the parser's further arguments.
        location: where the object came from (default: the context's location).

    Returns:
        What the parser returned, or None when it refused the object (then rejected).
    """
    try:
        return parse(obj, *args, ctx=ctx)
    except PARSE_ERRORS as exc:
        reason = str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}"
        ctx.reject(source_name, reason or type(exc).__name__, obj, location)
        return None
