"""Markets of a registry series beyond the seven (KXHIGHTATL) flow from files into the marts.

Before the registry held Atlanta, its markets and candles loaded, staged, and then vanished:
int_markets_enriched joins every market to its station through the seed, and KXHIGHTATL had
none. The realdata folder holds no Atlanta export, so the files here are written in the real
exports' formats (settled ladder, pre-settlement candles, IEM CLI) with made-up values.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import query_rows, run_dbt

pytestmark = pytest.mark.dbt

LADDER_HEADER = (
    "date,ticker,event_ticker,threshold,threshold_low,threshold_high,direction,strike_type,"
    "market_prob,actual_outcome,actual_tmax,result,settlement_value,volume,bid_price,ask_price"
)
CANDLE_HEADER = (
    "date,ticker,bucket,threshold_low,threshold_high,direction,strike_type,presettlement_prob,"
    "bid_cents,ask_cents,volume,open_interest,snapshot_time_utc"
)
CLI_HEADER = "station,date,high,low,high_time,source,source_url,product,fetched_at"
# climate date -> (event code, CLI high): a ladder of 6 markets each, one YES
DAYS = {"2025-12-05": ("25DEC05", 52), "2025-12-06": ("25DEC06", 57)}
# (suffix, strike_type, YES when the high is in this range)
LADDER = [
    ("T49", "less", range(-100, 49)),
    ("B49.5", "between", range(49, 51)),
    ("B51.5", "between", range(51, 53)),
    ("B53.5", "between", range(53, 55)),
    ("B55.5", "between", range(55, 57)),
    ("T56", "greater", range(57, 200)),
]
COVERAGE_TEST = "assert_every_staged_market_reaches_a_mart"
MODELS = ["stations", "+fct_market_outcomes", "+fct_market_calibration", COVERAGE_TEST]


def _write_exports(folder: Path) -> list[Path]:
    ladder, candles, cli = [LADDER_HEADER], [CANDLE_HEADER], [CLI_HEADER]
    for day, (code, high) in DAYS.items():
        event = f"KXHIGHTATL-{code}"
        for suffix, strike_type, yes_range in LADDER:
            ticker = f"{event}-{suffix}"
            yes = high in yes_range
            ladder.append(
                f"{day},{ticker},{event},0,,,x,{strike_type},0.2,{int(yes)},{high},"
                f"{'yes' if yes else 'no'},{100 if yes else 0},40,0.0,0.01"
            )
            bid, ask = (70, 74) if yes else (8, 12)
            candles.append(
                f"{day},{ticker},x,,,x,{strike_type},0.2,{bid},{ask},10,50,{day} 20:00:00 UTC"
            )
        cli.append(
            f"KATL,{day},{high},40,300 PM,iem_cli,https://example.invalid,"
            f"{day.replace('-', '')}0630-KFFC-CDUS42-CLIATL,2026-01-01T00:00:00Z"
        )
    # one market of a series no registry row holds: a reject at load time
    ladder.append(
        "2025-12-05,KXHIGHTXYZ-25DEC05-B51.5,KXHIGHTXYZ-25DEC05,0,,,x,between,0.2,1,52,yes,"
        "100,40,0.0,0.01"
    )
    paths = []
    for name, lines in (("ladder.csv", ladder), ("candles.csv", candles), ("cli.csv", cli)):
        path = folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_kxhightatl_markets_reach_the_outcomes_and_calibration_marts(
    warehouse: Path, tmp_path: Path
) -> None:
    from pipelines.iem import runner as iem_runner
    from pipelines.kalshi import runner

    ladder, candles, cli = _write_exports(tmp_path)
    kalshi = runner.run_files([ladder, candles])
    assert kalshi.table_rows["markets"] == 12 and kalshi.rejects_added == 1
    iem_runner.run_files([cli])
    # only the coverage test: the marts' own tests run in the project's full build
    build = run_dbt(
        ["build", "--select", *MODELS, "--indirect-selection", "empty"], warehouse, tmp_path
    )
    assert build.returncode == 0, build.stdout[-4000:]

    outcomes = query_rows(
        warehouse,
        "select climate_date, count(*) as markets, count(derived_result) as derived, "
        "count(*) filter (where results_disagree) as disagree, "
        "string_agg(market_ticker, ',') filter (where kalshi_result = 'yes') as yes_market "
        "from main.fct_market_outcomes where station_icao = 'KATL' group by 1 order by 1",
    )
    assert [
        (str(r["climate_date"]), r["markets"], r["derived"], r["disagree"]) for r in outcomes
    ] == [
        ("2025-12-05", 6, 6, 0),
        ("2025-12-06", 6, 6, 0),
    ]
    assert [r["yes_market"] for r in outcomes] == [
        "KXHIGHTATL-25DEC05-B51.5",
        "KXHIGHTATL-25DEC06-T56",
    ]
    calibration = query_rows(
        warehouse,
        "select sum(market_count) as markets from main.fct_market_calibration "
        "where station_icao = 'KATL' and price_basis = 'yes_ask'",
    )
    assert calibration == [{"markets": 12}]
    rejects = query_rows(warehouse, "select reason from raw_kalshi.rejects")
    assert (
        len(rejects) == 1 and "'KXHIGHTXYZ' is not in the station registry" in rejects[0]["reason"]
    )

    # A market staged without a registry series (a row removed from the registry after its
    # markets loaded) fails the coverage test instead of vanishing. Staging and
    # int_markets_enriched are views, so the test's compiled SQL sees the new row at once.
    compiled = next((tmp_path / "target" / "compiled").rglob(f"{COVERAGE_TEST}.sql"))
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute(compiled.read_text()).fetchall() == []
        con.execute(
            "insert into raw_kalshi.markets select * replace ("
            "'KXHIGHTXYZ-25DEC05-B51.5' as market_ticker, 'KXHIGHTXYZ' as series_ticker) "
            "from raw_kalshi.markets limit 1"
        )
        uncovered = con.execute(compiled.read_text()).fetchall()
    assert [(row[1], row[-1]) for row in uncovered] == [
        ("KXHIGHTXYZ-25DEC05-B51.5", "series KXHIGHTXYZ is not in the station registry")
    ]
