"""The vectorised observation parser (``asos_arrow``) against the row-by-row reference
(``parsers.parse_observations``): the same rows, every column, and the same rejects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given

from domain.stations import station_by_icao
from pipelines.documents import RawDocument
from pipelines.iem import rows_to_arrow
from pipelines.iem.asos_arrow import ArrowParsed, ObservationDecoder
from pipelines.iem.parsers import Kind, parse_observations
from pipelines.sample import truth as sample_truth
from pipelines.sample.weather import asos_documents
from tests.fuzz.hostile import fuzz_settings, mutated_csv

HEADER = "station,valid,tmpf,dwpf,metar\n"
METAR = "KNYC 211951Z AUTO 04003KT 10SM FEW041 26/18 A3006 RMK AO2 SLP171 T02560178 10261 20250"
GOOD = f"NYC,2026-08-21 19:51,78.08,64.04,{METAR}\n"


@pytest.fixture(scope="module")
def decoder() -> Iterator[ObservationDecoder]:
    with ObservationDecoder() as decoder:
        yield decoder


def _same(decoder: ObservationDecoder, doc: RawDocument, kind: Kind | None = None) -> ArrowParsed:
    """Assert both paths agree on ``doc``; return the vectorised result."""
    reference = parse_observations(doc, kind)
    fast = decoder.parse(doc, kind)
    expected = rows_to_arrow(reference.rows)
    assert fast.table.schema == expected.schema
    for name in expected.column_names:
        assert fast.table.column(name).to_pylist() == expected.column(name).to_pylist(), name
    assert fast.rejects == reference.rejects
    assert fast.notes == reference.notes
    return fast


def _doc(text: str, hint: str | None = "3") -> RawDocument:
    return RawDocument(text, "http://fake/asos.py", "real", "http", hint=hint)


def test_sample_documents_decode_vectorised_and_match(decoder: ObservationDecoder) -> None:
    stations = [station_by_icao("KMDW"), station_by_icao("KDEN")]
    days = sample_truth.iter_days(date(2025, 3, 1), date(2025, 3, 4))
    rows = 0
    for doc in asos_documents(stations, days):
        fast = _same(decoder, doc)
        rows += fast.table.num_rows
        # Only the sample's deliberately garbled lines take the row-by-row way.
        assert fast.reference_lines == len(fast.rejects)
    assert rows > 2000


def test_real_hourly_export_matches(decoder: ObservationDecoder, realdata: Path) -> None:
    path = realdata / "weather" / "knyc_asos_hourly_sample_2026-08.csv"
    doc = RawDocument(path.read_text(encoding="utf-8"), str(path), "real", "files")
    fast = _same(decoder, doc)
    assert fast.table.num_rows == 77 and fast.reference_lines == 0


SPECI = (
    "NYC,2026-08-20 21:47,73.40,71.60,KNYC 202147Z AUTO 05006KT 1 3/4SM RA BR FEW019 "
    "23/22 A2994 RMK AO2 RAB04 PRESRR P0003 $\n"
)

HOSTILE = {
    "truncated last line": HEADER + GOOD + "NYC,2026-08-21 20:51,76.00,64.0",
    "garbled and short rows": HEADER + GOOD + "NYC,2026-08-21 20:51,76.1,M\nNYC,2026\n",
    "byte-order mark and CRLF": "\ufeff" + (HEADER + GOOD).replace("\n", "\r\n"),
    "lone carriage returns": (HEADER + GOOD).replace("\n", "\r"),
    "comments and blank lines": "# IEM\n\n" + HEADER + "\n# note\n" + GOOD + "   \n",
    "missing values": HEADER
    + "NYC,2026-08-21 20:51,M,M,M\n"
    + "NYC,2026-08-21 20:51,77.00,M,M\n"
    + "NYC,2026-08-21 21:51,M,M,KNYC 212151Z 26/18 RMK AO2\n"
    + "NYC,2026-08-21 22:51,,,KNYC 212251Z 26/// RMK AO2 T0256\n",
    "bad timestamps": HEADER
    + GOOD.replace("2026-08-21 19:51", "2026-02-30 19:51")
    + GOOD.replace("2026-08-21 19:51", "2026-08-21 24:00")
    + GOOD.replace("2026-08-21 19:51", "2026-08-21T19:51"),
    "metar disagrees": HEADER
    + GOOD.replace("211951Z", "211952Z")
    + GOOD.replace("211951Z", "221951Z")
    + GOOD.replace("KNYC 2", "KMDW 2")
    + GOOD.replace("KNYC 2", "XXXX 2"),
    "corrections and duplicates": HEADER
    + GOOD
    + GOOD
    + GOOD.replace("AUTO", "COR")
    + GOOD.replace("KNYC", "METAR COR KNYC")
    + GOOD.replace("KNYC", "SPECI KNYC")
    + GOOD.replace("FEW041", "FEW042")
    + GOOD,
    "odd spacing and equals": HEADER
    + GOOD.replace("AUTO ", "AUTO  ")
    + GOOD.replace("20250", "20250=")
    + GOOD.replace(METAR, f" {METAR}\t"),
    "out of bounds": HEADER
    + GOOD.replace("78.08", "140.5")
    + GOOD.replace("64.04", "80.09")
    + GOOD.replace("T02560178", "T16000178")
    + GOOD.replace("26/18", "M99/M99")
    + GOOD.replace("78.08", "1e3"),
    "remark forms": HEADER
    + GOOD.replace("RMK", "RMK RMK")
    + GOOD.replace("T02560178", "T0256 T01110111")
    + GOOD.replace("T02560178", "T02560178$ 401001015")
    + GOOD.replace("RMK AO2", "AO2 T01230123 RMK")
    + GOOD.replace(" RMK AO2 SLP171 T02560178 10261 20250", "")
    + SPECI,
    "unknown and lower-case stations": HEADER
    + GOOD.replace("NYC,", "XYZ,")
    + GOOD.replace("NYC,", "nyc,")
    + GOOD.replace("NYC,", "KNYC,"),
    "quoted and extra fields": HEADER
    + GOOD.replace("78.08", '"78.08"')
    + GOOD.rstrip("\n")
    + ",extra\n",
    "non-ascii": HEADER + GOOD.replace("AUTO", "AUTÖ") + GOOD.replace("78", "٧٨"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_match(decoder: ObservationDecoder, name: str) -> None:
    _same(decoder, _doc(HOSTILE[name]))
    _same(decoder, _doc(HOSTILE[name], hint=None))


@pytest.mark.parametrize("hint", [None, "", "1", "4", "7", "x"])
def test_hints_and_report_type_column_match(decoder: ObservationDecoder, hint: str | None) -> None:
    _same(decoder, _doc(HEADER + GOOD + SPECI, hint=hint))
    with_column = "station,valid,tmpf,dwpf,metar,report_type\n" + GOOD.rstrip("\n") + ",4\n"
    _same(decoder, _doc(with_column, hint=hint))


def test_empty_header_only_and_foreign_documents_match(decoder: ObservationDecoder) -> None:
    for text in ("", "  \n", HEADER, "a,b\n1,2\n", "station,valid,tmpf\nthis is not, a row\n"):
        _same(decoder, _doc(text), Kind.asos)


def test_a_clean_document_takes_no_row_by_row_line(decoder: ObservationDecoder) -> None:
    lines = [
        GOOD.replace("211951Z", f"21{h:02d}51Z").replace("19:51", f"{h:02d}:51") for h in range(24)
    ]
    fast = _same(decoder, _doc(HEADER + "".join(lines)))
    assert fast.table.num_rows == 24 and fast.reference_lines == 0


_ASOS_LINES = [
    GOOD.rstrip("\n"),
    "NYC,2026-08-21 20:51,77.00,M,KNYC 212051Z AUTO 04003KT 10SM FEW041 25/18 A3006 RMK AO2 "
    "SLP171 T02500178 401001015",
    SPECI.rstrip("\n"),
]
_HOURLY_HEADER = (
    "timestamp,location,station,nws_current_temp_f,nws_dew_point_f,nws_relative_humidity,"
    "nws_metar,observation_source"
)
_HOURLY_LINES = [
    "2026-08-20 14:51:00+0000,NYC,NYC,82.0,65.0,56.51,"
    "KNYC 201451Z AUTO 00000KT 10SM FEW120 28/18 A3001 RMK AO2 SLP154 T02780183 53001 $,iem",
    "2026-08-20 10:51:00-0400,NYC,NYC,82.0,65.0,56.51,"
    "KNYC 201451Z AUTO 00000KT 10SM FEW120 28/18 A3001 RMK AO2 SLP154 T02780183 53001 $,iem",
]


@fuzz_settings(50)
@given(mutated_csv(HEADER.rstrip("\n"), _ASOS_LINES))
@example(HEADER + GOOD.replace("NYC,", "NYC ,"))
def test_fuzzed_asos_documents_match(decoder: ObservationDecoder, text: str) -> None:
    _same(decoder, _doc(text), Kind.asos)


@fuzz_settings(20)
@given(mutated_csv(_HOURLY_HEADER, _HOURLY_LINES))
def test_fuzzed_hourly_documents_match(decoder: ObservationDecoder, text: str) -> None:
    _same(decoder, _doc(text, hint=None), Kind.hourly)
