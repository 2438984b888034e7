"""The engine's clock: minutes after a climate day's local-standard-time midnight, cached.

``domain.decision.decide`` reads the minute of every input; a backtest asks for the same few
(climate date, station) days again and again, so each day's start (``climate_day_window`` of the
registry's station) is computed once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from domain.climate_day import climate_day_window
from domain.stations import station_by_icao

MINUTE = timedelta(minutes=1)
# Station x climate dates kept: a few years of every station, bounded.
_DAYS_CACHED = 65536


@lru_cache(maxsize=_DAYS_CACHED)
def day_start(climate_date: date, station_icao: str) -> datetime:
    """The UTC instant of LST midnight that starts ``climate_date`` at the station.

    Args:
        climate_date: the climate date.
        station_icao: the station (``KNYC``); unknown ones raise ``UnknownStationError``.

    Returns:
        The aware UTC start of the day.
    """
    start, _ = climate_day_window(climate_date, station_by_icao(station_icao))
    return start


def checkpoint_minute(now: datetime, climate_date: date, station_icao: str) -> int:
    """Whole minutes from the climate day's LST midnight to ``now`` (floor).

    Measured from the start of ``climate_date`` with the station's fixed standard offset, so
    1440 is the end of the day and values outside 0..1440 mean ``now`` is on another day.

    Args:
        now: an aware instant.
        climate_date: the climate date.
        station_icao: the station.

    Returns:
        The minute.
    """
    return (now - day_start(climate_date, station_icao)) // MINUTE
