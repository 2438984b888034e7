"""IEM rows -> observations; Kalshi event payloads -> ladders; the console line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.iem.client import IemClient
from adapters.kalshi.orderbook import parse_orderbook_body
from domain.brackets import Bracket
from domain.running_extreme import running_extreme
from domain.stations import station_by_icao
from pipelines.documents import RawDocument
from pipelines.iem.parsers import parse_observations
from tests.fakes.iem_server import FakeIem
from trader.console import station_line
from trader.feeds import IemObservations, parse_asos_csv
from trader.loop import StationReport
from trader.markets import LadderMarket, SeriesFees, ladder_markets, ladder_quote

HEADER = "station,valid,tmpf,dwpf,metar"
ROUTINE = (
    "NYC,2026-08-21 19:51,78.00,64.00,KNYC 211951Z AUTO 04003KT 10SM FEW041 26/18 A3006 "
    "RMK AO2 SLP171 T02560178"
)


def test_asos_rows_keep_tenths_tmpf_and_report_type() -> None:
    hf = "NYC,2026-08-21 19:55,M,M,KNYC 211955Z AUTO 04003KT 10SM 26/18 A3006 RMK AO2"
    parsed = parse_asos_csv("\n".join([HEADER, ROUTINE, hf]) + "\n", 3)
    first, second = parsed.observations
    assert first.station_icao == "KNYC" and first.report_type == 3
    assert first.observed_at == datetime(2026, 8, 21, 19, 51, tzinfo=UTC)
    assert (first.temp_c_tenths, first.temp_f_reported, first.temp_f_whole) == (
        Decimal("25.6"),
        Decimal("78.00"),
        78,
    )
    assert (second.temp_c_tenths, second.temp_f_reported, second.temp_c_whole) == (None, None, 26)
    assert parsed.skipped == ()


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("XXX,2026-08-21 19:51,78.00,64.00,", "unknown station"),
        ("NYC,2026-08-21 19:51,M,M,", "no temperature"),
        ("NYC,2026-08-21 19:51,78.00,64.00,KMDW 211951Z AUTO 26/18 A3006", "METAR station"),
        ("NYC,2026-08-21 23:51,78.00,64.00,KNYC 211951Z AUTO 26/18 A3006", "METAR time"),
        ("NYC,2026-08-21 19:51,hot,64.00,", "not a number"),
        ("NYC,2026-08-21 19:51,78.00,wet,", "dwpf 'wet' is not a number"),
        ("NYC,2026-08-21 19:51,inf,64.00,", "tmpf 'inf' is not a number"),
        ("NYC,21 Aug 2026 19:51,78.00,64.00,", "valid time"),
    ],
)
def test_bad_rows_are_skipped_with_a_reason(line: str, why: str) -> None:
    parsed = parse_asos_csv("\n".join([HEADER, ROUTINE, line]) + "\n", 3)
    assert len(parsed.observations) == 1
    (reason,) = parsed.skipped
    assert why in reason and reason.startswith("line 3")


def test_a_cut_off_body_or_a_short_row_never_becomes_a_reading() -> None:
    # "78.00" cut to "7" at the end of a body, or a row missing its last fields, would read as 7 °F
    cut = parse_asos_csv("\n".join([HEADER, ROUTINE, "NYC,2026-08-21 20:51,7"]), 3)
    assert [o.temp_f_reported for o in cut.observations] == [Decimal("78.00")]
    assert cut.skipped == ("line 3: truncated file: last line has no line end",)
    short = parse_asos_csv("\n".join([HEADER, "NYC,2026-08-21 20:51,7", ROUTINE]) + "\n", 3)
    assert [o.temp_f_reported for o in short.observations] == [Decimal("78.00")]
    assert short.skipped == ("line 2: garbled row: header has 5 fields",)


AGREEMENT_ROWS = [
    ROUTINE,
    "KNYC,2026-08-21 19:55,M,M,KNYC 211955Z AUTO 04003KT 10SM 26/18 A3006 RMK AO2",
    "NYC,2026-08-21 20:51,77.5,,",
    ",2026-08-21 19:51,78.00,64.00,",
    "XXX,2026-08-21 19:51,78.00,64.00,",
    "NYC,2026-08-21 19:5,78.00,64.00,",
    "NYC,2026-08-21 19:51,M,M,",
    "NYC,2026-08-21 19:51,M,M,KNYC 211951Z AUTO 04003KT 10SM FEW041 A3006",
    "NYC,2026-08-21 19:51,80.1,64.00,NULL",
    "NYC,2026-08-21 19:51,-inf,64.00,",
    "NYC,2026-08-21 19:51,78.00,64.00,KMDW 211951Z AUTO 26/18 A3006",
    "NYC,2026-08-21 21:51,78.00,64.00,KNYC 211951Z AUTO 26/18 A3006",
    "NYC,2026-08-21 20:30,78.00,64.00,KNYC 212010Z AUTO 26/18 A3006",
    "NYC,2026-08-21 19:51,78.00,64.00,not a metar at all",
]


def test_the_trader_uses_exactly_the_rows_the_loaders_load() -> None:
    """One row rule (``domain.observations``): same rows kept, same reasons for the others."""
    body = "\n".join([HEADER, *AGREEMENT_ROWS]) + "\n"
    trader = parse_asos_csv(body, 3)
    loaders = parse_observations(RawDocument(body, "http://fake/asos.py", "real", "http", hint="3"))
    kept = [(r["station"], r["valid_at"], r["temp_c_tenths"]) for r in loaders.rows]
    assert kept == [(o.station_icao, o.observed_at, o.temp_c_tenths) for o in trader.observations]
    assert [r["temp_f_reported"] for r in loaders.rows] == [
        None if o.temp_f_reported is None else float(o.temp_f_reported) for o in trader.observations
    ]
    assert len(kept) == 5 and len(loaders.rejects) == len(trader.skipped) == 9
    assert [r.reason for r in loaders.rejects] == [s.split(": ", 1)[1] for s in trader.skipped]


@pytest.mark.realdata
def test_real_knyc_reports_through_the_fake_iem(realdata: Path) -> None:
    """On 2026-08-21 the reports' max is 78 °F (the CLI said 79: realdata README caveat)."""
    iem = FakeIem(realdata)
    client = IemClient(iem.start(), min_interval=0, max_attempts=1, sleep=lambda s: None)
    try:
        station = station_by_icao("KNYC")
        start = datetime(2026, 8, 21, 5, tzinfo=UTC)
        end = datetime(2026, 8, 22, 5, tzinfo=UTC)
        readings = IemObservations(client).fetch(station, start, end)
    finally:
        client.close()
        iem.stop()
    assert len(readings) > 20 and {r.report_type for r in readings} == {3, 4}
    extreme = running_extreme(readings, station, date(2026, 8, 21), end)
    assert extreme.running_max_f == 78


def test_ladder_markets_use_strikes_then_the_ticker() -> None:
    markets = (
        {
            "ticker": "KXHIGHNY-26FEB09-B40.5",
            "status": "active",
            "strike_type": "between",
            "floor_strike": 40,
            "cap_strike": 41,
        },
        {"ticker_name": "KXHIGHNY-26FEB09-T43", "status": "open", "strike_type": "greater"},
        {
            "ticker": "KXHIGHNY-26FEB09-T38",
            "status": "closed",
            "strike_type": "less",
            "cap_strike": 38,
        },
        {"ticker": "KXHIGHNY-26FEB09-T99", "status": "active", "strike_type": "weird"},
    )
    assert ladder_markets(markets) == (
        LadderMarket("KXHIGHNY-26FEB09-B40.5", Bracket(40, 41)),
        LadderMarket("KXHIGHNY-26FEB09-T43", Bracket(44, None)),
    )


@pytest.mark.realdata
def test_real_event_payload_shape_is_read_without_crashing(realdata: Path) -> None:
    """The real sample is a crypto event (``ticker_name``, no strikes, no weather grammar): every
    market is left out with a warning, none raises."""
    body = json.loads((realdata / "api_samples" / "kalshi_get_event_with_markets.json").read_text())
    assert ladder_markets(tuple(body["event"]["markets"])) == ()


def test_ladder_quote_and_console_line() -> None:
    market = LadderMarket("KXHIGHNY-26FEB09-B40.5", Bracket(40, 41))
    book = parse_orderbook_body(
        market.market_ticker,
        {"orderbook_fp": {"yes_dollars": [["0.5500", "3.00"]], "no_dollars": [["0.4000", "9.00"]]}},
    )
    quote = ladder_quote(market, book, SeriesFees("quadratic_with_maker_fees", Decimal("1.5")))
    assert (quote.yes_ask, quote.yes_bid) == (Decimal("0.6000"), Decimal("0.5500"))
    assert (quote.fee_type, quote.fee_multiplier) == ("quadratic_with_maker_fees", Decimal("1.5"))
    empty = ladder_quote(market, parse_orderbook_body(market.market_ticker, {}), SeriesFees())
    assert empty.yes_ask is None
    line = station_line(StationReport("KNYC", date(2026, 2, 9), status="iem backoff"))
    assert "KNYC" in line and "no readings" in line and "iem backoff" in line
