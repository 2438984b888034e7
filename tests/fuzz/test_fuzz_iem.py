"""Fuzz the IEM entry points (asos.py and hourly CSV, CLI and CF6 JSON and CSV, sniffing) and
the METAR parser. See :mod:`tests.fuzz.hostile` for the invariants."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from domain.metar import MetarParseError, parse_metar
from pipelines.documents import RawDocument
from pipelines.iem.daily import parse_daily
from pipelines.iem.parsers import Kind, Parsed, parse_observations, sniff
from tests.fuzz.hostile import (
    as_json,
    assert_daily_in_bounds,
    assert_observation_in_bounds,
    field_texts,
    fuzz_settings,
    json_values,
    mutated_csv,
    mutated_record,
    number_texts,
    timed,
)

_EXAMPLES = 200
_METAR = "KNYC 211951Z AUTO 04003KT 10SM FEW041 26/18 A3006 RMK AO2 SLP171 T02560178 10261 20250"
_ASOS_HEADER = "station,valid,tmpf,dwpf,metar"
_ASOS_LINES = [
    f"NYC,2026-08-21 19:51,78.08,64.04,{_METAR}",
    "NYC,2026-08-21 20:51,77.00,M,M",
]
_HOURLY_HEADER = (
    "timestamp,location,station,nws_current_temp_f,nws_dew_point_f,nws_relative_humidity,"
    "nws_metar,observation_source"
)
_HOURLY_LINES = [
    "2026-08-20 14:51:00+0000,NYC,NYC,82.0,65.0,56.51,"
    "KNYC 201451Z AUTO 00000KT 10SM FEW120 28/18 A3001 RMK AO2 SLP154 T02780183 53001 $,iem",
]
_CLI_CSV_HEADER = "station,date,high,low,high_time,product"
_CLI_CSV_LINES = ["KMDW,2025-12-26,49,40,1136 AM,202512270634-KLOT-CDUS43-CLIMDW"]
_CLI_RECORD = {
    "station": "KNYC",
    "valid": "2026-01-01",
    "product": "202601020600-KOKX-CDUS41-CLINYC",
    "high": 41,
    "low": 30,
    "high_time": "237 PM",
    "high_normal": 40,
}
_CF6_RECORD = {
    "station": "KNYC",
    "valid": "2026-01-01",
    "product": "202601020600-KOKX-CXUS51-CF6NYC",
    "high": 41,
    "low": 30,
    "avg_temp": 35.5,
    "hdd": 30,
}


def _data_lines(text: str) -> int:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return max(len(lines) - 1, 0)


def _check_observations(text: str, kind: Kind) -> None:
    doc = RawDocument(text, "fuzz.csv", "real", "files", hint="3")
    parsed: Parsed = timed(lambda: parse_observations(doc, kind), len(text))
    assert len(parsed.rows) + len(parsed.rejects) == _data_lines(text), "a row or a reject each"
    for row in parsed.rows:
        assert_observation_in_bounds(row)
    for reject in parsed.rejects:
        assert reject.reason and reject.location.startswith("fuzz.csv:")


@fuzz_settings(_EXAMPLES * 2)
@given(mutated_csv(_ASOS_HEADER, _ASOS_LINES))
@example(f"{_ASOS_HEADER}\nNYC,2026-08-21 19:51,1e999999999,60,M\n")
@example(f"{_ASOS_HEADER}\nNYC,2026-08-21 19:51,1e308,60,M\n")
@example(f"{_ASOS_HEADER}\nNYC,2026-08-21 19:51,70,1000,M\n")
@example(f"{_ASOS_HEADER}\nNYC,2026-08-21 19:51,70,60," + "A" * 140_000 + "\n")
def test_fuzz_asos_csv(text: str) -> None:
    _check_observations(text, Kind.asos)


@fuzz_settings(_EXAMPLES)
@given(mutated_csv(_HOURLY_HEADER, _HOURLY_LINES))
def test_fuzz_hourly_csv(text: str) -> None:
    _check_observations(text, Kind.hourly)


def _check_daily(text: str, kind: Kind | None, records: int) -> None:
    doc = RawDocument(text, "fuzz.json", "real", "files")
    parsed: Parsed = timed(lambda: parse_daily(doc, kind), len(text))
    for row in parsed.rows:
        assert_daily_in_bounds(row)
    document_reject = not parsed.rows and len(parsed.rejects) == 1
    assert document_reject or len(parsed.rows) + len(parsed.rejects) == records


_daily_values = st.one_of(json_values, number_texts)


@fuzz_settings(_EXAMPLES * 2)
@given(st.lists(mutated_record(_CLI_RECORD, _daily_values), min_size=1, max_size=4))
@example([{**_CLI_RECORD, "high": "1e999999999"}])
@example([{**_CLI_RECORD, "high": 10**30}])
@example([{**_CLI_RECORD, "high": float("inf")}])
@example([{**_CLI_RECORD, "high": -500, "low": -600}])
def test_fuzz_cli_json(records: list[dict[str, Any]]) -> None:
    _check_daily(as_json({"results": records}), Kind.cli, len(records))


@fuzz_settings(_EXAMPLES)
@given(st.lists(mutated_record(_CF6_RECORD, _daily_values), min_size=1, max_size=4))
@example([{**_CF6_RECORD, "avg_temp": "1e999999999"}])
def test_fuzz_cf6_json(records: list[dict[str, Any]]) -> None:
    _check_daily(as_json({"results": records}), Kind.cf6, len(records))


@fuzz_settings(_EXAMPLES)
@given(mutated_csv(_CLI_CSV_HEADER, _CLI_CSV_LINES))
def test_fuzz_cli_csv(text: str) -> None:
    _check_daily(text, Kind.cli, _data_lines(text))


_documents = st.one_of(
    json_values.map(lambda value: as_json({"results": value})),
    json_values.map(as_json),
    st.integers(0, 3000).map(lambda depth: '{"results":' + "[" * depth + "]" * depth + "}"),
    st.sampled_from(['{"results": {"a":1}}', '{"results": 1e308}', '{"results": [1, "x"]}']),
    field_texts,
    st.text(max_size=300),
    st.just(json.dumps({"results": [_CLI_RECORD]})).flatmap(
        lambda text: st.integers(0, len(text)).map(lambda cut: text[:cut])
    ),
)


@fuzz_settings(_EXAMPLES * 2)
@given(_documents)
@example('{"results":' + "[" * 200_000 + "]" * 200_000 + "}")
def test_fuzz_daily_documents_and_sniff(text: str) -> None:
    kind = timed(lambda: sniff(text, "fuzz.json"), len(text))
    assert kind is None or isinstance(kind, Kind)
    doc = RawDocument(text, "fuzz.json", "real", "files")
    parsed: Parsed = timed(lambda: parse_daily(doc), len(text))
    for row in parsed.rows:
        assert_daily_in_bounds(row)


_metar_tokens = st.one_of(
    st.sampled_from(_METAR.split() + ["METAR", "SPECI", "COR", "RMK", "=", "M99/M99", "T19990999"]),
    st.from_regex(r"\A[0-9TM/]{1,10}\Z"),
    st.text(max_size=12),
)


@fuzz_settings(_EXAMPLES * 2)
@given(st.lists(_metar_tokens, max_size=20).map(" ".join))
@example("KNYC 011251Z " + "T0 " * 50_000)
@example("KNYC 011251Z M99/M99")
def test_fuzz_metar(text: str) -> None:
    try:
        metar = timed(lambda: parse_metar(text), len(text))
    except MetarParseError as exc:
        assert 0 < len(str(exc)) < 1000
        return
    assert 1 <= metar.day <= 31 and metar.hour <= 23 and metar.minute <= 59
    if metar.temp_c_tenths is not None:
        assert abs(metar.temp_c_tenths) < 100
