"""°C -> °F in SQL agrees with ``domain.temperature`` on every tenth from -50.0 to 50.0 °C.

The SQL conversion lives in the models, not in a macro: ``stg_iem__observations.temp_f`` (the
tenths-precise °F) and ``int_observations__climate_day.temp_f_whole`` (whole °F, half away from
zero, the value every running extreme and the CLI comparison use). One observation per tenth is
written into the raw table of a copy of the sample warehouse, under a finished load, and read back
through those two views, so the test runs the models' own expressions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from domain.temperature import c_to_f, whole_f
from tests.conftest import build_sample_models

pytestmark = pytest.mark.dbt

TENTHS = [Decimal(n) / 10 for n in range(-500, 501)]
FIRST_AT = datetime(2030, 1, 1, tzinfo=UTC)
# temp_f is a double (the precise running extremes): within float error of the exact value
TOLERANCE = Decimal("1e-9")


def test_sql_conversion_matches_python_on_every_tenth(
    sample_warehouse_copy: Path, tmp_path: Path
) -> None:
    frame = pd.DataFrame(
        {
            "valid_at": [FIRST_AT + timedelta(minutes=i) for i in range(len(TENTHS))],
            "temp_c_tenths": [str(c) for c in TENTHS],
        }
    )
    con = duckdb.connect(str(sample_warehouse_copy))
    try:
        con.register("tenths", frame)
        # one loaded row as the template (finished load, every required column), re-dated and
        # re-valued once per tenth
        con.execute(
            """
            insert into raw_iem.asos_observations
            select template.* replace (
                'parity' as data_source,
                tenths.valid_at as valid_at,
                3 as report_type,
                cast(tenths.temp_c_tenths as decimal(5, 1)) as temp_c_tenths,
                cast(round(cast(tenths.temp_c_tenths as decimal(5, 1))) as bigint)
                    as temp_c_whole
            )
            from (
                select * from raw_iem.asos_observations
                where station = 'KMDW'
                    and _dlt_load_id in (select load_id from raw_iem._dlt_loads where status = 0)
                limit 1
            ) as template
            cross join tenths
            """
        )
    finally:
        con.close()
    # the rows were inserted under an old load id, which an incremental build (new loads only)
    # skips: rebuild the two models whole
    build_sample_models(
        sample_warehouse_copy,
        tmp_path,
        ("stg_iem__observations", "int_observations__climate_day"),
        full_refresh=True,
    )
    with duckdb.connect(str(sample_warehouse_copy), read_only=True) as con:
        rows = con.execute(
            """
            select o.temp_c_tenths, o.temp_f, c.temp_f_whole
            from main.stg_iem__observations as o
            inner join main.int_observations__climate_day as c
                on o.data_source = c.data_source and o.station_icao = c.station_icao
                and o.observed_at = c.observed_at
            where o.data_source = 'parity'
            """
        ).fetchall()

    assert sorted(row[0] for row in rows) == TENTHS
    failures = [
        (celsius, temp_f, temp_f_whole)
        for celsius, temp_f, temp_f_whole in rows
        if temp_f_whole != whole_f(celsius) or abs(Decimal(temp_f) - c_to_f(celsius)) > TOLERANCE
    ]
    assert failures == []
