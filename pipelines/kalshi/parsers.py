"""Normalise Kalshi API objects into raw-table rows (one code path for http, files and sample).

Prices and counts are parsed exactly with :mod:`domain.money` (never float) and stored as
normalised text (``"0.2700"`` dollars, ``"10.00"`` counts). Legacy integer-cent fields
(``yes_bid``, ``last_price``, ``volume``...) are accepted when the ``*_dollars`` / ``*_fp``
field is absent. Live candles (``yes_bid.open_dollars``) and historical candles
(``yes_bid.open``) land in the same columns. A row that cannot be parsed becomes a
:class:`~pipelines.rejects.Reject` with the reason; nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyarrow as pa

from domain.money import COUNT_QUANTUM, DOLLAR_QUANTUM, MoneyFormatError, parse_decimal
from pipelines.rejects import Reject

Row = dict[str, Any]
JsonObject = dict[str, Any]

MARKET_TIERS = ("live", "historical", "files")


class ParseError(ValueError):
    """A field that cannot be normalised; the message becomes the reject reason."""


# --------------------------------------------------------------------------------------------
# Table schemas: dlt column types; the primary keys follow docs/architecture.md.
# --------------------------------------------------------------------------------------------

_PROVENANCE = {"data_source": "text", "ingest_channel": "text", "source_location": "text"}


@dataclass(frozen=True)
class TableSpec:
    """One raw table: name, primary key and column types (dlt data types)."""

    name: str
    primary_key: tuple[str, ...]
    columns: dict[str, str]

    def dlt_columns(self) -> dict[str, dict[str, Any]]:
        """The ``columns=`` hint for a dlt resource."""
        return {
            name: {"data_type": kind, "nullable": name not in self.primary_key}
            for name, kind in self.columns.items()
        }


_MONEY_COLUMNS = (
    "yes_bid_dollars",
    "yes_ask_dollars",
    "no_bid_dollars",
    "no_ask_dollars",
    "last_price_dollars",
    "previous_price_dollars",
    "previous_yes_bid_dollars",
    "previous_yes_ask_dollars",
    "settlement_value_dollars",
    "liquidity_dollars",
    "notional_value_dollars",
)
_COUNT_COLUMNS = ("volume_fp", "volume_24h_fp", "open_interest_fp", "yes_bid_size_fp")
_MARKET_TIME_COLUMNS = (
    "open_time",
    "close_time",
    "created_time",
    "updated_time",
    "expected_expiration_time",
    "expiration_time",
    "latest_expiration_time",
    "settlement_ts",
)

SERIES = TableSpec(
    "series",
    ("data_source", "series_ticker"),
    {
        "data_source": "text",
        "series_ticker": "text",
        "title": "text",
        "category": "text",
        "frequency": "text",
        "tags": "text",
        "fee_type": "text",
        "fee_multiplier": "text",
        "settlement_sources": "text",
        "contract_terms_url": "text",
        "contract_url": "text",
        "content_hash": "text",
        "extra_json": "text",
        "fetched_at": "timestamp",
        "ingest_channel": "text",
        "source_location": "text",
    },
)

SERIES_SNAPSHOTS = TableSpec(
    "series_snapshots",
    ("data_source", "series_ticker", "content_hash"),
    {
        "data_source": "text",
        "series_ticker": "text",
        "content_hash": "text",
        "fee_type": "text",
        "fee_multiplier": "text",
        "settlement_sources": "text",
        "contract_terms_url": "text",
        "first_seen_at": "timestamp",
        "ingest_channel": "text",
        "source_location": "text",
    },
)

EVENTS = TableSpec(
    "events",
    ("data_source", "event_ticker"),
    {
        "data_source": "text",
        "event_ticker": "text",
        "series_ticker": "text",
        "title": "text",
        "sub_title": "text",
        "category": "text",
        "strike_date": "timestamp",
        "strike_period": "text",
        "mutually_exclusive": "bool",
        "extra_json": "text",
        **_PROVENANCE,
    },
)

MARKETS = TableSpec(
    "markets",
    ("data_source", "market_ticker"),
    {
        "data_source": "text",
        "market_ticker": "text",
        "event_ticker": "text",
        "series_ticker": "text",
        "market_tier": "text",
        "market_type": "text",
        "title": "text",
        "yes_sub_title": "text",
        "no_sub_title": "text",
        "status": "text",
        "result": "text",
        "strike_type": "text",
        "floor_strike": "text",
        "cap_strike": "text",
        "custom_strike": "text",
        **dict.fromkeys(_MARKET_TIME_COLUMNS, "timestamp"),
        "expiration_value": "text",
        **dict.fromkeys(_MONEY_COLUMNS, "text"),
        **dict.fromkeys(_COUNT_COLUMNS, "text"),
        "price_level_structure": "text",
        "rules_primary": "text",
        "rules_secondary": "text",
        "can_close_early": "bool",
        "extra_json": "text",
        **_PROVENANCE,
    },
)

_CANDLE_PRICE_COLUMNS = tuple(
    f"{side}_{point}_dollars"
    for side in ("yes_bid", "yes_ask")
    for point in ("open", "high", "low", "close")
) + tuple(
    f"price_{point}_dollars" for point in ("open", "high", "low", "close", "mean", "previous")
)

CANDLESTICKS = TableSpec(
    "candlesticks",
    ("data_source", "market_ticker", "period_minutes", "end_period_ts"),
    {
        "data_source": "text",
        "market_ticker": "text",
        "period_minutes": "bigint",
        "end_period_ts": "timestamp",
        "series_ticker": "text",
        "candle_tier": "text",
        **dict.fromkeys(_CANDLE_PRICE_COLUMNS, "text"),
        "volume_fp": "text",
        "open_interest_fp": "text",
        "trade_count": "bigint",
        **_PROVENANCE,
    },
)

TRADES = TableSpec(
    "trades",
    ("data_source", "trade_id"),
    {
        "data_source": "text",
        "trade_id": "text",
        "market_ticker": "text",
        "count_fp": "text",
        "yes_price_dollars": "text",
        "no_price_dollars": "text",
        "taker_side": "text",
        "created_time": "timestamp",
        **_PROVENANCE,
    },
)

ORDERBOOK_SNAPSHOTS = TableSpec(
    "orderbook_snapshots",
    ("data_source", "market_ticker", "snapshot_at", "book_side", "level"),
    {
        "data_source": "text",
        "market_ticker": "text",
        "snapshot_at": "timestamp",
        "book_side": "text",
        "level": "bigint",
        "price_dollars": "text",
        "size_fp": "text",
        **_PROVENANCE,
    },
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        SERIES,
        SERIES_SNAPSHOTS,
        EVENTS,
        MARKETS,
        CANDLESTICKS,
        TRADES,
        ORDERBOOK_SNAPSHOTS,
    )
}


_ARROW_TYPES = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
}


def arrow_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema of a raw table (batches are handed to dlt as Arrow tables: fast)."""
    return pa.schema(
        [
            pa.field(name, _ARROW_TYPES[kind], nullable=name not in spec.primary_key)
            for name, kind in spec.columns.items()
        ]
    )


def _to_arrow(batch: list[Row], schema: pa.Schema) -> pa.Table:
    """Rows -> Arrow table with the table's schema (missing keys become null)."""
    return pa.Table.from_pylist(batch, schema=schema)


def arrow_batches(
    rows: Iterable[Row],
    spec: TableSpec,
    batch_rows: int = 20_000,
    on_batch: Callable[[int], None] | None = None,
) -> Iterator[pa.Table]:
    """Stream rows into Arrow tables of at most ``batch_rows`` rows with the table's schema.

    Args:
        rows: parsed rows (missing columns become null).
        spec: the target table.
        batch_rows: rows per batch.
        on_batch: called with each batch's size (progress bars).

    Returns:
        An iterator of Arrow tables.
    """
    schema = arrow_schema(spec)
    batch: list[Row] = []
    yielded = False
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_rows:
            yielded = True
            yield _to_arrow(batch, schema)
            if on_batch:
                on_batch(len(batch))
            batch = []
    if batch or not yielded:
        # An empty table still creates the raw table (dbt sources need it to exist).
        yield _to_arrow(batch, schema)
        if on_batch:
            on_batch(len(batch))


# --------------------------------------------------------------------------------------------
# Field normalisers
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _norm_dollars(text: str, field_name: str) -> str:
    parsed = parse_decimal(text, field_name)
    assert parsed is not None
    if not Decimal(0) <= parsed <= Decimal(1):
        raise MoneyFormatError(f"{field_name}: price {parsed} outside [0, 1]")
    return format(parsed.quantize(DOLLAR_QUANTUM), "f")


@lru_cache(maxsize=65536)
def _norm_amount(text: str, field_name: str) -> str:
    parsed = parse_decimal(text, field_name)
    assert parsed is not None
    return format(parsed.quantize(DOLLAR_QUANTUM), "f")


@lru_cache(maxsize=65536)
def _norm_cents(text: str, field_name: str) -> str:
    parsed = parse_decimal(text, field_name)
    assert parsed is not None
    return _norm_dollars(format(parsed / 100, "f"), field_name)


@lru_cache(maxsize=65536)
def _norm_count(text: str, field_name: str) -> str:
    parsed = parse_decimal(text, field_name)
    assert parsed is not None
    return format(parsed.quantize(COUNT_QUANTUM), "f")


@lru_cache(maxsize=65536)
def _norm_number(text: str, field_name: str) -> str:
    parsed = parse_decimal(text, field_name)
    assert parsed is not None
    return (
        format(parsed.normalize(), "f") if parsed == parsed.to_integral() else format(parsed, "f")
    )


# Raw string -> normalised text for values already parsed successfully (field-independent:
# the result depends only on the text; failures are never cached). Bounded in size.
_FAST_CACHE_SIZE = 200_000
_DOLLARS_SEEN: dict[str, str] = {}
_COUNTS_SEEN: dict[str, str] = {}


def _absent(value: object) -> bool:
    return value is None or value == ""


def _text_key(value: object, field_name: str) -> str:
    # Integers (legacy cents, counts) are exact; floats are refused by domain.money.
    if isinstance(value, bool):
        raise ParseError(f"{field_name}: boolean {value!r} is not a number")
    if isinstance(value, float):
        raise ParseError(f"{field_name}: float {value!r} refused; Kalshi sends strings")
    return str(value).strip()


def dollars_text(value: object, field_name: str) -> str | None:
    """A ``*_dollars`` string normalised to 4 dp (``"0.27"`` -> ``"0.2700"``); None if absent.

    Args:
        value: the raw value.
        field_name: the field, for the error message.

    Returns:
        Normalised text, or None.
    """
    if value.__class__ is str:
        hit = _DOLLARS_SEEN.get(value)  # type: ignore[call-overload]
        if hit is not None:
            return hit
    if _absent(value):
        return None
    try:
        text = _norm_dollars(_text_key(value, field_name), field_name)
    except MoneyFormatError as exc:
        raise ParseError(str(exc)) from exc
    if value.__class__ is str and len(_DOLLARS_SEEN) < _FAST_CACHE_SIZE:
        _DOLLARS_SEEN[value] = text  # type: ignore[index]
    return text


def amount_text(value: object, field_name: str) -> str | None:
    """A dollar amount that is not a contract price (liquidity, notional) at 4 dp; None if absent."""
    if _absent(value):
        return None
    try:
        return _norm_amount(_text_key(value, field_name), field_name)
    except MoneyFormatError as exc:
        raise ParseError(str(exc)) from exc


def amount_cents_text(value: object, field_name: str) -> str | None:
    """A legacy integer-cent amount (``1271700``) as dollar text, unbounded."""
    if _absent(value):
        return None
    try:
        parsed = parse_decimal(_text_key(value, field_name), field_name)
    except MoneyFormatError as exc:
        raise ParseError(str(exc)) from exc
    assert parsed is not None
    return format((parsed / 100).quantize(DOLLAR_QUANTUM), "f")


def cents_text(value: object, field_name: str) -> str | None:
    """A legacy integer-cent price (``27``) as normalised dollar text (``"0.2700"``)."""
    if _absent(value):
        return None
    try:
        return _norm_cents(_text_key(value, field_name), field_name)
    except MoneyFormatError as exc:
        raise ParseError(str(exc)) from exc


def count_text(value: object, field_name: str) -> str | None:
    """A ``*_fp`` count (or legacy integer) normalised to 2 dp (``"10.00"``); None if absent."""
    if value.__class__ is str:
        hit = _COUNTS_SEEN.get(value)  # type: ignore[call-overload]
        if hit is not None:
            return hit
    if _absent(value):
        return None
    try:
        text = _norm_count(_text_key(value, field_name), field_name)
    except MoneyFormatError as exc:
        raise ParseError(str(exc)) from exc
    if value.__class__ is str and len(_COUNTS_SEEN) < _FAST_CACHE_SIZE:
        _COUNTS_SEEN[value] = text  # type: ignore[index]
    return text


def number_text(value: object, field_name: str) -> str | None:
    """A strike as exact text (``"72.0"`` stays ``"72.0"``-equivalent ``"72"``); None if absent."""
    if _absent(value):
        return None
    if isinstance(value, float):
        # Strikes arrive as JSON numbers; a float strike is exact enough through repr.
        value = repr(value)
    try:
        return _norm_number(_text_key(value, field_name), field_name)
    except MoneyFormatError as exc:
        raise ParseError(str(exc)) from exc


@lru_cache(maxsize=131072)
def _parse_instant(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def instant(value: object, field_name: str) -> datetime | None:
    """An ISO-8601 string or Unix seconds as an aware UTC datetime; None if absent.

    Args:
        value: the raw value.
        field_name: the field, for the error message.

    Returns:
        The instant, or None.
    """
    if _absent(value):
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        return _parse_instant(text)
    except ValueError as exc:
        raise ParseError(f"{field_name}: not an ISO-8601 instant: {value!r}") from exc


def price_field(obj: JsonObject, name: str, used: set[str], *, bounded: bool = True) -> str | None:
    """Price ``name`` from ``<name>_dollars``, else legacy integer cents ``<name>``.

    A legacy field that agrees with the ``_dollars`` field is marked used; one that disagrees is
    left unused so it is kept in ``extra_json``. ``bounded=False`` for dollar amounts that are
    not contract prices (liquidity, notional value).
    """
    new_key = f"{name}_dollars"
    parse_new = dollars_text if bounded else amount_text
    parse_old = cents_text if bounded else amount_cents_text
    new = parse_new(obj.get(new_key), new_key) if new_key in obj else None
    if new_key in obj:
        used.add(new_key)
    if name in obj:
        legacy = obj.get(name)
        if new is None:
            used.add(name)
            return parse_old(legacy, name)
        try:
            if _absent(legacy) or parse_old(legacy, name) == new:
                used.add(name)
        except ParseError:
            pass
    return new


def count_field(obj: JsonObject, name: str, used: set[str]) -> str | None:
    """Count ``name`` from ``<name>_fp``, else the legacy integer ``<name>``."""
    new_key = f"{name}_fp"
    new = count_text(obj.get(new_key), new_key) if new_key in obj else None
    if new_key in obj:
        used.add(new_key)
    if name in obj:
        legacy = obj.get(name)
        if new is None:
            used.add(name)
            return count_text(legacy, name)
        try:
            if _absent(legacy) or count_text(legacy, name) == new:
                used.add(name)
        except ParseError:
            pass
    return new


def canonical_json(value: object) -> str:
    """Stable JSON text (sorted keys, no spaces) for json-ish columns and hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _raw(obj: object) -> str:
    try:
        return canonical_json(obj)
    except (TypeError, ValueError):
        return repr(obj)


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


def guarded(
    source_name: str, parse: Callable[..., Row | None], ctx: ParseContext, obj: object, *args: Any
) -> Row | None:
    """Run one parser on one object; a parse failure becomes a reject instead of an exception."""
    try:
        return parse(obj, *args, ctx=ctx)
    except (ParseError, MoneyFormatError, KeyError, TypeError, AttributeError, ValueError) as exc:
        reason = str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}"
        ctx.reject(source_name, reason or type(exc).__name__, obj)
        return None


# --------------------------------------------------------------------------------------------
# Series
# --------------------------------------------------------------------------------------------

_SERIES_FIELDS = {
    "ticker",
    "title",
    "category",
    "frequency",
    "tags",
    "fee_type",
    "fee_multiplier",
    "settlement_sources",
    "contract_terms_url",
    "contract_url",
}


def series_content_hash(row: Row) -> str:
    """Hash of the settlement-relevant content of a series (fees, sources, terms)."""
    content = canonical_json(
        {
            k: row.get(k)
            for k in ("fee_type", "fee_multiplier", "settlement_sources", "contract_terms_url")
        }
    )
    return hashlib.sha256(content.encode()).hexdigest()[:32]


def parse_series(obj: JsonObject, fetched_at: datetime, *, ctx: ParseContext) -> Row:
    """A ``GET /series/{t}`` object as a ``series`` row.

    Args:
        obj: the series object.
        fetched_at: when it was fetched (UTC).
        ctx: provenance and reject sink.

    Returns:
        The row.
    """
    ticker = obj.get("ticker") or obj.get("series_ticker")
    if not ticker:
        raise ParseError("series without ticker")
    multiplier = obj.get("fee_multiplier")
    sources = obj.get("settlement_sources")
    tags = obj.get("tags")
    row: Row = {
        "series_ticker": str(ticker),
        "title": _text(obj.get("title")),
        "category": _text(obj.get("category")),
        "frequency": _text(obj.get("frequency")),
        "tags": canonical_json(tags) if tags is not None else None,
        "fee_type": _text(obj.get("fee_type")),
        "fee_multiplier": number_text(multiplier, "fee_multiplier"),
        "settlement_sources": canonical_json(sources) if sources is not None else None,
        "contract_terms_url": _text(obj.get("contract_terms_url")),
        "contract_url": _text(obj.get("contract_url")),
        "fetched_at": fetched_at,
        **ctx.provenance(),
    }
    row["content_hash"] = series_content_hash(row)
    extra = {k: v for k, v in obj.items() if k not in _SERIES_FIELDS and k != "series_ticker"}
    row["extra_json"] = canonical_json(extra) if extra else None
    return row


def series_snapshot(row: Row) -> Row:
    """The ``series_snapshots`` row (one per distinct content) of a ``series`` row."""
    return {
        "data_source": row["data_source"],
        "series_ticker": row["series_ticker"],
        "content_hash": row["content_hash"],
        "fee_type": row["fee_type"],
        "fee_multiplier": row["fee_multiplier"],
        "settlement_sources": row["settlement_sources"],
        "contract_terms_url": row["contract_terms_url"],
        "first_seen_at": row["fetched_at"],
        "ingest_channel": row["ingest_channel"],
        "source_location": row["source_location"],
    }


# --------------------------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------------------------

_EVENT_FIELDS = {
    "event_ticker",
    "ticker",
    "series_ticker",
    "title",
    "sub_title",
    "category",
    "strike_date",
    "strike_period",
    "mutually_exclusive",
    "markets",
}


def parse_event(obj: JsonObject, *, ctx: ParseContext) -> Row:
    """A ``GET /events`` object (nested markets ignored: load them from ``/markets``).

    Args:
        obj: the event object.
        ctx: provenance and reject sink.

    Returns:
        The row.
    """
    ticker = obj.get("event_ticker") or obj.get("ticker")
    if not ticker:
        raise ParseError("event without event_ticker")
    exclusive = obj.get("mutually_exclusive")
    if exclusive is not None and not isinstance(exclusive, bool):
        raise ParseError(f"mutually_exclusive not a boolean: {exclusive!r}")
    extra = {k: v for k, v in obj.items() if k not in _EVENT_FIELDS}
    return {
        "event_ticker": str(ticker),
        "series_ticker": _text(obj.get("series_ticker")),
        "title": _text(obj.get("title")),
        "sub_title": _text(obj.get("sub_title")),
        "category": _text(obj.get("category")),
        "strike_date": instant(obj.get("strike_date"), "strike_date"),
        "strike_period": _text(obj.get("strike_period")),
        "mutually_exclusive": exclusive,
        "extra_json": canonical_json(extra) if extra else None,
        **ctx.provenance(),
    }


# --------------------------------------------------------------------------------------------
# Markets
# --------------------------------------------------------------------------------------------

_MARKET_TEXT_FIELDS = (
    "event_ticker",
    "market_type",
    "title",
    "yes_sub_title",
    "no_sub_title",
    "status",
    "strike_type",
    "price_level_structure",
    "rules_primary",
    "rules_secondary",
)
_MARKET_PRICES = tuple(name.removesuffix("_dollars") for name in _MONEY_COLUMNS)
_MARKET_COUNTS = tuple(name.removesuffix("_fp") for name in _COUNT_COLUMNS)
MARKET_RESULTS = ("yes", "no", "scalar", "void")
_AMOUNTS = frozenset({"liquidity", "notional_value"})  # dollars, but not bounded prices


def parse_market(
    obj: JsonObject, series_ticker: str | None, tier: str, *, ctx: ParseContext
) -> Row:
    """A ``GET /markets`` object as a ``markets`` row; every field is a column or in extra_json.

    Args:
        obj: the market object.
        series_ticker: the series of the request (the market object has none).
        tier: ``live``, ``historical`` or ``files``.
        ctx: provenance and reject sink.

    Returns:
        The row.
    """
    if tier not in MARKET_TIERS:
        raise ParseError(f"unknown market tier {tier!r}")
    ticker = obj.get("ticker")
    if not ticker or not isinstance(ticker, str):
        raise ParseError("market without ticker")
    used: set[str] = {"ticker", "floor_strike", "cap_strike", "custom_strike", "result"}
    used.update(_MARKET_TEXT_FIELDS)
    used.update(_MARKET_TIME_COLUMNS)
    used.update(("expiration_value", "can_close_early"))
    result = obj.get("result")
    if _absent(result):
        result = None
    elif result not in MARKET_RESULTS:
        raise ParseError(f"unknown market result {result!r}")
    custom = obj.get("custom_strike")
    early = obj.get("can_close_early")
    row: Row = {
        "market_ticker": ticker,
        "series_ticker": series_ticker or obj.get("series_ticker"),
        "market_tier": tier,
        "result": result,
        "floor_strike": number_text(obj.get("floor_strike"), "floor_strike"),
        "cap_strike": number_text(obj.get("cap_strike"), "cap_strike"),
        "custom_strike": canonical_json(custom) if custom is not None else None,
        "expiration_value": _text(obj.get("expiration_value")) or None,
        "can_close_early": early if isinstance(early, bool) else None,
    }
    if "series_ticker" in obj:
        used.add("series_ticker")
    for name in _MARKET_TEXT_FIELDS:
        row[name] = _text(obj.get(name))
    for name in _MARKET_TIME_COLUMNS:
        row[name] = instant(obj.get(name), name)
    for name in _MARKET_PRICES:
        row[f"{name}_dollars"] = price_field(obj, name, used, bounded=name not in _AMOUNTS)
    for name in _MARKET_COUNTS:
        row[f"{name}_fp"] = count_field(obj, name, used)
    extra = {k: v for k, v in obj.items() if k not in used}
    row["extra_json"] = canonical_json(extra) if extra else None
    row.update(ctx.provenance())
    return row


# --------------------------------------------------------------------------------------------
# Candles
# --------------------------------------------------------------------------------------------


# (column, block, live key, historical key, label) for every OHLC field of a candle.
_CANDLE_FIELDS = tuple(
    (f"{side}_{point}_dollars", side, f"{point}_dollars", point, f"{side}.{point}")
    for side, points in (
        ("yes_bid", ("open", "high", "low", "close")),
        ("yes_ask", ("open", "high", "low", "close")),
        ("price", ("open", "high", "low", "close", "mean", "previous")),
    )
    for point in points
)


def _ohlc(block: object, live_key: str, hist_key: str, label: str) -> str | None:
    if block is None:
        return None
    if block.__class__ is not dict:
        raise ParseError(f"{label}: expected an object, got {block!r}")
    # Live keys carry _dollars; historical keys have no suffix; legacy live keys were cents.
    if live_key in block:  # type: ignore[operator]
        return dollars_text(block[live_key], label)  # type: ignore[index]
    value = block.get(hist_key)  # type: ignore[attr-defined]
    if _absent(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return cents_text(value, label)
    return dollars_text(value, label)


def parse_candle(
    candle: JsonObject,
    series_ticker: str,
    market_ticker: str,
    period_minutes: int,
    tier: str,
    *,
    ctx: ParseContext,
) -> Row:
    """One candlestick (live or historical key names) as a ``candlesticks`` row.

    Args:
        candle: the candle object.
        series_ticker: its series.
        market_ticker: its market.
        period_minutes: 1, 60 or 1440.
        tier: ``live`` or ``historical``.
        ctx: provenance and reject sink.

    Returns:
        The row; ``end_period_ts`` is the bar END.
    """
    end = instant(candle["end_period_ts"], "end_period_ts")
    row: Row = {
        "market_ticker": market_ticker,
        "period_minutes": int(period_minutes),
        "end_period_ts": end,
        "series_ticker": series_ticker,
        "candle_tier": tier,
        "trade_count": None,
    }
    blocks = {
        "yes_bid": candle.get("yes_bid"),
        "yes_ask": candle.get("yes_ask"),
        "price": candle.get("price"),
    }
    for column, side, live_key, hist_key, label in _CANDLE_FIELDS:
        row[column] = _ohlc(blocks[side], live_key, hist_key, label)
    if "volume_fp" in candle:
        row["volume_fp"] = count_text(candle["volume_fp"], "volume_fp")
    else:
        row["volume_fp"] = count_text(candle.get("volume"), "volume")
    if "open_interest_fp" in candle:
        row["open_interest_fp"] = count_text(candle["open_interest_fp"], "open_interest_fp")
    else:
        row["open_interest_fp"] = count_text(candle.get("open_interest"), "open_interest")
    row["data_source"] = ctx.data_source
    row["ingest_channel"] = ctx.ingest_channel
    row["source_location"] = ctx.location
    return row


# --------------------------------------------------------------------------------------------
# Trades and order books
# --------------------------------------------------------------------------------------------

TAKER_SIDES = ("yes", "no")


def parse_trade(obj: JsonObject, *, ctx: ParseContext) -> Row:
    """A ``GET /markets/trades`` object as a ``trades`` row.

    Args:
        obj: the trade object.
        ctx: provenance and reject sink.

    Returns:
        The row.
    """
    trade_id = obj.get("trade_id")
    if not trade_id:
        raise ParseError("trade without trade_id")
    side = obj.get("taker_side") or obj.get("taker_outcome_side")
    if side is not None and side not in TAKER_SIDES:
        raise ParseError(f"unknown taker_side {side!r}")
    used: set[str] = set()
    created = instant(obj.get("created_time"), "created_time")
    if created is None:
        raise ParseError("trade without created_time")
    return {
        "trade_id": str(trade_id),
        "market_ticker": obj.get("ticker") or obj.get("market_ticker"),
        "count_fp": count_field(obj, "count", used),
        "yes_price_dollars": price_field(obj, "yes_price", used),
        "no_price_dollars": price_field(obj, "no_price", used),
        "taker_side": side,
        "created_time": created,
        **ctx.provenance(),
    }


def parse_orderbook(
    market_ticker: str, snapshot_at: object, body: JsonObject, *, ctx: ParseContext
) -> list[Row]:
    """A ``GET /markets/{t}/orderbook`` body as ``orderbook_snapshots`` rows (bids only).

    Level 0 is the best (highest) bid of each side; best YES ask = 1 - best NO bid.

    Args:
        market_ticker: the market.
        snapshot_at: when the book was read (ISO text or datetime).
        body: the response body (``orderbook_fp`` or legacy ``orderbook`` in cents).
        ctx: provenance and reject sink.

    Returns:
        One row per price level.
    """
    at = instant(snapshot_at, "snapshot_at")
    if at is None:
        raise ParseError("order book without a snapshot time")
    rows: list[Row] = []
    book = body.get("orderbook_fp")
    legacy = book is None
    if legacy:
        book = body.get("orderbook") or {}
    if not isinstance(book, dict):
        raise ParseError("orderbook is not an object")
    for side in ("yes", "no"):
        levels = book.get(f"{side}_dollars") if not legacy else book.get(side)
        parsed: list[tuple[Decimal, str, str | None]] = []
        for level in levels or []:
            if not isinstance(level, list | tuple) or len(level) != 2:
                raise ParseError(f"{side} level not a [price, size] pair: {level!r}")
            price = (
                cents_text(level[0], f"{side}.price")
                if legacy
                else dollars_text(level[0], f"{side}.price")
            )
            size = count_text(level[1], f"{side}.size")
            assert price is not None
            parsed.append((Decimal(price), price, size))
        parsed.sort(key=lambda item: item[0], reverse=True)
        for index, (_, price, size) in enumerate(parsed):
            rows.append(
                {
                    "market_ticker": market_ticker,
                    "snapshot_at": at,
                    "book_side": side,
                    "level": index,
                    "price_dollars": price,
                    "size_fp": size,
                    **ctx.provenance(),
                }
            )
    return rows
