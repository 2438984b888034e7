"""The daily advice: per-station confidence multipliers in [0, 1] for one day, and its file.

Written once a day by ``python -m trader advise`` (off the hot path), read by the trader with
``load_advice``. The advice can only scale stakes (a multiplier below 1) or skip a station for
the day (0); when the file is absent, for another day, stale or malformed, the trader trades
with defaults (multiplier 1). Any advisor (the deterministic rules, later perhaps a language
model) implements ``Advisor`` and produces the same ``Advice``.

File: ``<dir>/advice-YYYY-MM-DD.json``, written atomically (tmp + rename)::

    {"schema_version": 1, "advisor": "rules-v1", "day": "2026-12-01",
     "created_at": "2026-12-01T11:00:02+00:00",
     "stations": {"KNYC": {"multiplier": "0.75", "reasons": ["..."], "flags": ["front_high"],
                           "inputs": {"forecast_high_f": "48", ...}}},
     "sources": ["NWS api.weather.gov forecast ...", "IEM json/cli.py ..."]}
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from domain.layout import warehouse_path
from domain.stations import Station

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Written at 6:00 ET for the day; a file older than this is not trusted any more.
MAX_AGE = timedelta(hours=30)
ONE, ZERO = Decimal(1), Decimal(0)


class AdviceFormatError(ValueError):
    """An advice file that is not what ``write_advice`` writes."""


def default_advice_dir() -> Path:
    """``trader/advisor/`` beside the warehouse file (``warehouse/trader/advisor/``)."""
    return warehouse_path().parent / "trader" / "advisor"


def advice_path(directory: Path, day: date) -> Path:
    """The advice file of a day."""
    return Path(directory) / f"advice-{day.isoformat()}.json"


@dataclass(frozen=True)
class StationAdvice:
    """One station's advice: a multiplier in [0, 1], why, and what it was computed from."""

    multiplier: Decimal
    reasons: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    inputs: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Advice:
    """A day's advice for the stations it names.

    Attributes:
        day: the date advised on.
        created_at: when it was computed (aware).
        advisor: which advisor (``rules-v1``...).
        stations: ICAO -> advice.
        sources: where the inputs came from, in words (forecast issue times...).
    """

    day: date
    created_at: datetime
    advisor: str
    stations: Mapping[str, StationAdvice]
    sources: tuple[str, ...] = ()

    def multiplier(self, icao: str) -> Decimal:
        """The station's stake multiplier (1 when the advice does not name it)."""
        advice = self.stations.get(icao.upper())
        return ONE if advice is None else advice.multiplier

    def reason(self, icao: str) -> str:
        """The station's reasons in one line ("" when the advice does not name it)."""
        advice = self.stations.get(icao.upper())
        return "" if advice is None else "; ".join(advice.reasons)

    def fresh_at(self, now: datetime, max_age: timedelta = MAX_AGE) -> bool:
        """Usable at ``now``: created by then (no look-ahead) and at most ``max_age`` before."""
        return self.created_at <= now and now - self.created_at <= max_age

    def to_json(self) -> dict[str, Any]:
        """The file's JSON (decimals as strings)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "advisor": self.advisor,
            "day": self.day.isoformat(),
            "created_at": self.created_at.isoformat(),
            "stations": {
                icao: {
                    "multiplier": format(advice.multiplier, "f"),
                    "reasons": list(advice.reasons),
                    "flags": list(advice.flags),
                    "inputs": dict(advice.inputs),
                }
                for icao, advice in sorted(self.stations.items())
            },
            "sources": list(self.sources),
        }


class Advisor(Protocol):
    """Produces a day's advice for some stations (the rules; later perhaps a language model).

    An advisor may be slow or fail: it runs in its own scheduled job, never in the trader.
    """

    name: str

    def advise(self, day: date, stations: Sequence[Station], now: datetime) -> Advice: ...


def parse_advice(body: Any) -> Advice:
    """An advice file's JSON as ``Advice``.

    Raises:
        AdviceFormatError: any missing or ill-typed field, or a multiplier outside [0, 1].
    """
    try:
        if body["schema_version"] != SCHEMA_VERSION:
            raise AdviceFormatError(f"schema_version {body['schema_version']!r}")
        created_at = datetime.fromisoformat(body["created_at"])
        if created_at.tzinfo is None:
            raise AdviceFormatError("created_at has no offset")
        stations = {}
        for icao, raw in body["stations"].items():
            multiplier = Decimal(str(raw["multiplier"]))
            if not ZERO <= multiplier <= ONE:
                raise AdviceFormatError(f"{icao}: multiplier {multiplier} outside [0, 1]")
            stations[str(icao).upper()] = StationAdvice(
                multiplier=multiplier,
                reasons=tuple(str(r) for r in raw.get("reasons", ())),
                flags=tuple(str(f) for f in raw.get("flags", ())),
                inputs={
                    str(k): None if v is None else str(v) for k, v in raw.get("inputs", {}).items()
                },
            )
        return Advice(
            day=date.fromisoformat(body["day"]),
            created_at=created_at,
            advisor=str(body["advisor"]),
            stations=stations,
            sources=tuple(str(s) for s in body.get("sources", ())),
        )
    except AdviceFormatError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise AdviceFormatError(f"{type(exc).__name__}: {exc}") from exc


def write_advice(directory: Path, advice: Advice) -> Path:
    """Write the day's advice atomically (a reader sees the old file or the new, never half).

    Args:
        directory: the advice folder (created if needed).
        advice: the advice.

    Returns:
        The file written.
    """
    path = advice_path(directory, advice.day)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(advice.to_json(), f, indent=2, ensure_ascii=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # only left after a failed write
    # The rename is durable only once the folder itself is on disk.
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return path


def load_advice(
    directory: Path, day: date, now: datetime, max_age: timedelta = MAX_AGE
) -> Advice | None:
    """The advice for ``day`` if present, for that day, and fresh at ``now``.

    Args:
        directory: the advice folder (``default_advice_dir()``).
        day: the climate date traded.
        now: the aware instant (advice created after it is not used: no look-ahead).
        max_age: oldest usable advice.

    Returns:
        The advice, or None (trade with defaults): absent, for another day, created after
        ``now``, older than ``max_age``, or malformed (logged in one line).
    """
    path = advice_path(directory, day)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("advice %s unreadable (%s): trading with defaults", path, exc)
        return None
    try:
        advice = parse_advice(json.loads(raw.decode("utf-8")))
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, or AdviceFormatError
        log.warning("advice %s malformed (%s): trading with defaults", path, exc)
        return None
    if advice.day != day:
        log.warning("advice %s is for %s, not %s: trading with defaults", path, advice.day, day)
        return None
    if not advice.fresh_at(now, max_age):
        log.warning("advice %s created %s is not usable at %s", path, advice.created_at, now)
        return None
    return advice
