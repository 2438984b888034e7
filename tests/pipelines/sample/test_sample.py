"""The simulated sample: deterministic, in the real wire formats, internally consistent."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from domain.brackets import settles_yes
from domain.climate_day import climate_date
from domain.stations import station_by_icao, station_by_series
from domain.temperature import whole_f
from domain.tickers import parse_ticker
from pipelines.iem.daily import parse_daily
from pipelines.iem.parsers import Kind, parse_observations
from pipelines.kalshi.fields import ParseContext
from pipelines.kalshi.parsers import (
    parse_candle,
    parse_event,
    parse_market,
    parse_series,
    parse_trade,
)
from pipelines.sample import events as sample_events
from pipelines.sample import kalshi as sample_kalshi
from pipelines.sample import truth as sample_truth
from pipelines.sample.climate_reports import cf6_documents, cli_documents, cli_issues
from pipelines.sample.runner import DEFAULT_END, DEFAULT_START, run_sample, sample_window
from pipelines.sample.weather import (
    asos_documents,
    f_text_from_tenths_c,
    f_text_from_whole_c,
    tenths_c,
    whole_c,
)

STATIONS = [station_by_icao("KMDW"), station_by_icao("KDEN")]
DAYS = sample_truth.iter_days(date(2025, 3, 1), date(2025, 3, 5))


def _clear_caches() -> None:
    """Drop every memo so a second generation really recomputes."""
    sample_truth.day_draws.cache_clear()
    sample_truth.daily_anomaly.cache_clear()
    sample_truth.day_truth.cache_clear()
    sample_events.simulate_day.cache_clear()


def _generate(stations=STATIONS, days=DAYS) -> dict[str, list[str]]:
    payloads = sample_kalshi.kalshi_payloads(stations, days)
    return {
        "asos": [d.location + "\n" + d.text for d in asos_documents(stations, days)],
        "cli": [d.text for d in cli_documents(stations, days)],
        "cf6": [d.text for d in cf6_documents(stations, days)],
        "series": [json.dumps(o, sort_keys=True) for o in payloads.series],
        "events": [json.dumps(o, sort_keys=True) for o in payloads.events],
        "markets": [json.dumps(m, sort_keys=True) for _, m, _ in payloads.markets],
        "candles": [
            json.dumps([c.market_ticker, c.candle], sort_keys=True) for c in payloads.candles
        ],
        "trades": [json.dumps(o, sort_keys=True) for o in payloads.trades],
    }


@pytest.fixture(scope="module")
def generated() -> dict[str, list[str]]:
    _clear_caches()
    return _generate()


@pytest.fixture(scope="module")
def observations() -> tuple[list[dict], list]:
    rows, rejects = [], []
    for doc in asos_documents(STATIONS, DAYS):
        parsed = parse_observations(doc)
        rows.extend(parsed.rows)
        rejects.extend(parsed.rejects)
    return rows, rejects


def test_generation_is_deterministic(generated: dict[str, list[str]]) -> None:
    _clear_caches()
    again = _generate()
    for name, values in generated.items():
        assert values, f"{name} is empty"
        assert again[name] == values, f"{name} differs between two generations"


def test_a_day_does_not_depend_on_the_window() -> None:
    """A climate day's values are a function of (station, date), not of the run's window."""
    station = STATIONS[0]
    wide = json.loads(next(cli_documents([station], DAYS)).text)["results"]
    _clear_caches()
    narrow = json.loads(next(cli_documents([station], DAYS[2:3])).text)["results"]
    assert [r for r in wide if r["valid"] == DAYS[2].isoformat()] == narrow


def test_default_window_is_200_days() -> None:
    assert sample_window(None, None) == (DEFAULT_START, DEFAULT_END)
    assert (DEFAULT_END - DEFAULT_START).days + 1 == 200
    start, end = sample_window(date(2025, 1, 1), None)
    assert (end - start).days + 1 == 200
    with pytest.raises(ValueError, match="after"):
        sample_window(date(2025, 2, 1), date(2025, 1, 1))


def test_unit_conversions_are_exact() -> None:
    # The °F -> °C -> °F trap (docs/venues.md, "The °F -> °C -> °F trap"): 83 °F is 28 °C in the body, 82.40 back.
    assert (tenths_c(83), whole_c(83)) == (283, 28)
    assert f_text_from_whole_c(28) == "82.40"
    assert f_text_from_tenths_c(283) == "82.94"
    assert whole_f(Decimal(tenths_c(83)) / 10) == 83
    # Just below freezing: tenths -0.6 °C, body rounds to -1; -0.3 °C gives M00.
    assert (tenths_c(31), whole_c(31)) == (-6, -1)
    assert f_text_from_whole_c(-1) == "30.20"
    for f in range(-20, 121):
        assert whole_f(Decimal(tenths_c(f)) / 10) == f


def test_asos_documents_parse_with_only_the_planted_rejects(observations) -> None:
    rows, rejects = observations
    reasons = Counter(r.reason.split(":")[0] for r in rejects)
    # Two deliberately garbled rows per run, plus whole-ob 'M' rows (none in this window).
    assert reasons["garbled row"] == 1
    assert sum(1 for r in rejects if r.reason.startswith("valid time")) == 1
    assert sum(reasons.values()) == 2 + reasons["no temperature"]
    assert Counter(row["report_type"] for row in rows)[1] == len(STATIONS) * len(DAYS) * 288
    assert {row["data_source"] for row in rows} == {"simulated"}
    assert {row["ingest_channel"] for row in rows} == {"sample"}
    assert all(row["source_location"].startswith("simulated://") for row in rows)
    assert all(r.location.startswith("simulated://") for r in rejects)


def test_observation_groups(observations) -> None:
    rows, _ = observations
    routine = [r for r in rows if r["report_type"] == 3]
    hf = [r for r in rows if r["report_type"] == 1]
    assert all(r["valid_at"].minute == 51 for r in routine)
    assert all(r["temp_c_tenths"] is not None for r in routine)
    # 5-minute rows carry whole °C only and tmpf derived from it.
    assert all(r["temp_c_tenths"] is None and r["temp_c_whole"] is not None for r in hf)
    for r in hf:
        if r["temp_f_reported"] is not None:
            assert r["temp_f_reported"] == pytest.approx(r["temp_c_whole"] * 1.8 + 32)
    # 6-hour groups on the :51 ob before 00/06/12/18Z; one 24-h group per station-day.
    six = [r for r in routine if r["max_6h_c"] is not None]
    assert six and all((r["valid_at"].hour + 1) % 6 == 0 for r in six)
    assert all(r["max_6h_c"] >= r["min_6h_c"] for r in six)
    four = [r for r in routine if r["max_24h_c"] is not None]
    assert len(four) == len(STATIONS) * len(DAYS)
    # A few 5-minute temperatures are blanked ('M') but their METAR body still loads.
    blanked = sum(r["temp_f_reported"] is None for r in hf)
    assert 0 < blanked < len(hf) // 100


def test_cli_high_bounds_the_observations(observations) -> None:
    rows, _ = observations
    obs_max: dict[tuple[str, date], int] = defaultdict(lambda: -999)
    hf_max: dict[tuple[str, date], float] = defaultdict(lambda: -999.0)
    for r in rows:
        key = (r["station"], climate_date(r["valid_at"], station_by_icao(r["station"])))
        if r["temp_c_tenths"] is not None:
            obs_max[key] = max(obs_max[key], whole_f(r["temp_c_tenths"]))
        elif r["temp_c_whole"] is not None:
            hf_max[key] = max(hf_max[key], r["temp_c_whole"] * 1.8 + 32)
    strictly_greater = 0
    for doc in cli_documents(STATIONS, DAYS):
        for cli in parse_daily(doc, Kind.cli).rows:
            key = (cli["station"], cli["climate_date"])
            # Tenths groups are exact whole °F of 2-minute averages: never above the CLI high.
            assert cli["high_f"] >= obs_max[key]
            # Whole-°C 5-minute values are instantaneous and ±1 °F after conversion.
            assert cli["high_f"] >= hf_max[key] - 2.5
            strictly_greater += cli["high_f"] > obs_max[key]
    assert strictly_greater > 0, "the official high should sometimes beat every reported ob"


def test_cli_and_cf6_parse_and_agree() -> None:
    cli_rows = [row for doc in cli_documents(STATIONS, DAYS) for row in parse_daily(doc).rows]
    cf6_rows = [row for doc in cf6_documents(STATIONS, DAYS) for row in parse_daily(doc).rows]
    assert len(cf6_rows) == len(STATIONS) * len(DAYS)
    latest = {}
    for row in sorted(cli_rows, key=lambda r: r["published_at"]):
        latest[(row["station"], row["climate_date"])] = row
        # Issued the next local morning, after the climate day ended.
        assert row["published_at"].date() > row["climate_date"]
    for row in cf6_rows:
        cli = latest[(row["station"], row["climate_date"])]
        assert (row["high_f"], row["low_f"]) == (cli["high_f"], cli["low_f"])
    assert all(r["data_source"] == "simulated" for r in cli_rows + cf6_rows)


def test_corrections_are_rare_and_marked() -> None:
    station = STATIONS[0]
    days = sample_truth.iter_days(date(2025, 3, 1), date(2025, 9, 16))
    issues = [cli_issues(station, sample_truth.day_truth(station, d)) for d in days]
    corrected = [i for i in issues if len(i) > 1]
    assert 0 < len(corrected) <= 8
    for first, second in corrected:
        assert second.product_id.endswith("-CCA") and second.product_id > first.product_id
        assert abs(second.high_f - first.high_f) + abs(second.low_f - first.low_f) == 1


def _ctx() -> ParseContext:
    return ParseContext("simulated", "sample", "simulated://test")


def test_kalshi_objects_parse_and_settle_on_the_cli() -> None:
    ctx = _ctx()
    payloads = sample_kalshi.kalshi_payloads(STATIONS, DAYS)
    series = [parse_series(o, datetime(2025, 1, 1, tzinfo=UTC), ctx=ctx) for o in payloads.series]
    assert {s["fee_type"] for s in series} == {"quadratic"}
    assert {s["fee_multiplier"] for s in series} == {"1"}
    assert all("CLI" in s["settlement_sources"] for s in series)
    events = [parse_event(o, ctx=ctx) for o in payloads.events]
    assert len(events) == len(STATIONS) * len(DAYS) * 2
    cli = {
        (station.icao, day): cli_issues(station, sample_truth.day_truth(station, day))[0]
        for station in STATIONS
        for day in DAYS
    }
    by_event: dict[str, list[dict]] = defaultdict(list)
    for series_ticker, obj, tier in payloads.markets:
        row = parse_market(obj, series_ticker, tier, ctx=ctx)
        by_event[obj["event_ticker"]].append(row)
        parsed = parse_ticker(obj["ticker"])
        station, contract = station_by_series(series_ticker)
        issue = cli[(station.icao, parsed.climate_date)]
        value = issue.high_f if contract == "HIGH" else issue.low_f
        expected = settles_yes(value, obj["strike_type"], row["floor_strike"], row["cap_strike"])
        assert obj["result"] == ("yes" if expected else "no")
        assert obj["status"] == "finalized"
        assert station.cli_product in obj["rules_primary"]
        # close = 23:59 LST of the climate date
        close = row["close_time"].astimezone(station.standard_zone)
        assert (close.date(), close.hour, close.minute) == (parsed.climate_date, 23, 59)
    assert len(by_event) == len(events)
    for ticker, rows in by_event.items():
        assert len(rows) == 6, ticker
        assert sum(r["result"] == "yes" for r in rows) == 1, ticker
        kinds = Counter(r["strike_type"] for r in rows)
        assert kinds == {"between": 4, "less": 1, "greater": 1}
    assert not ctx.rejects


def test_candles_and_trades_are_consistent() -> None:
    ctx = _ctx()
    payloads = sample_kalshi.kalshi_payloads(STATIONS, DAYS)
    markets = {m["ticker"]: m for _, m, _ in payloads.markets}
    last_end: dict[str, int] = {}
    volume: Counter[str] = Counter()
    no_quote = quoted = 0
    for item in payloads.candles:
        candle = item.candle
        row = parse_candle(candle, item.series_ticker, item.market_ticker, 1, item.tier, ctx=ctx)
        end = candle["end_period_ts"]
        assert end % 60 == 0 and end > last_end.get(item.market_ticker, 0)
        last_end[item.market_ticker] = end
        bid, ask = Decimal(row["yes_bid_close_dollars"]), Decimal(row["yes_ask_close_dollars"])
        if bid == 0 and ask == 1:
            no_quote += 1
        elif bid > 0 and ask < 1:
            quoted += 1
            assert Decimal("0.01") <= ask - bid <= Decimal("0.06")
        if row["volume_fp"] == "0.00":
            assert row["price_close_dollars"] is None
        else:
            assert row["price_close_dollars"] is not None
        volume[item.market_ticker] += int(Decimal(row["volume_fp"]))
    assert no_quote > 0 and quoted > 0
    trade_volume: Counter[str] = Counter()
    for obj in payloads.trades:
        row = parse_trade(obj, ctx=ctx)
        assert Decimal(row["yes_price_dollars"]) + Decimal(row["no_price_dollars"]) == 1
        trade_volume[row["market_ticker"]] += int(Decimal(row["count_fp"]))
    for ticker, market in markets.items():
        assert int(Decimal(market["volume_fp"])) == trade_volume[ticker] == volume[ticker]
    # Quiet minutes are missing: far fewer bars than minutes the market was open.
    assert sum(1 for _ in payloads.candles) < len(markets) * 200
    assert not ctx.rejects


def test_market_belief_converges_to_the_settled_bracket() -> None:
    """By the close the settled bracket is bid high; far earlier it is not yet certain."""
    final_bids, early_mids = [], []
    for station in STATIONS:
        for day in DAYS:
            for event in sample_events.simulate_day(station, day):
                (winner,) = [m for m in event.markets if m.market["result"] == "yes"]
                final_bids.append(Decimal(winner.market["yes_bid_dollars"]))
                quoted = [c for c in winner.candles if c["yes_bid"]["close_dollars"] != "0.0000"]
                if quoted:
                    first = quoted[0]
                    early_mids.append(
                        (
                            Decimal(first["yes_bid"]["close_dollars"])
                            + Decimal(first["yes_ask"]["close_dollars"])
                        )
                        / 2
                    )
    assert sum(bid >= Decimal("0.80") for bid in final_bids) >= 0.8 * len(final_bids)
    assert sum(early_mids) / len(early_mids) < Decimal("0.6")


def test_run_sample_loads_simulated_rows_idempotently(warehouse: Path) -> None:
    stations, start, end = STATIONS[:1], date(2025, 3, 1), date(2025, 3, 2)
    first = run_sample(stations, start, end)
    again = run_sample(stations, start, end)
    assert [s.table_rows for s in first] == [s.table_rows for s in again]
    assert first[0].table_rows["asos_observations"] > 0
    assert first[1].table_rows["candlesticks"] > 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw_iem', 'raw_kalshi') and table_name not like '\\_dlt%' escape '\\'"
        ).fetchall()
        for schema, table in tables:
            columns = {
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            }
            if "data_source" not in columns:
                continue
            labels = con.execute(
                f'select distinct data_source from "{schema}"."{table}"'
            ).fetchall()
            assert labels in ([], [("simulated",)]), f"{schema}.{table}: {labels}"
