"""The default advisor: NWS forecast + IEM CLI climatology -> ``advisor_rules`` -> ``Advice``.

Inputs per station and day D:

- the NWS gridpoint forecast (api.weather.gov ``/points`` -> ``forecast``): D's daytime period
  gives the forecast high, its coldest night period the low (``Forecast.daily_extremes``);
- IEM ``json/cli.py``: the CLI of D-1 gives yesterday's observed high/low and the normals
  (``high_normal``/``low_normal``). D's own CLI is not out at 6 AM; normals move a fraction of
  a degree a day, so D-1's stand in for D's (said in the source notes).

No look-ahead: nothing published after the advice's ``created_at`` is used (a forecast updated
later, a CLI issued later), so advice computed "as of" a past instant is what it was then.
Yesterday's values count only from a final CLI, issued after that climate day ended (the rule
of ``trader.settlement``: an evening CLI prints the high so far). A forecast not updated for
``FORECAST_MAX_AGE`` is stale (the API serves stale grids now and then) and not used.

A source that fails leaves its inputs unknown (the rules then judge with what is left, or
return 1); the advisor never fails the whole day for one station.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from adapters.iem import settings as iem_settings
from adapters.iem.client import IemClient
from adapters.nws.client import Forecast
from adapters.retry import RequestError
from domain.climate_day import climate_day_window
from domain.stations import Station
from trader.advisor import Advice, StationAdvice
from trader.advisor_rules import ForecastContext, RuleConfig, assess
from trader.settlement import ClimateReport, whole_degrees

log = logging.getLogger(__name__)

ADVISOR_NAME = "rules-v1"
# NWS forecasts are updated several times a day; one older than this is a stale grid.
FORECAST_MAX_AGE = timedelta(hours=24)


class ForecastSource(Protocol):
    """A point's current forecast (``adapters.nws.client.NwsClient``)."""

    def forecast(self, latitude: Decimal, longitude: Decimal) -> Forecast: ...


@dataclass(frozen=True)
class CliContext:
    """What the CLI says before day D: yesterday's observed values and the normals."""

    previous_high_f: Decimal | None = None
    previous_low_f: Decimal | None = None
    normal_high_f: Decimal | None = None
    normal_low_f: Decimal | None = None
    note: str = ""


def _decimal(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def cli_context(text: str, station: Station, day: date, now: datetime) -> CliContext:
    """The CLI context of ``day`` from a ``json/cli.py`` body (the year of ``day - 1``).

    Args:
        text: the body.
        station: the station.
        day: the day advised on.
        now: the advice's instant: a CLI issued after it is not used (nor one undated).

    Returns:
        Yesterday's observed high/low (from its final CLI) and the normals of the latest CLI
        before ``day``; unknown values are None.
    """
    body = json.loads(text) if text.strip() else {}
    results = body.get("results") if isinstance(body, dict) else None
    rows = []
    for row in results if isinstance(results, list) else []:
        if not isinstance(row, dict):
            continue
        try:
            valid = date.fromisoformat(str(row.get("valid")))
        except ValueError:
            continue
        issued = ClimateReport("", valid, None, None, str(row.get("product") or "")).issued_at
        if valid < day and issued is not None and issued <= now:
            rows.append((valid, issued, row))
    if not rows:
        return CliContext(note=f"IEM CLI {station.cli_station_id}: no report before {day} by {now}")
    valid, issued, latest = max(rows, key=lambda item: (item[0], item[1]))
    final = issued >= climate_day_window(valid, station)[1]
    yesterday = valid == day - timedelta(days=1) and final
    return CliContext(
        previous_high_f=_decimal(whole_degrees(latest.get("high"))) if yesterday else None,
        previous_low_f=_decimal(whole_degrees(latest.get("low"))) if yesterday else None,
        normal_high_f=_decimal(whole_degrees(latest.get("high_normal"))),
        normal_low_f=_decimal(whole_degrees(latest.get("low_normal"))),
        note=(
            f"IEM CLI {station.cli_station_id} {valid} ({latest.get('product')}"
            f"{'' if final else ', preliminary'}): "
            f"{'observed yesterday and ' if yesterday else ''}normals of {valid} for {day}"
        ),
    )


class IemCli:
    """CLI context through the shared IEM client."""

    def __init__(self, client: IemClient) -> None:
        self.client = client

    def context(self, station: Station, day: date, now: datetime) -> CliContext:
        """The station's CLI context for ``day`` as of ``now`` (raises ``RequestError``)."""
        params = {"station": station.cli_station_id, "year": str((day - timedelta(days=1)).year)}
        text, _ = self.client.get_text(iem_settings.CLI_PATH, params)
        return cli_context(text, station, day, now)


class RulesAdvisor:
    """The deterministic advisor (``advisor_rules``) over NWS and IEM.

    Args:
        forecasts: the forecast source (``NwsClient``).
        cli: the CLI context source (``IemCli``).
        config: the rules' thresholds.
    """

    name = ADVISOR_NAME

    def __init__(
        self, forecasts: ForecastSource, cli: IemCli, config: RuleConfig | None = None
    ) -> None:
        self.forecasts = forecasts
        self.cli = cli
        self.config = config or RuleConfig()

    def _forecast(
        self, station: Station, day: date, now: datetime
    ) -> tuple[Decimal | None, Decimal | None, str]:
        point = Decimal(str(station.latitude)), Decimal(str(station.longitude))
        try:
            forecast = self.forecasts.forecast(*point)
        except RequestError as exc:
            log.warning("%s: NWS forecast unavailable: %s", station.icao, exc)
            return None, None, f"NWS forecast unavailable: {exc}"
        # ``updateTime`` is the issue time (``generatedAt`` is only when the API answered).
        issued = forecast.updated_at
        shown = f"NWS {forecast.url} updated {issued.isoformat() if issued else '?'}"
        if issued is not None and issued > now:
            return None, None, f"{shown}: after the advice's instant {now.isoformat()}, not used"
        if issued is not None and now - issued > FORECAST_MAX_AGE:
            log.warning("%s: NWS forecast stale (%s)", station.icao, shown)
            return None, None, f"{shown}: stale, not used"
        high, low = forecast.daily_extremes(day, station.zone)
        return high, low, shown

    def _cli(self, station: Station, day: date, now: datetime) -> CliContext:
        try:
            return self.cli.context(station, day, now)
        except (RequestError, ValueError) as exc:  # ValueError: a body that is not JSON
            log.warning("%s: IEM CLI unavailable: %s", station.icao, exc)
            return CliContext(note=f"IEM CLI unavailable: {exc}")

    def advise(self, day: date, stations: Sequence[Station], now: datetime) -> Advice:
        """The day's advice for ``stations``.

        Args:
            day: the date advised on.
            stations: the stations.
            now: the aware instant (the advice's ``created_at``; nothing published after it
                is used).

        Returns:
            The advice, one entry per station.
        """
        out: dict[str, StationAdvice] = {}
        sources: list[str] = []
        for station in stations:
            high, low, forecast_note = self._forecast(station, day, now)
            cli = self._cli(station, day, now)
            ctx = ForecastContext(
                station_icao=station.icao,
                day=day,
                forecast_high_f=high,
                forecast_low_f=low,
                normal_high_f=cli.normal_high_f,
                normal_low_f=cli.normal_low_f,
                previous_high_f=cli.previous_high_f,
                previous_low_f=cli.previous_low_f,
            )
            verdict = assess(ctx, self.config)
            inputs = {
                name: None if value is None else format(value, "f")
                for name, value in (
                    ("forecast_high_f", high),
                    ("forecast_low_f", low),
                    ("normal_high_f", cli.normal_high_f),
                    ("normal_low_f", cli.normal_low_f),
                    ("previous_high_f", cli.previous_high_f),
                    ("previous_low_f", cli.previous_low_f),
                )
            }
            out[station.icao] = StationAdvice(
                verdict.multiplier, verdict.reasons, verdict.flags, inputs
            )
            sources += [f"{station.icao}: {forecast_note}", f"{station.icao}: {cli.note}"]
        return Advice(day, now, self.name, out, tuple(sources))
