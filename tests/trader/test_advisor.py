"""The daily advice: its file (atomic, strict reader) and the rules advisor end to end against
fake NWS and IEM servers (real HTTP), including the ``advise`` command."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from adapters.iem.client import IemClient
from adapters.nws.client import NwsClient
from domain.stations import default_stations, station_by_icao
from tests.fakes.iem_server import FakeIem
from tests.fakes.nws_server import FakeNws
from trader.advisor import Advice, StationAdvice, advice_path, load_advice, write_advice
from trader.advisor_sources import IemCli, RulesAdvisor, cli_context
from trader.cli_advisor import advise, advised_stations

DAY = date(2026, 12, 1)
SIX_AM = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 06:00 EST
NOON = SIX_AM + timedelta(hours=6)


def _advice(**stations: StationAdvice) -> Advice:
    return Advice(DAY, SIX_AM, "rules-v1", stations, ("test",))


def test_written_advice_reads_back(tmp_path: Path) -> None:
    advice = _advice(KNYC=StationAdvice(Decimal("0.75"), ("front",), ("front_high",), {"f": "1"}))
    path = write_advice(tmp_path, advice)
    assert path == advice_path(tmp_path, DAY) and path.name == "advice-2026-12-01.json"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left behind
    loaded = load_advice(tmp_path, DAY, NOON)
    assert loaded == advice
    assert loaded.multiplier("knyc") == Decimal("0.75")
    assert loaded.reason("KNYC") == "front"
    assert loaded.multiplier("KMDW") == Decimal(1) and loaded.reason("KMDW") == ""
    assert json.loads(path.read_text())["stations"]["KNYC"]["multiplier"] == "0.75"


def test_absent_other_day_stale_or_future_advice_is_not_used(tmp_path: Path) -> None:
    assert load_advice(tmp_path, DAY, NOON) is None  # absent
    write_advice(tmp_path, _advice())
    assert load_advice(tmp_path, DAY, SIX_AM - timedelta(minutes=1)) is None  # look-ahead
    assert load_advice(tmp_path, DAY, SIX_AM + timedelta(hours=31)) is None  # stale
    # A file renamed to another day is refused.
    advice_path(tmp_path, DAY).rename(advice_path(tmp_path, DAY + timedelta(days=1)))
    assert load_advice(tmp_path, DAY + timedelta(days=1), NOON) is None


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"schema_version": 1}',
        json.dumps(
            {
                "schema_version": 1,
                "advisor": "x",
                "day": "2026-12-01",
                "created_at": "2026-12-01T11:00:00+00:00",
                "stations": {"KNYC": {"multiplier": "1.5"}},
            }
        ),
    ],
)
def test_malformed_advice_logs_one_line(
    tmp_path: Path, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    advice_path(tmp_path, DAY).write_text(text)
    with caplog.at_level(logging.WARNING, logger="trader.advisor"):
        assert load_advice(tmp_path, DAY, NOON) is None
    (record,) = caplog.records
    assert "malformed" in record.getMessage() and "\n" not in record.getMessage()


@pytest.mark.parametrize("raw", [b'\xff\xfe{"schema', b"[" * 100_000])
def test_undecodable_or_absurd_advice_logs_one_line(
    tmp_path: Path, raw: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    advice_path(tmp_path, DAY).write_bytes(raw)  # bad UTF-8; nesting beyond the recursion limit
    with caplog.at_level(logging.WARNING, logger="trader.advisor"):
        assert load_advice(tmp_path, DAY, NOON) is None
    (record,) = caplog.records
    assert "malformed" in record.getMessage() and "\n" not in record.getMessage()


@pytest.fixture
def servers() -> Iterator[tuple[FakeNws, FakeIem, str]]:
    nws, iem = FakeNws(), FakeIem(realdata=None)
    nws.start()
    iem_url = iem.start()
    # KNYC: yesterday 44/32, normals 45/33; today forecast 59/35: a +15 °F front on the high.
    nws.point("40.7789,-73.9692", "OKX", 33, 37, [(DAY, 59, 35)])
    iem.cli[("KNYC", 2026)].append(
        {
            "station": "KNYC",
            "valid": "2026-11-30",
            "product": "202612010630-KOKX-CDUS41-CLINYC",
            "high": 44,
            "low": 32,
            "high_normal": 45,
            "low_normal": 33,
        }
    )
    yield nws, iem, iem_url
    nws.stop()
    iem.stop()


def test_rules_advisor_flags_a_front(servers: tuple[FakeNws, FakeIem, str]) -> None:
    nws, _, iem_url = servers
    nws_client = NwsClient(nws.base_url, min_interval=0, sleep=lambda s: None)
    iem_client = IemClient(iem_url, min_interval=0, max_attempts=1, sleep=lambda s: None)
    stations = [station_by_icao("KNYC"), station_by_icao("KMDW")]
    with nws_client, iem_client:
        advice = RulesAdvisor(nws_client, IemCli(iem_client)).advise(DAY, stations, SIX_AM)
    knyc = advice.stations["KNYC"]
    assert knyc.multiplier == Decimal("0.5")
    assert knyc.flags == ("front_high",)
    assert knyc.reasons == ("front: forecast high 59°F vs 44°F observed yesterday (+15°F) x0.5",)
    assert knyc.inputs["normal_high_f"] == "45" and knyc.inputs["forecast_low_f"] == "35"
    # KMDW: the fake NWS has no grid for it (404) and no CLI: defaults, and the file says why.
    assert advice.multiplier("KMDW") == Decimal(1)
    assert advice.reason("KMDW") == "no forecast: trade with defaults"
    assert any("KMDW: NWS forecast unavailable" in s for s in advice.sources)
    assert any("202612010630-KOKX-CDUS41-CLINYC" in s for s in advice.sources)


def test_advise_command_writes_the_file(
    servers: tuple[FakeNws, FakeIem, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nws, _, iem_url = servers
    monkeypatch.setenv("NWS_BASE_URL", nws.base_url)
    monkeypatch.setenv("IEM_BASE_URL", iem_url)
    app = typer.Typer()
    app.command()(advise)
    result = CliRunner().invoke(
        app, ["--date", "2026-12-01", "--out", str(tmp_path), "--stations", "KNYC"]
    )
    assert result.exit_code == 0, result.output
    assert "KNYC x0.50: front" in result.output
    body = json.loads(advice_path(tmp_path, DAY).read_text())
    assert body["day"] == "2026-12-01" and body["advisor"] == "rules-v1"
    assert body["stations"]["KNYC"]["multiplier"] == "0.50"
    assert {agent for _, agent in nws.requests} != {""}  # a User-Agent on every request
    bad = CliRunner().invoke(app, ["--date", "12/01/2026", "--out", str(tmp_path)])
    assert bad.exit_code == 2


def _cli_body(*rows: tuple[str, str, int, int]) -> str:
    return json.dumps(
        {
            "results": [
                {"valid": valid, "product": product, "high": high, "low": low, "high_normal": 45}
                for valid, product, high, low in rows
            ]
        }
    )


def test_cli_context_uses_nothing_issued_later_nor_a_preliminary_cli() -> None:
    knyc = station_by_icao("KNYC")
    final = ("2026-11-30", "202612010630-KOKX-CDUS41-CLINYC", 44, 32)
    evening = ("2026-11-30", "202611302130-KOKX-CDUS41-CLINYC", 41, 33)  # high so far
    body = _cli_body(("2026-11-29", "202611300630-KOKX-CDUS41-CLINYC", 50, 40), evening, final)
    as_of_six = cli_context(body, knyc, DAY, SIX_AM)
    assert (as_of_six.previous_high_f, as_of_six.previous_low_f) == (Decimal(44), Decimal(32))
    # At 06:00 UTC the final CLI (06:30 UTC) was not out: only the evening one, which is not
    # yesterday's value.
    before_final = cli_context(body, knyc, DAY, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    assert before_final.previous_high_f is None and before_final.normal_high_f == Decimal(45)
    assert "preliminary" in before_final.note
    long_before = cli_context(body, knyc, DAY, datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    assert long_before.normal_high_f is None and "no report" in long_before.note


@pytest.mark.parametrize(
    ("updated", "note"),
    [
        ("2026-12-01T11:30:00+00:00", "after the advice's instant"),
        ("2026-11-29T10:00:00+00:00", "stale"),
    ],
)
def test_a_later_or_stale_forecast_is_not_used(
    servers: tuple[FakeNws, FakeIem, str], updated: str, note: str
) -> None:
    nws, _, iem_url = servers
    nws.generated_at = updated  # the fake's updateTime
    nws_client = NwsClient(nws.base_url, min_interval=0, sleep=lambda s: None)
    iem_client = IemClient(iem_url, min_interval=0, max_attempts=1, sleep=lambda s: None)
    with nws_client, iem_client:
        advice = RulesAdvisor(nws_client, IemCli(iem_client)).advise(
            DAY, [station_by_icao("KNYC")], SIX_AM
        )
    assert advice.multiplier("KNYC") == Decimal(1)  # the +15 °F front is not seen
    assert advice.stations["KNYC"].inputs["forecast_high_f"] is None
    assert any(note in s for s in advice.sources)


def test_advise_defaults_to_the_traded_stations() -> None:
    assert advised_stations(None) == list(default_stations())  # the seven, not the registry
    assert [s.icao for s in advised_stations("kmdw, KNYC")] == ["KMDW", "KNYC"]


@pytest.mark.parametrize("text", ["[]", '{"results": [1, "x", null]}', '{"results": {}}', ""])
def test_cli_context_of_an_odd_body_knows_nothing(text: str) -> None:
    context = cli_context(text, station_by_icao("KNYC"), DAY, SIX_AM)
    assert context.previous_high_f is None and context.normal_high_f is None
    assert "no report" in context.note


def test_a_failed_write_leaves_neither_a_file_nor_a_temporary(tmp_path: Path) -> None:
    bad = _advice(KNYC=StationAdvice(Decimal(1), inputs={"x": Decimal(1)}))  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        write_advice(tmp_path, bad)  # not JSON: fails half-way through the temporary
    assert list(tmp_path.iterdir()) == []
