"""The stations a benchmark run simulates, and the registry file a scale run needs.

Up to seven stations the run simulates the registry's seven traded stations. Beyond (the scale
run: 70 stations x 10 years) it adds synthetic stations: copies of the seven with new ids
(``KZAA``/``ZAA``, series ``KXHIGHZAA``/``KXLOWTZAA``...), each keeping the climate, time zone
and forecast office of the station it copies. The loaders and the dbt models know a station only
through the registry, so such a run writes the whole registry plus the copies to
``<out>/registry/stations.csv`` and points ``REGISTRY_ENV`` at that folder (read by
``domain.stations`` and by the ``seed-paths`` of ``dbt_project.yml``).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import asdict, fields, replace
from importlib.resources import files
from itertools import product
from pathlib import Path
from string import ascii_uppercase

from domain.stations import REGISTRY_ENV, Station, default_stations, load_stations

"""A folder holding a ``stations.csv`` that replaces ``domain/data/stations.csv``."""

REGISTRY_FILE = "stations.csv"
REPO_ROOT = Path(__file__).resolve().parent.parent


class RegistryNotSwitchedError(RuntimeError):
    """The registry in use does not hold the synthetic stations (the override is not wired)."""


def _synthetic_codes() -> list[str]:
    """Three-letter IEM ids no real station uses: ``ZAA``, ``ZAB``, ... (676 of them)."""
    return ["Z" + a + b for a, b in product(ascii_uppercase, repeat=2)]


def synthetic_copy(base: Station, code: str) -> Station:
    """A copy of ``base`` under new ids (``code`` = its three-letter IEM id)."""
    return replace(
        base,
        icao=f"K{code}",
        iem_asos_id=code,
        cli_station_id=f"K{code}",
        cli_product=f"CLI{code}",
        station_name=f"{base.station_name} (bench copy {code})",
        high_series_ticker=f"KXHIGH{code}",
        low_series_ticker=f"KXLOWT{code}",
        legacy_high_series_ticker=None,
        trade_by_default=False,  # default_stations() stays the seven real ones
        settlement_verified=False,
    )


def bench_stations(count: int) -> list[tuple[Station, str]]:
    """The first ``count`` bench stations and the real station whose climate each copies.

    Args:
        count: how many stations (the seven real ones first, then synthetic copies).

    Returns:
        ``(station, climate_icao)`` pairs; ``climate_icao`` is the station itself for the seven.
    """
    real = default_stations()
    chosen = [(station, station.icao) for station in real[:count]]
    for index, code in enumerate(_synthetic_codes()[: max(count - len(real), 0)]):
        base = real[index % len(real)]
        chosen.append((synthetic_copy(base, code), base.icao))
    if len(chosen) < count:
        raise ValueError(f"at most {len(real) + len(_synthetic_codes())} bench stations")
    return chosen


def registry_csv(stations: list[Station]) -> str:
    """The registry CSV: the packaged file as it is, then the synthetic stations' rows."""
    packaged = (files("domain") / "data" / REGISTRY_FILE).read_text(encoding="utf-8")
    known = {row["icao"] for row in csv.DictReader(io.StringIO(packaged))}
    buffer = io.StringIO()
    buffer.write(packaged if packaged.endswith("\n") else packaged + "\n")
    writer = csv.DictWriter(
        buffer, fieldnames=[f.name for f in fields(Station)], lineterminator="\n"
    )
    for station in stations:
        # a station-year plan names each station once per year: one row per station
        if station.icao in known:
            continue
        known.add(station.icao)
        record = asdict(station)
        for name in ("trade_by_default", "settlement_verified"):
            record[name] = "true" if record[name] else "false"
        record["legacy_high_series_ticker"] = record["legacy_high_series_ticker"] or ""
        writer.writerow(record)
    return buffer.getvalue()


def switch_registry(stations: list[Station], out: Path) -> Path | None:
    """Write the scale registry and point ``REGISTRY_ENV`` at it, when synthetic stations run.

    Args:
        stations: the stations the run simulates.
        out: the run's output folder (the registry goes to ``<out>/registry``).

    Returns:
        The registry folder, or None when every station is a real one (nothing switched).

    Raises:
        RegistryNotSwitchedError: ``domain.stations`` still reads its own file, or the dbt seed
            path does not follow ``REGISTRY_ENV``.
    """
    known = {station.icao for station in load_stations()}
    if all(station.icao in known for station in stations):
        return None
    folder = out / "registry"
    # relative to the project root, never absolute: dbt writes a seed's compiled SQL to
    # <target>/run/<project>/<seed path>/stations.csv, which for an absolute seed path is the
    # seed itself (seen: the CSV overwritten by its `create table`); a relative path with at most
    # two `..` keeps that copy inside the target folder. domain.stations reads it from the cwd.
    relative = os.path.relpath(folder.resolve(), REPO_ROOT)
    if Path(relative).parts.count("..") > 2 or Path.cwd().resolve() != REPO_ROOT:
        raise RegistryNotSwitchedError(
            f"a scale run runs from {REPO_ROOT} with its --out inside it or at most two `..` "
            f"away (the default bench/out works); {folder} is not"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / REGISTRY_FILE).write_text(registry_csv(stations), encoding="utf-8")
    os.environ[REGISTRY_ENV] = relative
    load_stations.cache_clear()
    missing = {s.icao for s in stations} - {s.icao for s in load_stations()}
    if missing or REGISTRY_ENV not in (REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"):
        raise RegistryNotSwitchedError(
            f"{len(missing)} synthetic stations missing from the registry domain.stations "
            f"reads, or dbt_project.yml does not name {REGISTRY_ENV}: a scale run needs "
            f"load_stations() to honour {REGISTRY_ENV} and dbt_project.yml's seed-paths to "
            f"include {{{{ env_var('{REGISTRY_ENV}', 'domain/data') }}}} "
            "(bench/README.md, 'Scale run')"
        )
    return folder
