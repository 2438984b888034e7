"""The crontab line of a refresh cadence, for users who schedule with cron instead of the loop."""

from __future__ import annotations

# cron fires on calendar fields, not intervals: only cadences that divide the hour (minutes) or
# the day (hours) repeat evenly; anything else would drift or bunch up.
CRON_MINUTES = (5, 6, 10, 12, 15, 20, 30)
CRON_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)


class CronCadenceError(ValueError):
    """A cadence cron cannot express exactly."""


def cron_schedule(every_minutes: int) -> str:
    """The five cron time fields for a refresh every ``every_minutes``.

    Args:
        every_minutes: minutes between refreshes.

    Returns:
        e.g. ``*/15 * * * *``, ``7 */2 * * *`` (minute 7, away from the top of the hour), or
        ``7 0 * * *`` for once a day.

    Raises:
        CronCadenceError: the cadence does not divide an hour or a day evenly (45, 90, 1500 ...).
    """
    if every_minutes in CRON_MINUTES:
        return f"*/{every_minutes} * * * *"
    hours, rest = divmod(every_minutes, 60)
    if rest == 0 and hours in CRON_HOURS:
        return "7 0 * * *" if hours == 24 else f"7 */{hours} * * *"
    choices = ", ".join(str(m) for m in (*CRON_MINUTES, *(60 * h for h in CRON_HOURS)))
    raise CronCadenceError(
        f"cron cannot run every {every_minutes} minutes evenly (choose one of {choices}); "
        "use the `schedule` loop itself, or a systemd timer with OnUnitInactiveSec="
        f"{every_minutes}min (counted from the end of a cycle, like the loop)"
    )
