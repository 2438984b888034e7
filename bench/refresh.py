"""``python -m bench.refresh --warehouse W``: the hourly refresh on a built bench warehouse.

On a copy of the warehouse (``<out>/refresh.duckdb``; the original is never written), one new
climate day is appended for every station, SIMULATED: the raw rows of each station's latest
day shifted by one day, as one new finished dlt load per raw dataset (observations into
``raw_iem``; the ladder's markets, events and candles into ``raw_kalshi``, tickers renamed to
the new date, markets open and unsettled). Then the ``dbt build`` a refresh cycle runs
(``pipelines.refresh.run_cycle``: ``dbt build --quiet``) is timed on the copy, with peak memory.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from bench.dbt_step import REPO_ROOT, dbt_build

log = logging.getLogger(__name__)

# pipelines.refresh.run_cycle's default dbt arguments: the build every refresh cycle runs.
REFRESH_DBT_ARGS = ("--quiet",)
SOURCE_LOCATION = "bench.refresh (simulated: the latest day shifted by one day)"

# The latest climate day's observations of each station: the 24 hours before its last report.
APPEND_OBSERVATIONS = """
insert into raw_iem.asos_observations by name
select
    * replace (
        valid_at + interval 1 day as valid_at,
        $source_location as source_location,
        $load_id as _dlt_load_id
    )
from raw_iem.asos_observations as o
where o.valid_at > (
    select max(latest.valid_at) - interval 1 day
    from raw_iem.asos_observations as latest
    where latest.station = o.station and latest.data_source = o.data_source
)
"""

# The latest event of each series (by its markets' close: a bench load has markets, no events),
# its ticker's date (e.g. 25SEP16) and the next date's.
LATEST_EVENTS = """
create temp table refresh_events as
select
    latest.data_source,
    latest.event_ticker,
    split_part(latest.event_ticker, '-', 2) as old_token,
    upper(strftime(
        strptime(split_part(latest.event_ticker, '-', 2), '%y%b%d') + interval 1 day, '%y%b%d'
    )) as new_token
from (
    select m.data_source, arg_max(m.event_ticker, m.close_time) as event_ticker
    from raw_kalshi.markets as m
    group by m.data_source, m.series_ticker
) as latest
"""

APPEND_EVENTS = """
insert into raw_kalshi.events by name
select
    e.* replace (
        replace(e.event_ticker, r.old_token, r.new_token) as event_ticker,
        e.strike_date + interval 1 day as strike_date,
        $source_location as source_location,
        $load_id as _dlt_load_id
    )
from raw_kalshi.events as e
inner join refresh_events as r using (data_source, event_ticker)
"""

APPEND_MARKETS = """
insert into raw_kalshi.markets by name
select
    m.* replace (
        replace(m.market_ticker, r.old_token, r.new_token) as market_ticker,
        replace(m.event_ticker, r.old_token, r.new_token) as event_ticker,
        'active' as status,
        '' as result,
        m.open_time + interval 1 day as open_time,
        m.close_time + interval 1 day as close_time,
        m.created_time + interval 1 day as created_time,
        m.updated_time + interval 1 day as updated_time,
        m.expected_expiration_time + interval 1 day as expected_expiration_time,
        m.expiration_time + interval 1 day as expiration_time,
        m.latest_expiration_time + interval 1 day as latest_expiration_time,
        cast(null as timestamptz) as settlement_ts,
        cast(null as varchar) as expiration_value,
        cast(null as varchar) as settlement_value_dollars,
        $source_location as source_location,
        $load_id as _dlt_load_id
    )
from raw_kalshi.markets as m
inner join refresh_events as r using (data_source, event_ticker)
"""

APPEND_CANDLES = """
insert into raw_kalshi.candlesticks by name
select
    c.* replace (
        replace(c.market_ticker, r.old_token, r.new_token) as market_ticker,
        c.end_period_ts + interval 1 day as end_period_ts,
        $source_location as source_location,
        $load_id as _dlt_load_id
    )
from raw_kalshi.candlesticks as c
inner join (
    select distinct data_source, market_ticker, event_ticker from raw_kalshi.markets
) as m
    on c.data_source = m.data_source and c.market_ticker = m.market_ticker
inner join refresh_events as r
    on m.data_source = r.data_source and m.event_ticker = r.event_ticker
"""

FINISH_LOAD = """
insert into {schema}._dlt_loads (load_id, schema_name, status, inserted_at, schema_version_hash)
select $load_id, schema_name, 0, now(), schema_version_hash
from {schema}._dlt_loads
order by inserted_at desc
limit 1
"""


def append_day(warehouse: Path) -> dict[str, int]:
    """Append one simulated climate day per station (observations, ladders, candles).

    Args:
        warehouse: a loaded warehouse (written).

    Returns:
        Rows added per raw table.
    """
    load_id = f"{time.time():.6f}"
    params = {"load_id": load_id, "source_location": SOURCE_LOCATION}
    added: dict[str, int] = {}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("begin")
        for table, sql in (("raw_iem.asos_observations", APPEND_OBSERVATIONS),):
            added[table] = _insert(con, sql, params)
        con.execute(LATEST_EVENTS)
        for table, sql in (
            # candles first: they find their markets through the old tickers
            ("raw_kalshi.candlesticks", APPEND_CANDLES),
            ("raw_kalshi.events", APPEND_EVENTS),
            ("raw_kalshi.markets", APPEND_MARKETS),
        ):
            added[table] = _insert(con, sql, params)
        for schema in ("raw_iem", "raw_kalshi"):
            con.execute(FINISH_LOAD.format(schema=schema), {"load_id": load_id})
        con.execute("commit")
    return added


def _insert(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, str]) -> int:
    used = {name: value for name, value in params.items() if f"${name}" in sql}
    row = con.execute(sql, used).fetchone()
    return int(row[0]) if row else 0


def measure(
    warehouse: Path, out: Path, dbt_args: tuple[str, ...] = REFRESH_DBT_ARGS
) -> dict[str, Any]:
    """Time the refresh cycle's ``dbt build`` after one appended day, on a copy of ``warehouse``.

    Args:
        warehouse: a built bench warehouse (read only: copied first).
        out: a folder for the copy, dbt's target and logs.
        dbt_args: the arguments of ``dbt build`` (default: the refresh cycle's).

    Returns:
        ``seconds`` (wall of the build), ``nodes``, ``peak_rss_mb``, ``returncode``,
        ``appended_rows`` per raw table, and ``simulated: True``.
    """
    out.mkdir(parents=True, exist_ok=True)
    copy = out / "refresh.duckdb"
    shutil.copyfile(warehouse, copy)
    appended = append_day(copy)
    log.info("appended one simulated day: %s", appended)
    result = dbt_build(out, dbt_args, copy, "refresh_build.log")
    result.update(appended_rows=appended, simulated=True)
    return result


def main(argv: list[str] | None = None) -> None:
    """Print the refresh figures of one warehouse as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a built bench warehouse")
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "bench" / "out" / "refresh", help="work folder"
    )
    parser.add_argument(
        "--dbt-arg",
        action="append",
        default=None,
        help="a dbt build argument instead of the refresh cycle's (repeat: --dbt-arg=--exclude ...)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    dbt_args = tuple(args.dbt_arg) if args.dbt_arg else REFRESH_DBT_ARGS
    result = measure(args.warehouse, args.out, dbt_args)
    sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
