"""Timeline JSON -> observation and forecast rows; what cannot be read becomes a reject.

A forecast document whose rows say ``source=obs`` is refused row by row: that is the answer a
``stn:`` query gives to a basis-date request, observations posing as a forecast (look-ahead).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from adapters.visual_crossing.client import QueryKind, TimelineQuery
from domain.bounds import BoundsError, check_temperature_f
from pipelines.documents import DocumentError, RawDocument, load_json
from pipelines.rejects import Reject

Row = dict[str, Any]
SOURCE_NAME = "visual_crossing_timeline"


@dataclass
class ParsedTimeline:
    """Rows and rejects of one document, and the records it cost."""

    observations: list[Row] = field(default_factory=list)
    forecasts: list[Row] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    query_cost: int = 0


class _RowError(ValueError):
    """One day or hour cannot be loaded; the message is the reject's reason."""


def _temperature(item: dict[str, Any], name: str) -> float | None:
    value = item.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _RowError(f"{name} is not a number: {str(value)[:40]!r}")
    if -100.0 <= value <= 140.0:  # fast path inside domain.bounds' range; the check words it
        return float(value)
    try:
        check_temperature_f(value, name)
    except BoundsError as exc:
        raise _RowError(str(exc)) from exc
    return float(value)


def _epoch(item: dict[str, Any]) -> int:
    value = item.get("datetimeEpoch")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _RowError(f"datetimeEpoch missing or not a number: {str(value)[:40]!r}")
    return int(value)


def _day_date(day: dict[str, Any]) -> date:
    try:
        return date.fromisoformat(str(day.get("datetime")))
    except ValueError as exc:
        raise _RowError(
            f"day datetime is not YYYY-MM-DD: {str(day.get('datetime'))[:40]!r}"
        ) from exc


def _stations(item: dict[str, Any]) -> str | None:
    value = item.get("stations")
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return None if value is None else str(value)


def _hours(day: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The day's hours, and any sub-hourly ``minutes`` nested in them."""
    for hour in day.get("hours") or []:
        if isinstance(hour, dict):
            yield hour
            yield from (m for m in hour.get("minutes") or [] if isinstance(m, dict))


def basis(query: TimelineQuery, fetched_at: datetime) -> tuple[str, date, datetime]:
    """(basis key, basis local date, published_at) of a forecast response.

    A forecast as issued on a basis date counts as published at the start of that date in the
    station's civil zone (for US stations later than 00 UTC of the date): never before it could
    have been issued. The current forecast is published when it was fetched.
    """
    if query.kind is QueryKind.historical_forecast:
        assert query.basis_date is not None
        start = datetime.combine(query.basis_date, time(0), tzinfo=query.station.zone)
        return query.basis_date.isoformat(), query.basis_date, start.astimezone(UTC)
    fetched = fetched_at.astimezone(UTC).replace(microsecond=0)
    return fetched.isoformat(), fetched.astimezone(query.station.zone).date(), fetched


def parse_timeline(doc: RawDocument, query: TimelineQuery, fetched_at: datetime) -> ParsedTimeline:
    """Parse one Timeline response.

    Args:
        doc: the response body and its (key-redacted) location.
        query: the request that produced it (station, kind, basis date).
        fetched_at: when it was received (aware).

    Returns:
        Observation rows (observations queries) or forecast rows (day and hour granularity),
        and the rejects.
    """
    parsed = ParsedTimeline()

    def reject(reason: str, raw: object) -> None:
        parsed.rejects.append(
            Reject(SOURCE_NAME, reason, str(raw), doc.location, doc.data_source, doc.ingest_channel)
        )

    try:
        body = load_json(doc.text)
        if not isinstance(body, dict) or not isinstance(body.get("days"), list):
            raise DocumentError("not a Timeline response: no days list")
    except DocumentError as exc:
        reject(str(exc), doc.text)
        return parsed
    cost = body.get("queryCost")
    parsed.query_cost = int(cost) if isinstance(cost, int | float) else 0
    lineage = {
        "source_location": doc.location,
        "data_source": doc.data_source,
        "ingest_channel": doc.ingest_channel,
        "fetched_at": fetched_at.astimezone(UTC),
    }
    station = query.station.icao
    forecast = query.kind is not QueryKind.observations
    key, basis_date, published_at = basis(query, fetched_at)
    for day in body["days"]:
        if not isinstance(day, dict):
            reject("day is not an object", day)
            continue
        try:
            local_date = _day_date(day)
            items = [("day", day), *(("hour", hour) for hour in _hours(day))]
        except _RowError as exc:
            reject(str(exc), day)
            continue
        for granularity, item in items:
            if granularity == "day" and not forecast:
                continue  # observations are kept hour by hour; the day is their summary
            try:
                epoch = _epoch(item)
                temp = _temperature(item, "temp")
                vc_source = item.get("source")
                if forecast and vc_source == "obs":
                    raise _RowError("forecast query answered observations (source=obs)")
                if not forecast and vc_source not in (None, "obs"):
                    continue  # a forecast hour in an observations answer: not an observation
                if forecast:
                    parsed.forecasts.append(
                        {
                            "station": station,
                            "forecast_basis": key,
                            "granularity": granularity,
                            "target_epoch": epoch,
                            "target_at": datetime.fromtimestamp(epoch, UTC),
                            "target_local_date": local_date,
                            "basis_date": basis_date,
                            "lead_days": (local_date - basis_date).days,
                            "published_at": published_at,
                            "temp_f": temp,
                            "temp_max_f": _temperature(item, "tempmax"),
                            "temp_min_f": _temperature(item, "tempmin"),
                            "vc_source": None if vc_source is None else str(vc_source),
                            **lineage,
                        }
                    )
                else:
                    parsed.observations.append(
                        {
                            "station": station,
                            "epoch": epoch,
                            "observed_at": datetime.fromtimestamp(epoch, UTC),
                            "temp_f": temp,
                            "dew_f": _temperature(item, "dew"),
                            "vc_stations": _stations(item),
                            "vc_source": None if vc_source is None else str(vc_source),
                            **lineage,
                        }
                    )
            except (_RowError, OverflowError, OSError, ValueError) as exc:
                reject(f"{granularity}: {exc}", item)
    return parsed
