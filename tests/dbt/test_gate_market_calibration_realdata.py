"""fct_market_calibration runs on the real Kalshi files (../shared/realdata/kalshi).

The presettlement candles are one snapshot per market, often hours before the close, and the
settled-ladder files carry no close time (the mart falls back to 23:59 LST of the climate date).
The top-of-book logs are left out to keep the test quick; they go through the same
int_market_quotes path as orderbook quotes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_dbt

FILES = (
    "settled_ladders_chi.csv",
    "settled_ladders_nyc.csv",
    "presettlement_candles_chi.csv",
    "presettlement_candles_nyc.csv",
    "kxhighchi_2026-06-01_hourly_candles.csv",
)


@pytest.mark.dbt
@pytest.mark.realdata
def test_market_calibration_builds_on_real_files(
    realdata: Path, warehouse: Path, tmp_path: Path
) -> None:
    from pipelines.kalshi import runner as kalshi_runner

    kalshi_runner.run_files([realdata / "kalshi" / name for name in FILES])
    result = run_dbt(
        # cautious: leave out the data tests of the seed's other children, which are not built
        [
            "build",
            "--select",
            "+fct_market_calibration",
            "--exclude",
            "source:*",
            "--indirect-selection",
            "cautious",
        ],
        warehouse,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            select station_icao, price_basis, sum(market_count)
            from main.fct_market_calibration
            where data_source = 'real' and contract_type = 'HIGH'
            group by all
            """
        ).fetchall()
        counts = {(station, basis): int(n) for station, basis, n in rows}
        # Every bucket row is internally consistent: yes_count <= market_count, rate = ratio.
        bad_rows = con.execute(
            """
            select count(*) from main.fct_market_calibration
            where market_count <= 0 or yes_count < 0 or yes_count > market_count
                or abs(realised_yes_rate - yes_count / market_count) > 1e-9
            """
        ).fetchall()[0][0]
        bad_intervals = con.execute(
            """
            select count(*) from main.fct_market_calibration
            where not (ci_low <= realised_yes_rate + 1e-9 and realised_yes_rate <= ci_high + 1e-9)
                or ci_low < -1e-9 or ci_high > 1 + 1e-9
            """
        ).fetchall()[0][0]
        # Mid-price buckets pooled over both cities, 24-48 h before the close.
        mid = dict(
            con.execute(
                """
                select cast(price_bucket_low_dollars as double), realised_yes_rate
                from main.fct_market_calibration
                where data_source = 'real' and station_icao = 'ALL' and contract_type = 'ALL'
                    and price_basis = 'mid' and hours_to_close_min = 24 and market_count >= 30
                """
            ).fetchall()
        )
    finally:
        con.close()

    assert counts.get(("KNYC", "yes_ask"), 0) > 1000, counts
    assert counts.get(("KMDW", "yes_ask"), 0) > 1000, counts
    assert counts.get(("ALL", "mid"), 0) > 1000, counts
    assert bad_intervals == 0
    assert bad_rows == 0
    # Facts of these files: cheap brackets rarely settle YES, dear ones mostly do.
    assert mid[0.0] < 0.1
    assert max(rate for low, rate in mid.items() if low >= 0.6) > 0.5
