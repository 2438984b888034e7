"""NWS climate days: midnight to midnight local standard time, all year."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from domain.stations import Station


def climate_date(at: datetime, station: Station) -> date:
    """The climate date an instant belongs to at a station.

    Args:
        at: an aware instant (any zone).
        station: the station whose standard offset defines the day.

    Returns:
        The local-standard-time date; during daylight time 00:00-01:00 civil falls on the previous date.
    """
    if at.tzinfo is None:
        raise ValueError("climate_date needs an aware datetime")
    return at.astimezone(station.standard_zone).date()


def climate_day_window(day: date, station: Station) -> tuple[datetime, datetime]:
    """The half-open UTC interval ``[start, end)`` of a climate date at a station."""
    start = datetime.combine(day, time(0), tzinfo=station.standard_zone).astimezone(UTC)
    return start, start + timedelta(days=1)


def fallback_close_at(day: date, station: Station) -> datetime:
    """23:59 local standard time of a climate date, in UTC: the close of a market whose source
    gives no close time (SQL twin: the ``fallback_close_at`` macro)."""
    _, end = climate_day_window(day, station)
    return end - timedelta(minutes=1)
