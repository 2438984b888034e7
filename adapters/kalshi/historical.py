"""The historical tier: ``GET /historical/cutoff`` and which tier holds data of a given age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


def _instant(value: object) -> datetime | None:
    """Unix seconds (number or digit string) or ISO-8601 text as an aware UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class HistoricalCutoff:
    """``GET /historical/cutoff``: data older than these instants lives in the historical tier.

    The cutoff moves: re-read it every run. A missing instant means "unknown": ask both tiers.
    """

    market_settled_at: datetime | None
    trades_created_at: datetime | None
    orders_updated_at: datetime | None

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> HistoricalCutoff:
        """Parse the response body (``market_settled_ts``... as Unix seconds or ISO text).

        Args:
            body: the decoded JSON.

        Returns:
            The cutoff.
        """
        return cls(
            market_settled_at=_instant(body.get("market_settled_ts")),
            trades_created_at=_instant(body.get("trades_created_ts")),
            orders_updated_at=_instant(body.get("orders_updated_ts")),
        )

    def markets_need_history(self, since: datetime) -> bool:
        """Might markets settled at or after ``since`` include pre-cutoff (historical) ones?"""
        return self.market_settled_at is None or since < self.market_settled_at

    def trades_need_history(self, since: datetime) -> bool:
        """Might trades created at or after ``since`` include pre-cutoff (historical) ones?"""
        return self.trades_created_at is None or since < self.trades_created_at
