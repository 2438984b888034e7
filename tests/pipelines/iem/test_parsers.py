"""IEM parsers on small payloads in the real wire formats."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pipelines.documents import RawDocument
from pipelines.iem.daily import parse_daily, published_at
from pipelines.iem.parsers import Kind, RowError, parse_observations, sniff

HEADER = "station,valid,tmpf,dwpf,metar\n"
ROUTINE = (
    "NYC,2026-08-21 19:51,78.08,64.04,"
    "KNYC 211951Z AUTO 04003KT 10SM FEW041 26/18 A3006 RMK AO2 SLP171 T02560178 $\n"
)


def _doc(text: str, hint: str | None = None) -> RawDocument:
    return RawDocument(text, "http://fake/asos.py", "real", "http", hint=hint)


def test_asos_row_carries_every_temperature_field() -> None:
    parsed = parse_observations(_doc(HEADER + ROUTINE, hint="3"))
    assert parsed.rejects == []
    (row,) = parsed.rows
    assert row["station"] == "KNYC"
    assert row["valid_at"] == datetime(2026, 8, 21, 19, 51, tzinfo=UTC)
    assert row["report_type"] == 3
    assert row["temp_f_reported"] == pytest.approx(78.08)
    assert (row["temp_c_tenths"], row["dewpoint_c_tenths"]) == (Decimal("25.6"), Decimal("17.8"))
    assert row["temp_c_whole"] == 26


def test_missing_markers_and_garbled_rows_become_rejects() -> None:
    text = (
        HEADER
        + ROUTINE
        + "MDW,2026-07-09 21:53,M,M,M\n"  # nothing to load: no temperature at all
        + "NYC,2026-08-21 20:51,76.1,M\n"  # garbled: a field short
        + "XYZ,2026-08-21 20:51,70.00,60.00,XYZZ 212051Z 21/15 RMK AO2\n"  # unknown station
        + "NYC,2026-08-21 21:51,abc,60.00,M\n"  # not a number
        + "NYC,2026-08-21 22:51,73.00,60.00,KNYC 010000Z 23/16 RMK T02300160\n"  # wrong time
    )
    parsed = parse_observations(_doc(text, hint="3"))
    assert len(parsed.rows) == 1
    reasons = [reject.reason for reject in parsed.rejects]
    assert reasons[0].startswith("no temperature")
    assert reasons[1].startswith("garbled row")
    assert reasons[2].startswith("unknown station 'XYZ'")
    assert reasons[3] == "tmpf 'abc' is not a number"
    assert reasons[4].startswith("METAR time 010000Z disagrees")
    assert [r.location for r in parsed.rejects][:2] == [
        "http://fake/asos.py:3",
        "http://fake/asos.py:4",
    ]
    assert parsed.rejects[1].raw_text == "NYC,2026-08-21 20:51,76.1,M"


def test_truncated_last_line_is_rejected() -> None:
    text = HEADER + ROUTINE + "NYC,2026-08-21 20:51,76.00,64.00,KNYC 212051Z AUTO VRB03KT 1"
    parsed = parse_observations(_doc(text, hint="3"))
    assert len(parsed.rows) == 1
    assert [r.reason for r in parsed.rejects] == ["truncated file: last line has no line end"]


def test_report_type_inferred_without_hint() -> None:
    special = (
        "NYC,2026-08-20 21:47,73.40,71.60,KNYC 202147Z AUTO 05006KT 1 3/4SM RA BR FEW019 "
        "23/22 A2994 RMK AO2 RAB04 PRESRR P0003 $\n"
    )
    parsed = parse_observations(_doc(HEADER + ROUTINE + special))
    assert [row["report_type"] for row in parsed.rows] == [3, 4]
    # A hint always wins over the inference.
    hinted = parse_observations(_doc(HEADER + special, hint="1"))
    assert hinted.rows[0]["report_type"] == 1


def test_empty_response_is_a_note_not_a_reject() -> None:
    parsed = parse_observations(_doc(""))
    assert parsed.rows == [] and parsed.rejects == []
    assert parsed.notes == ["empty response: http://fake/asos.py"]
    header_only = parse_observations(_doc(HEADER))
    assert header_only.rows == [] and header_only.rejects == []


def test_cli_json_rows_and_rejects() -> None:
    payload = {
        "results": [
            {
                "station": "KMDW",
                "valid": "2026-01-23",
                "product": "202601240636-KLOT-CDUS43-CLIMDW",
                "high": 4,
                "high_time": "1159 PM",
                "low": -9,
                "low_time": "M",
            },
            {
                "station": "KMDW",
                "valid": "2026-01-24",
                "product": "202601250636-KLOT-CDUS43-CLIMDW",
                "high": "M",
                "low": "M",
            },
            {"station": "KMDW", "valid": "2026-01-25", "product": "", "high": 3, "low": 1},
            {
                "station": "KXYZ",
                "valid": "2026-01-25",
                "product": "202601260636-X",
                "high": 3,
                "low": 1,
            },
            {
                "station": "KMDW",
                "valid": "2026-01-26",
                "product": "202601270636-KLOT-CDUS43-CLIMDW",
                "high": "T",
                "low": 1,
            },
        ],
        "generated_at": "2026-01-24T13:00:00Z",
    }
    doc = RawDocument(json.dumps(payload), "http://fake/json/cli.py", "real", "http")
    assert sniff(doc.text, doc.location) is Kind.cli
    parsed = parse_daily(doc)
    (row,) = parsed.rows
    assert row["climate_date"] == date(2026, 1, 23)
    assert (row["high_f"], row["low_f"], row["low_time"]) == (4, -9, None)
    assert row["published_at"] == datetime(2026, 1, 24, 6, 36, tzinfo=UTC)
    assert [r.reason for r in parsed.rejects] == [
        "high and low are both missing",
        "product id is missing",
        "unknown station 'KXYZ' (not in domain/data/stations.csv)",
        "high 'T' is not a number (trace 'T' is not a temperature)",
    ]
    assert parsed.rejects[0].location.endswith("#results[1]")


def test_cf6_json_is_told_apart_from_cli() -> None:
    payload = {
        "results": [
            {
                "station": "KMDW",
                "valid": "2026-01-23",
                "high": 4,
                "low": -9,
                "avg_temp": -2.5,
                "hdd": 67,
                "product": "202602010900-KLOT-CXUS53-CF6MDW",
            }
        ]
    }
    doc = RawDocument(json.dumps(payload), "saved.json", "real", "files")
    assert sniff(doc.text, doc.location) is Kind.cf6
    (row,) = parse_daily(doc).rows
    assert row["avg_temp_f"] == -2.5 and "high_time" not in row


def test_unreadable_payloads() -> None:
    assert sniff("hello,world\n1,2\n") is None
    assert sniff('{"data": []}') is None
    broken = parse_daily(RawDocument('{"results": [', "x.json", "real", "files"), Kind.cli)
    assert broken.rows == [] and broken.rejects[0].reason.startswith("unreadable JSON")
    with pytest.raises(RowError):
        published_at("CLIMDW")
