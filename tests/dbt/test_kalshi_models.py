"""dbt build of the Kalshi staging, intermediate and market marts on the real exports."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_dbt

pytestmark = [pytest.mark.dbt, pytest.mark.realdata]

KALSHI_MODELS = [
    "stg_kalshi__series",
    "stg_kalshi__series_snapshots",
    "stg_kalshi__events",
    "stg_kalshi__markets",
    "stg_kalshi__candles",
    "stg_kalshi__trades",
    "stg_kalshi__orderbook_snapshots",
    "stg_kalshi__rejects",
    "stg_kalshi__ws_orderbook_snapshots",
    "stg_kalshi__ws_orderbook_deltas",
    "stg_kalshi__ws_gaps",
    "stg_kalshi__ws_sessions",
    "int_book_events",
    "int_book_minutes",
    "int_station_series",
    "int_markets_enriched",
    "int_market_quotes",
    "fct_market_outcomes",
    "dim_settlement_rules",
    "assert_at_most_one_yes_market_per_event",
]


def test_market_models_build_and_agree_with_the_cli(
    realdata: Path, warehouse: Path, tmp_path: Path
) -> None:
    from pipelines.iem import runner as iem_runner
    from pipelines.kalshi import runner

    kalshi = realdata / "kalshi"
    runner.run_files(
        [
            kalshi / "settled_ladders_nyc.csv",
            kalshi / "settled_ladders_chi.csv",
            kalshi / "kxhighchi_2026-06-01_hourly_candles.csv",
            kalshi / "presettlement_candles_chi.csv",
            kalshi / "kxhighny_top_of_book" / "KXHIGHNY-25DEC05.csv",
        ]
    )
    iem_runner.run_files([realdata / "weather" / "cli_daily_kmdw_knyc.csv"])
    seed = run_dbt(["seed", "--select", "stations"], warehouse, tmp_path)
    assert seed.returncode == 0, seed.stdout
    weather = run_dbt(
        ["run", "--select", "+fct_climate_day", "--exclude", "resource_type:seed"],
        warehouse,
        tmp_path,
    )
    assert weather.returncode == 0, weather.stdout
    build = run_dbt(["build", "--select", *KALSHI_MODELS], warehouse, tmp_path)
    assert build.returncode == 0, build.stdout[-4000:]

    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcomes = con.execute(
            "select station_icao, count(*), count(derived_result), "
            "count(*) filter (where results_disagree) "
            "from main.fct_market_outcomes group by 1 order by 1"
        ).fetchall()
        chi_june = con.execute(
            "select market_ticker, cli_value_f, derived_result, kalshi_result "
            "from main.fct_market_outcomes where climate_date = date '2026-06-01' "
            "and kalshi_result = 'yes'"
        ).fetchall()
        quotes = con.execute(
            "select quote_source, count(*) from main.int_market_quotes group by 1 order by 1"
        ).fetchall()
    # every settled market is there; those with a real CLI value (2025-12-26 on) all agree
    assert outcomes == [("KMDW", 6876, 312, 0), ("KNYC", 6542, 36, 0)]
    assert chi_june == [("KXHIGHCHI-26JUN01-T72", 71, "yes", "yes")]
    assert dict(quotes)["candle_60m"] > 6000 and dict(quotes)["orderbook"] > 20000
