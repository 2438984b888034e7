"""The alerts' content: Discord message bodies (one embed each) built from journal rows. Pure.

Embeds follow Discord's limits (title 256, description 4096, 25 fields, field name 256 and
value 1024, footer 2048, all of them together 6000), counted in UTF-16 units as Discord's
JavaScript does, so a message is never refused for its size; the colour says the outcome at a
glance. ``allowed_mentions`` is empty so no journal text can ping anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from adapters.discord import settings as discord_settings
from domain.brackets import Bracket
from domain.orders import Fill, OrderStatus
from trader.alerts import Alert, Priority
from trader.breakers import BreakerEvent
from trader.journal import OrderRecord
from trader.journal_events import EventKind, ReconciliationEvent
from trader.journal_state import SettlementRecord

GREEN, YELLOW, GREY, ORANGE, RED, BLUE = (
    0x2ECC71,
    0xF1C40F,
    0x95A5A6,
    0xE67E22,
    0xE74C3C,
    0x3498DB,
)
ORDER_COLOURS = {
    OrderStatus.FILLED: GREEN,
    OrderStatus.PARTIAL: YELLOW,
    OrderStatus.REJECTED: GREY,
    OrderStatus.UNKNOWN: ORANGE,
    OrderStatus.SENT: BLUE,
    OrderStatus.INTENT: BLUE,
}
# Differences that may mean money at risk; the others are resolutions worth knowing.
SERIOUS = frozenset(
    {EventKind.MISSING, EventKind.LATE, EventKind.EXPOSURE_MISMATCH, EventKind.SETTLEMENT_MISMATCH}
)
TITLE_MAX, VALUE_MAX, DESCRIPTION_MAX, FOOTER_MAX, FIELDS_MAX = 256, 1024, 4096, 2048, 25
EMBED_TOTAL_MAX = 6000
INLINE_MAX = 40
BLANK = "—"


@dataclass(frozen=True)
class DecisionView:
    """What the decision behind an order said (a ``decisions`` row)."""

    fee: Decimal
    expected_value_per_contract: Decimal | None
    probability: Decimal | None
    reason: str


def _units(text: str) -> int:
    """Discord's length of a text: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` UTF-16 units, an ellipsis marking a cut."""
    if _units(text) <= limit:
        return text
    out, used = [], 1  # room for the ellipsis
    for char in text:
        used += _units(char)
        if used > limit:
            break
        out.append(char)
    return "".join(out) + "…"


def _field(name: str, value: object) -> dict[str, Any]:
    shown = str(value) if value is not None else ""
    shown = shown if shown.strip() else BLANK  # Discord refuses an empty or blank value
    # Short values side by side; lists and long text get their own row.
    inline = "\n" not in shown and len(shown) <= INLINE_MAX
    return {"name": _cut(name, TITLE_MAX), "value": _cut(shown, VALUE_MAX), "inline": inline}


def _fit(embed: dict[str, Any]) -> None:
    """Shorten the longest texts of an embed until all of them fit ``EMBED_TOTAL_MAX``."""
    fields = embed.get("fields", [])
    texts: list[tuple[dict[str, Any], str]] = [(embed, "title"), (embed, "description")]
    texts += [(f, key) for f in fields for key in ("name", "value")]
    if "footer" in embed:
        texts.append((embed["footer"], "text"))
    texts = [(owner, key) for owner, key in texts if key in owner]
    excess = sum(_units(owner[key]) for owner, key in texts) - EMBED_TOTAL_MAX
    while excess > 0:
        owner, key = max(texts, key=lambda item: _units(item[0][item[1]]))
        before = _units(owner[key])
        owner[key] = _cut(owner[key], max(1, before - excess))
        excess -= before - _units(owner[key])


def message(
    title: str,
    colour: int,
    fields: Sequence[tuple[str, object]] = (),
    description: str = "",
    at: datetime | None = None,
    footer: str = "",
) -> dict[str, Any]:
    """A webhook body with one embed.

    Args:
        title: embed title.
        colour: embed colour (RGB int).
        fields: (name, value) pairs (short ones inline).
        description: text under the title.
        at: the embed timestamp (aware).
        footer: small text at the bottom (the broker of a trade).

    Returns:
        The JSON-ready body, within Discord's limits (long texts cut with an ellipsis).
    """
    embed: dict[str, Any] = {"title": _cut(title or BLANK, TITLE_MAX), "color": colour}
    if description:
        embed["description"] = _cut(description, DESCRIPTION_MAX)
    if fields:
        embed["fields"] = [_field(name, value) for name, value in fields[:FIELDS_MAX]]
    if at is not None:
        embed["timestamp"] = at.isoformat()
    if footer:
        embed["footer"] = {"text": _cut(footer, FOOTER_MAX)}
    _fit(embed)
    return {
        "username": discord_settings.USERNAME,
        "allowed_mentions": {"parse": []},
        "embeds": [embed],
    }


def bracket_label(bracket: Bracket) -> str:
    """``70-71°F``, ``≥72°F`` or ``≤65°F``."""
    if bracket.lower is None:
        return f"≤{bracket.upper}°F"
    if bracket.upper is None:
        return f"≥{bracket.lower}°F"
    return f"{bracket.lower}-{bracket.upper}°F"


def trade_alert(order: OrderRecord, fills: Sequence[Fill], decision: DecisionView | None) -> Alert:
    """A trade's outcome: filled (green), partial (yellow), rejected (grey), unknown (orange)."""
    filled = sum((f.count for f in fills), Decimal(0))
    cost = sum((f.count * f.price for f in fills), Decimal(0))
    fees = sum((f.fee for f in fills), Decimal(0))
    price = (cost / filled).quantize(Decimal("0.0001")) if filled else order.limit_price
    ev = None if decision is None else decision.expected_value_per_contract
    title = f"{order.status.value.upper()} {order.station_icao} {order.contract_type} " + (
        f"{bracket_label(order.bracket)} {filled}/{order.count} @ ${price}"
    )
    fields = [
        ("Station", f"{order.station_icao} {order.contract_type} {order.climate_date}"),
        ("Bracket", bracket_label(order.bracket)),
        ("Market", order.market_ticker),
        ("Price", f"${price} (limit ${order.limit_price})"),
        ("Count", f"{filled} of {order.count}"),
        ("Fee", f"${fees}" if fills else f"${decision.fee if decision else 0} (expected)"),
        ("EV / contract", None if ev is None else f"${ev}"),
        ("Probability", None if decision is None else decision.probability),
        ("Order", order.client_order_id),
    ]
    reason = order.status_reason or ""
    if decision is not None:
        reason = f"{decision.reason}\n{reason}".strip()
    urgent = order.status is OrderStatus.UNKNOWN
    return Alert(
        "trade",
        title,
        message(title, ORDER_COLOURS[order.status], fields, reason, order.updated_at, order.broker),
        Priority.HIGH if urgent or fills else Priority.LOW,
    )


def breaker_alert(event: BreakerEvent) -> Alert:
    """A breaker transition: red when it trips, green when it clears."""
    cleared = event.state_to == "ok"
    title = f"Breaker {event.breaker} {event.scope}: {event.state_from} -> {event.state_to}"
    fields: list[tuple[str, object]] = [("Breaker", event.breaker), ("Scope", event.scope)]
    if event.until_at is not None:
        fields.append(("Until", event.until_at.isoformat(timespec="minutes")))
    return Alert(
        "breaker",
        f"{title} ({event.reason})",
        message(title, GREEN if cleared else RED, fields, event.reason, event.at),
        Priority.LOW if cleared else Priority.HIGH,
    )


def reconciliation_alert(event: ReconciliationEvent) -> Alert:
    """A difference between the journal and the exchange: red when money may be at risk."""
    title = f"Reconciliation: {event.kind.value}"
    fields = [("Order", event.client_order_id), ("Market", event.market_ticker)]
    return Alert(
        "reconciliation",
        f"{title} {event.client_order_id or ''} {event.detail}".strip(),
        message(title, RED if event.kind in SERIOUS else ORANGE, fields, event.detail, event.at),
    )


def settlement_alert(record: SettlementRecord) -> Alert:
    """A settled order: P&L, and the CLI value against the running extreme the trade saw."""
    won = record.market_result == "yes"
    title = f"Settled {record.market_ticker}: {record.market_result.upper()} ${record.pnl}"
    fields = [
        ("P&L", f"${record.pnl}"),
        ("CLI value", None if record.settled_value_f is None else f"{record.settled_value_f}°F"),
        (
            "Running extreme",
            None if record.running_extreme_f is None else f"{record.running_extreme_f}°F",
        ),
        ("Order", record.client_order_id),
    ]
    note = (
        "CLI disagrees with the running extreme the trade saw" if record.extreme_disagrees else ""
    )
    return Alert(
        "settlement",
        title + (f" ({note})" if note else ""),
        message(
            title, ORANGE if note else (GREEN if won else GREY), fields, note, record.settled_at
        ),
        Priority.HIGH if note else Priority.LOW,
    )


def error_alert(title: str, detail: str, at: datetime) -> Alert:
    """An error the operator must see (trading stopped, alerting trouble...)."""
    return Alert("error", f"{title}: {detail}", message(title, RED, (), detail, at))


def start_alert(at: datetime, detail: str) -> Alert:
    """The trader (re)started (the journal's ``start`` heartbeat)."""
    title = "Trader started"
    return Alert("start", f"{title}: {detail}", message(title, BLUE, (), detail, at))


def heartbeat_alert(day: date, status: Mapping[str, Any], at: datetime) -> Alert:
    """The morning heartbeat: the ``trader.status.status_report`` in a few fields."""
    breakers = status.get("breakers", {})
    last = status.get("last_tick") or {}
    state = "HALTED: " + str(breakers.get("halt_reason")) if breakers.get("halted") else "ok"
    fields = [
        ("Breakers", state),
        ("Losing streak", breakers.get("consecutive_losses")),
        ("Orders (2 days)", len(status.get("orders", []))),
        ("Open positions", len(status.get("open_positions", []))),
        ("Last tick", last.get("at")),
        ("Daily P&L", _pnl_lines(breakers.get("daily_pnl_dollars", {}))),
    ]
    title = f"Heartbeat {day}: trader alive"
    colour = RED if breakers.get("halted") else BLUE
    return Alert(
        "heartbeat", f"{title} ({state})", message(title, colour, fields, "", at), Priority.LOW
    )


def _pnl_lines(daily: Mapping[str, str]) -> str:
    return "\n".join(f"{day}: ${pnl}" for day, pnl in sorted(daily.items())) or "none"
