"""Sunset from latitude and longitude (the NOAA general solar position formulas).

Accurate to a minute or two, which is plenty for a feature measured in hours.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

# the apparent sunset: refraction and the sun's radius put it at a zenith of 90.833°
_SUNSET_ZENITH_DEGREES = 90.833


def sunset_at(day: date, latitude: float, longitude: float) -> datetime:
    """The UTC instant of sunset on ``day`` at a place.

    Args:
        day: the calendar date (the station's local date).
        latitude: degrees north.
        longitude: degrees east (west is negative).

    Returns:
        Sunset (aware, UTC); at a place with midnight sun or polar night, the instant the
        sun is lowest or highest (the hour angle is clipped), never an error.
    """
    day_of_year = day.timetuple().tm_yday
    gamma = 2 * math.pi / 365 * (day_of_year - 1 + 0.5)
    equation_of_time = 229.18 * (
        0.000075
        + 0.001868 * math.cos(gamma)
        - 0.032077 * math.sin(gamma)
        - 0.014615 * math.cos(2 * gamma)
        - 0.040849 * math.sin(2 * gamma)
    )
    declination = (
        0.006918
        - 0.399912 * math.cos(gamma)
        + 0.070257 * math.sin(gamma)
        - 0.006758 * math.cos(2 * gamma)
        + 0.000907 * math.sin(2 * gamma)
        - 0.002697 * math.cos(3 * gamma)
        + 0.00148 * math.sin(3 * gamma)
    )
    lat = math.radians(latitude)
    cos_hour_angle = math.cos(math.radians(_SUNSET_ZENITH_DEGREES)) / (
        math.cos(lat) * math.cos(declination)
    ) - math.tan(lat) * math.tan(declination)
    hour_angle = math.degrees(math.acos(max(-1.0, min(1.0, cos_hour_angle))))
    minutes_utc = 720 - 4 * (longitude - hour_angle) - equation_of_time
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minutes_utc)
