"""Simulated IEM asos.py CSV documents (5-minute, routine, special); the climate reports are in
``pipelines.sample.climate_reports``.

Each generator yields ``RawDocument`` objects in the real wire formats (IEM's asos.py, json/cli.py
and json/cf6.py services) with ``data_source='simulated'``,
``ingest_channel='sample'`` and a ``simulated://`` location, so they go through the same
parsers as live data. The documents are pure functions of (stations, window): re-runs are
byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

import numpy as np

from domain.stations import Station
from pipelines.documents import RawDocument
from pipelines.sample.seeding import rng_for
from pipelines.sample.truth import MINUTES_PER_DAY, DayTruth, day_truth

DATA_SOURCE = "simulated"
INGEST_CHANNEL = "sample"
ASOS_HEADER = "station,valid,tmpf,dwpf,metar"
HF_5MIN, ROUTINE, SPECIAL = "1", "3", "4"
ROUTINE_MINUTE = 51
# Share of rows with a missing value (deterministic per row seed):
HF_MISSING_RATE = 0.003  # tmpf/dwpf 'M' but the METAR keeps its body temperature (loads)
ROUTINE_MISSING_RATE = 0.001  # the whole ob is 'M' (no temperature at all: a reject)
RANDOM_SPECIALS_PER_DAY = 0.25

Progress = Callable[[], None]


# --------------------------------------------------------------------------------------------
# Unit conversions, exact (integers only: no float formatting artefacts)


def round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    return sign * (quotient + (1 if 2 * remainder >= abs(denominator) else 0))


def tenths_c(whole_f: int) -> int:
    """Tenths of °C of a whole-°F reading (what ASOS puts in the T-group and 6/24-h groups)."""
    return round_div((whole_f - 32) * 50, 9)


def whole_c(whole_f: int) -> int:
    """Whole °C of a whole-°F reading (the METAR body)."""
    return round_div(tenths_c(whole_f), 10)


def _hundredths_text(hundredths: int) -> str:
    sign = "-" if hundredths < 0 else ""
    units, cents = divmod(abs(hundredths), 100)
    return f"{sign}{units}.{cents:02d}"


def f_text_from_tenths_c(tenths: int) -> str:
    """IEM ``tmpf`` (2 dp) derived from a tenths-°C value: C x 9/5 + 32 is exact in hundredths."""
    return _hundredths_text(tenths * 18 + 3200)


def f_text_from_whole_c(celsius: int) -> str:
    """IEM ``tmpf`` (2 dp) derived from a whole-°C value (5-minute data)."""
    return _hundredths_text(celsius * 180 + 3200)


def _body_c(celsius: int, negative: bool) -> str:
    return f"M{abs(celsius):02d}" if negative else f"{celsius:02d}"


def _signed_tenths(tenths: int) -> str:
    return f"{1 if tenths < 0 else 0}{abs(tenths):03d}"


def body_group(temp_f: int, dew_f: int) -> str:
    """The METAR body ``TT/DD`` (``M`` = minus; ``M00`` for -0.4..-0.1 °C)."""
    t10, d10 = tenths_c(temp_f), tenths_c(dew_f)
    return f"{_body_c(whole_c(temp_f), t10 < 0)}/{_body_c(whole_c(dew_f), d10 < 0)}"


def t_group(temp_f: int, dew_f: int) -> str:
    """The remark ``TsTTTsDDD`` group in tenths °C."""
    return f"T{_signed_tenths(tenths_c(temp_f))}{_signed_tenths(tenths_c(dew_f))}"


# --------------------------------------------------------------------------------------------
# One station-day of observations


@dataclass(frozen=True)
class _Ob:
    minute: int  # minutes after LST midnight of the climate day
    line: str


def _utc_stamp(truth: DayTruth, minute: int) -> tuple[str, str]:
    """(IEM ``valid`` text, METAR ``ddhhmmZ``) of a minute of the climate day."""
    at = truth.start_utc + timedelta(minutes=minute)
    return at.strftime("%Y-%m-%d %H:%M"), at.strftime("%d%H%MZ")


def _weather_groups(truth: DayTruth, minute: int) -> tuple[str, str, str]:
    """Plausible wind, sky and altimeter groups (decoration: nothing downstream reads them)."""
    hour = minute // 60
    direction = (int(truth.draws.eps * 90 + 180) + 10 * hour) % 360 // 10 * 10 or 360
    speed = 4 + (hour * 7 + truth.day.day) % 9
    cloud = truth.cloud
    sky = (
        "OVC020"
        if cloud < 0.6
        else "BKN045"
        if cloud < 0.85
        else "SCT060"
        if cloud < 1.0
        else "CLR"
    )
    altimeter = 2992 + int(truth.draws.dew_anomaly * 12) - hour // 6
    return f"{direction:03d}{speed:02d}KT", sky, f"A{altimeter}"


def _window_extreme(
    previous: DayTruth, truth: DayTruth, end_minute: int, minutes: int
) -> tuple[int, int]:
    """(max, min) whole °F of the 2-minute averages in the ``minutes`` ending at ``end_minute``."""
    start = end_minute - minutes + 1
    if start >= 0:
        window = truth.whole2_f[start : end_minute + 1]
    else:
        window = np.concatenate(
            (previous.whole2_f[MINUTES_PER_DAY + start :], truth.whole2_f[: end_minute + 1])
        )
    return int(window.max()), int(window.min())


def day_observations(previous: DayTruth, truth: DayTruth) -> tuple[list[_Ob], list[_Ob], list[_Ob]]:
    """The 5-minute, routine and special CSV rows of one station-day (without headers).

    Args:
        previous: the previous climate day (for 6-h / 24-h groups reaching back over midnight).
        truth: the day.

    Returns:
        (5-minute rows, routine rows, special rows).
    """
    station = truth.station
    iem, icao = station.iem_asos_id, station.icao
    rng = rng_for("obs", icao, truth.day.isoformat())
    # 5-minute obs read the near-instantaneous value, not the 2-minute average the CLI uses,
    # so one can exceed the official high; they then lose precision to whole-°C rounding.
    temp_whole = truth.temp_f
    dew_whole = truth.dew_f

    hf: list[_Ob] = []
    hf_missing = rng.random(MINUTES_PER_DAY // 5) < HF_MISSING_RATE
    for slot, minute in enumerate(range(0, MINUTES_PER_DAY, 5)):
        temp_f = int(np.floor(temp_whole[minute] + 0.5))
        dew_f = int(np.floor(dew_whole[minute] + 0.5))
        valid, stamp = _utc_stamp(truth, minute)
        wind, sky, alt = _weather_groups(truth, minute)
        metar = f"{icao} {stamp} AUTO {wind} 10SM {sky} {body_group(temp_f, dew_f)} {alt} RMK AO2"
        if hf_missing[slot]:
            # IEM blanks some 5-minute temperatures; the METAR still carries its body group.
            hf.append(_Ob(minute, f"{iem},{valid},M,M,{metar}"))
            continue
        tmpf = f_text_from_whole_c(whole_c(temp_f))
        dwpf = f_text_from_whole_c(whole_c(dew_f))
        hf.append(_Ob(minute, f"{iem},{valid},{tmpf},{dwpf},{metar}"))

    routine: list[_Ob] = []
    routine_missing = rng.random(24) < ROUTINE_MISSING_RATE
    midnight_ob = 23 * 60 + ROUTINE_MINUTE  # the last routine ob of the climate day
    for hour in range(24):
        minute = hour * 60 + ROUTINE_MINUTE
        valid, stamp = _utc_stamp(truth, minute)
        if routine_missing[hour]:
            routine.append(_Ob(minute, f"{iem},{valid},M,M,M"))
            continue
        temp_f = int(truth.whole2_f[minute])
        dew_f = int(np.floor(dew_whole[minute] + 0.5))
        wind, sky, alt = _weather_groups(truth, minute)
        slp = (int(alt[1:]) * 3 + 40) % 1000
        remarks = [f"AO2 SLP{slp:03d}", t_group(temp_f, dew_f)]
        utc_hour = (truth.start_utc + timedelta(minutes=minute)).hour
        if (utc_hour + 1) % 6 == 0:
            # The :51 ob before 00/06/12/18Z carries the 6-hour max/min (1sTTT / 2sTTT).
            high6, low6 = _window_extreme(previous, truth, minute, 360)
            remarks.append(f"1{_signed_tenths(tenths_c(high6))} 2{_signed_tenths(tenths_c(low6))}")
        if minute == midnight_ob:
            # The ob at local-standard midnight carries the 24-hour 4-group.
            high24, low24 = _window_extreme(previous, truth, minute, MINUTES_PER_DAY)
            remarks.append(f"4{_signed_tenths(tenths_c(high24))}{_signed_tenths(tenths_c(low24))}")
        metar = (
            f"{icao} {stamp} AUTO {wind} 10SM {sky} {body_group(temp_f, dew_f)} {alt} "
            f"RMK {' '.join(remarks)}"
        )
        tmpf = f_text_from_tenths_c(tenths_c(temp_f))
        dwpf = f_text_from_tenths_c(tenths_c(dew_f))
        routine.append(_Ob(minute, f"{iem},{valid},{tmpf},{dwpf},{metar}"))

    special_minutes: set[int] = set()
    for event in (truth.front_minute, truth.storm_minute):
        if event is not None:
            special_minutes.add(min(event + 8, MINUTES_PER_DAY - 2))
    for _ in range(rng.poisson(RANDOM_SPECIALS_PER_DAY)):
        special_minutes.add(int(rng.integers(0, MINUTES_PER_DAY - 1)))
    specials: list[_Ob] = []
    for minute in sorted(special_minutes):
        if minute % 5 == 0 or minute % 60 == ROUTINE_MINUTE:
            minute += 2  # keep specials off the 5-minute and routine slots, as in reality
        valid, stamp = _utc_stamp(truth, minute)
        temp_f = int(truth.whole2_f[minute])
        dew_f = int(np.floor(dew_whole[minute] + 0.5))
        wind, _, alt = _weather_groups(truth, minute)
        sky = "BKN012 OVC030" if truth.storm_minute is not None else "BKN025"
        metar = (
            f"{icao} {stamp} AUTO {wind} 3SM -RA {sky} {body_group(temp_f, dew_f)} {alt} "
            f"RMK AO2 {t_group(temp_f, dew_f)}"
        )
        tmpf = f_text_from_tenths_c(tenths_c(temp_f))
        dwpf = f_text_from_tenths_c(tenths_c(dew_f))
        specials.append(_Ob(minute, f"{iem},{valid},{tmpf},{dwpf},{metar}"))
    return hf, routine, specials


# --------------------------------------------------------------------------------------------
# Documents


def simulated_location(path: str, query: str) -> str:
    return f"simulated://mesonet.agron.iastate.edu/{path}?{query}"


def simulated_document(text: str, location: str, hint: str | None = None) -> RawDocument:
    return RawDocument(
        text=text,
        location=location,
        data_source=DATA_SOURCE,
        ingest_channel=INGEST_CHANNEL,
        hint=hint,
    )


# DELIBERATELY GARBLED rows: exactly two per run, in the first station-month's 5-minute and
# routine documents, so the rejects path is exercised by every sample load. They are extra
# lines (no real ob is replaced) and identical on every run, so the rejects table stays stable.
def _garbled_hf(station: Station, first_day: date) -> str:
    return f"{station.iem_asos_id},{first_day:%Y-%m-%d} 07:1"  # truncated mid-row


def _garbled_routine(station: Station, first_day: date) -> str:
    return (
        f"{station.iem_asos_id},{first_day:%Y-%m}-32 25:51,4O.10,30.02,"
        f"{station.icao} 322551Z AUTO 00000KT 10SM CLR 04/M01 A2992 RMK AO2"
    )


def asos_documents(
    stations: Sequence[Station], days: Sequence[date], progress: Progress | None = None
) -> Iterator[RawDocument]:
    """asos.py CSV documents: per station and calendar month, one per report type.

    Args:
        stations: stations to simulate.
        days: consecutive climate dates.
        progress: called once per station-day generated.

    Yields:
        Documents with ``hint`` = report type ("1", "3", "4").
    """
    first = True
    for station in stations:
        previous = day_truth(station, days[0] - timedelta(days=1))
        for _month, month_days in groupby(days, key=lambda d: (d.year, d.month)):
            month_list = list(month_days)
            buckets: dict[str, list[str]] = {HF_5MIN: [], ROUTINE: [], SPECIAL: []}
            for day in month_list:
                truth = day_truth(station, day)
                hf, routine, specials = day_observations(previous, truth)
                buckets[HF_5MIN].extend(ob.line for ob in hf)
                buckets[ROUTINE].extend(ob.line for ob in routine)
                buckets[SPECIAL].extend(ob.line for ob in specials)
                previous = truth
                if progress is not None:
                    progress()
            if first:
                buckets[HF_5MIN].insert(3, _garbled_hf(station, month_list[0]))
                buckets[ROUTINE].insert(2, _garbled_routine(station, month_list[0]))
                first = False
            begin, end = month_list[0], month_list[-1] + timedelta(days=1)
            for report_type, lines in buckets.items():
                query = (
                    f"station={station.iem_asos_id}&data=tmpf,dwpf,metar&tz=UTC"
                    f"&report_type={report_type}&sts={begin.isoformat()}&ets={end.isoformat()}"
                )
                text = "\n".join((ASOS_HEADER, *lines)) + "\n"
                yield simulated_document(
                    text, simulated_location("cgi-bin/request/asos.py", query), report_type
                )
