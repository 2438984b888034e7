"""The read side of the fake exchange: portfolio listings (with read lag and cursors) and the
public market data. A mixin of :class:`tests.fakes.kalshi_exchange.FakeExchange`, called with its
lock held.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from tests.fakes.kalshi_book import Fill, Market, Order, position_json, stamp
from tests.fakes.kalshi_server import Response

MAX_LIMIT = 1000  # markets and every /portfolio listing (kalshi.md, "Pagination")


class ReadRoutes:
    """GET routes over the exchange's state (attributes owned by the exchange)."""

    clock: Callable[[], datetime]
    balance_cents: int
    page_size: int | None
    fill_client_ids: bool
    _markets: dict[str, Market]
    _series: dict[str, tuple[str, Decimal]]
    _orders: list[Order]
    _fills: list[Fill]
    _settlements: list[dict[str, Any]]
    _reads: int
    _lag_reads: int
    _lag_s: float

    def _visible(self, item: Order | Fill) -> bool:
        fresh = self._reads - item.seq <= self._lag_reads
        young = time.monotonic() - item.created_mono < self._lag_s
        return not (fresh or young)

    def _page(self, key: str, items: list[dict[str, Any]], query: dict[str, str]) -> Response:
        asked = query.get("limit") or "100"
        # Strict like the venue: a limit out of range is a 400, not silently clamped.
        if not asked.isdigit() or not 1 <= int(asked) <= MAX_LIMIT:
            return 400, {"code": "invalid_parameters", "message": f"limit must be 1..{MAX_LIMIT}"}
        limit = min(int(asked), self.page_size or MAX_LIMIT)
        start = int(query.get("cursor") or 0)
        end = start + limit
        return 200, {key: items[start:end], "cursor": str(end) if end < len(items) else ""}

    def _portfolio(self, path: str, query: dict[str, str]) -> Response | None:
        min_ts = int(query.get("min_ts") or 0)
        if path == "/portfolio/orders":
            orders = [o for o in reversed(self._orders) if self._visible(o)]
            orders = [
                o for o in orders
                if query.get("ticker") in (None, o.ticker)
                and query.get("status") in (None, o.status)
                and o.created_time.timestamp() >= min_ts
            ]  # fmt: skip
            return self._page("orders", [o.to_json() for o in orders], query)
        if path.startswith("/portfolio/orders/"):
            order_id = path.rsplit("/", 1)[1]
            found = [o for o in self._orders if o.order_id == order_id and self._visible(o)]
            return (200, {"order": found[0].to_json()}) if found else None
        if path == "/portfolio/fills":
            fills = [
                f for f in reversed(self._fills)
                if self._visible(f)
                and query.get("ticker") in (None, f.ticker)
                and query.get("order_id") in (None, f.order_id)
                and f.created_time.timestamp() >= min_ts
            ]  # fmt: skip
            shown = [f.to_json(with_client_id=self.fill_client_ids) for f in fills]
            return self._page("fills", shown, query)
        if path == "/portfolio/positions":
            seen = [f for f in self._fills if self._visible(f)]
            tickers = sorted({f.ticker for f in seen})
            positions = [
                position_json(
                    t, [f for f in seen if f.ticker == t], self._markets[t].status == "finalized"
                )
                for t in tickers
            ]
            return self._page("market_positions", positions, query)
        if path == "/portfolio/settlements":
            settled = [
                s for s in reversed(self._settlements)
                if datetime.fromisoformat(s["settled_time"]).timestamp() >= min_ts
            ]  # fmt: skip
            return self._page("settlements", settled, query)
        if path == "/portfolio/balance":
            return 200, {
                "balance": self.balance_cents,
                "balance_dollars": f"{Decimal(self.balance_cents) / 100:.2f}",
                "portfolio_value": self.balance_cents,
                "updated_ts": int(self.clock().timestamp()),
            }
        return None

    def _public(self, path: str, query: dict[str, str]) -> Response | None:
        parts = path.strip("/").split("/")
        if path == "/exchange/user_data_timestamp":
            return 200, {"as_of_time": stamp(self.clock())}
        if parts[0] == "markets" and len(parts) == 3 and parts[2] == "orderbook":
            market = self._markets.get(parts[1])
            return (200, market.book_json()) if market else None
        if parts[0] == "markets" and len(parts) == 2:
            market = self._markets.get(parts[1])
            return (200, {"market": market.to_json()}) if market else None
        if path == "/markets":
            wanted = set(filter(None, (query.get("tickers") or "").split(",")))
            listed = [
                m.to_json() for m in self._markets.values()
                if query.get("event_ticker") in (None, m.event_ticker)
                and query.get("series_ticker") in (None, m.series_ticker)
                and (not wanted or m.ticker in wanted)
            ]  # fmt: skip
            return self._page("markets", listed, query)
        if parts[0] == "events" and len(parts) == 2:
            markets = [m for m in self._markets.values() if m.event_ticker == parts[1]]
            if not markets:
                return None
            nested = [m.to_json() for m in markets]
            event = {
                "event_ticker": parts[1],
                "series_ticker": markets[0].series_ticker,
                "mutually_exclusive": True,
            }
            if query.get("with_nested_markets") == "true":
                return 200, {"event": {**event, "markets": nested}}
            return 200, {"event": event, "markets": nested}
        if parts[0] == "series" and len(parts) == 2 and parts[1] in self._series:
            fee_type, multiplier = self._series[parts[1]]
            return 200, {
                "series": {
                    "ticker": parts[1],
                    "fee_type": fee_type,
                    "fee_multiplier": str(multiplier),
                }
            }
        return None
