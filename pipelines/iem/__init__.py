"""dlt resources for the IEM / NWS weather data (tables in the ``raw_iem`` dataset).

Resources only: HTTP lives in :mod:`adapters.iem.client`, parsing in ``parsers`` and ``daily``,
orchestration in ``runner``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TColumnSchema, TTableSchemaColumns
from dlt.sources import DltResource

from pipelines.iem.revisions import OBSERVATION_KEY
from pipelines.rejects import REJECT_COLUMNS, REJECTS_ARROW_SCHEMA, Reject, rejects_resource

Row = dict[str, Any]


# dlt writes each column's name into its hint dict, so every column gets a fresh dict.
def _col(data_type: str, nullable: bool = True, **extra: Any) -> TColumnSchema:
    return cast(TColumnSchema, {"data_type": data_type, "nullable": nullable, **extra})


def _tenths_c() -> TColumnSchema:
    return _col("decimal", precision=5, scale=1)


def _utc_ts() -> TColumnSchema:
    return _col("timestamp", nullable=False, timezone=True)


def _lineage() -> TTableSchemaColumns:
    return {
        "source_location": _col("text"),
        "data_source": _col("text", nullable=False),
        "ingest_channel": _col("text", nullable=False),
    }


ASOS_COLUMNS: TTableSchemaColumns = {
    "station": _col("text", nullable=False),
    "valid_at": _utc_ts(),
    "report_type": _col("bigint", nullable=False),
    "temp_f_reported": _col("double"),
    "dewpoint_f_reported": _col("double"),
    "temp_c_tenths": _tenths_c(),
    "dewpoint_c_tenths": _tenths_c(),
    "temp_c_whole": _col("bigint"),
    "max_6h_c": _tenths_c(),
    "min_6h_c": _tenths_c(),
    "max_24h_c": _tenths_c(),
    "min_24h_c": _tenths_c(),
    "metar": _col("text"),
    **_lineage(),
    # After the lineage, where pipelines.iem.revisions.migrate adds them to older warehouses.
    "revision_id": _col("text", nullable=False),
    "revision": _col("bigint", nullable=False),
    "is_correction": _col("bool", nullable=False),
}
# Every report of a station-minute-type is a revision (pipelines.iem.revisions).
ASOS_KEY = (*OBSERVATION_KEY, "revision_id")


def _daily_base() -> TTableSchemaColumns:
    return {
        "station": _col("text", nullable=False),
        "climate_date": _col("date", nullable=False),
        "product_id": _col("text", nullable=False),
        "published_at": _utc_ts(),
        "high_f": _col("bigint"),
        "low_f": _col("bigint"),
    }


CLI_COLUMNS: TTableSchemaColumns = {
    **_daily_base(),
    "high_time": _col("text"),
    "low_time": _col("text"),
    **_lineage(),
}
CF6_COLUMNS: TTableSchemaColumns = {
    **_daily_base(),
    "avg_temp_f": _col("double"),
    **_lineage(),
}
DAILY_KEY = ("data_source", "station", "climate_date", "product_id")

# The Arrow schema of an observations batch: the same types as ASOS_COLUMNS, so dlt takes the
# batch as is (the Arrow path skips per-row normalisation: hundreds of thousands of rows/s).
_TENTHS_ARROW = pa.decimal128(5, 1)
ASOS_ARROW_SCHEMA = pa.schema(
    [
        pa.field("station", pa.string(), nullable=False),
        pa.field("valid_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("report_type", pa.int64(), nullable=False),
        pa.field("temp_f_reported", pa.float64()),
        pa.field("dewpoint_f_reported", pa.float64()),
        pa.field("temp_c_tenths", _TENTHS_ARROW),
        pa.field("dewpoint_c_tenths", _TENTHS_ARROW),
        pa.field("temp_c_whole", pa.int64()),
        pa.field("max_6h_c", _TENTHS_ARROW),
        pa.field("min_6h_c", _TENTHS_ARROW),
        pa.field("max_24h_c", _TENTHS_ARROW),
        pa.field("min_24h_c", _TENTHS_ARROW),
        pa.field("metar", pa.string()),
        pa.field("source_location", pa.string()),
        pa.field("data_source", pa.string(), nullable=False),
        pa.field("ingest_channel", pa.string(), nullable=False),
        pa.field("revision_id", pa.string(), nullable=False),
        pa.field("revision", pa.int64(), nullable=False),
        pa.field("is_correction", pa.bool_(), nullable=False),
    ]
)


def _daily_arrow_schema(extra: list[pa.Field]) -> pa.Schema:
    return pa.schema(
        [
            pa.field("station", pa.string(), nullable=False),
            pa.field("climate_date", pa.date32(), nullable=False),
            pa.field("product_id", pa.string(), nullable=False),
            pa.field("published_at", pa.timestamp("us", tz="UTC"), nullable=False),
            pa.field("high_f", pa.int64()),
            pa.field("low_f", pa.int64()),
            *extra,
            pa.field("source_location", pa.string()),
            pa.field("data_source", pa.string(), nullable=False),
            pa.field("ingest_channel", pa.string(), nullable=False),
        ]
    )


CLI_ARROW_SCHEMA = _daily_arrow_schema(
    [pa.field("high_time", pa.string()), pa.field("low_time", pa.string())]
)
CF6_ARROW_SCHEMA = _daily_arrow_schema([pa.field("avg_temp_f", pa.float64())])
WATERMARK_STATE_KEY = "last_valid_at"


def rows_to_arrow(rows: list[Row], schema: pa.Schema = ASOS_ARROW_SCHEMA) -> pa.Table:
    """Turn rows into an Arrow table with the table's exact types.

    Args:
        rows: rows as ``parsers`` makes them (may be empty: the table is still created).
        schema: the Arrow schema (observations by default).

    Returns:
        The table (column by column, which is much faster than row by row).
    """
    return pa.table(
        {f.name: pa.array([row[f.name] for row in rows], type=f.type) for f in schema},
        schema=schema,
    )


def watermark_key(data_source: str, station: str, report_type: int | str) -> str:
    """The resource-state key of one station's live watermark."""
    return f"{data_source}:{station}:{report_type}"


def advance_watermarks(state: dict[str, str], table: pa.Table) -> None:
    """Move the live watermarks to the latest ``valid_at`` per source, station and report type.

    Args:
        state: the resource-state watermarks (``watermark_key`` -> ISO instant), changed in place.
        table: an observations batch (``ASOS_ARROW_SCHEMA``).
    """
    latest = table.group_by(["data_source", "station", "report_type"]).aggregate(
        [("valid_at", "max")]
    )
    for group in latest.to_pylist():
        key = watermark_key(group["data_source"], group["station"], group["report_type"])
        seen = group["valid_at_max"].isoformat()
        # ISO strings of UTC instants compare like the instants.
        if seen > state.get(key, ""):
            state[key] = seen


@dlt.resource(
    name="asos_observations",
    table_name="asos_observations",
    primary_key=ASOS_KEY,
    write_disposition="merge",
    columns=ASOS_COLUMNS,
)
def asos_observations(
    tables: Iterable[pa.Table], track_watermarks: bool = False
) -> Iterator[pa.Table]:
    """METAR observations: every report (revision) of a station, valid time and report type.

    Args:
        tables: Arrow batches (``ASOS_ARROW_SCHEMA``), e.g. from ``asos_arrow``; a generator
            keeps memory to one batch.
        track_watermarks: record the latest ``valid_at`` per data source, station and report type
            in the resource state; the live path resumes from there (incremental by observation
            time). File and sample loads leave the state alone so old files never move it.

    Returns:
        The non-empty batches.
    """
    state: dict[str, str] | None = None
    if track_watermarks:
        state = dlt.current.resource_state().setdefault(WATERMARK_STATE_KEY, {})
    yielded = False
    for table in tables:
        if not table.num_rows:
            continue
        yielded = True
        if state is not None:
            advance_watermarks(state, table)
        yield table
    if not yielded:
        # An empty Arrow table makes dlt create the table, so dbt sources always exist.
        yield ASOS_ARROW_SCHEMA.empty_table()


@dlt.resource(
    name="rejects_table",
    table_name="rejects",
    primary_key="reject_id",
    write_disposition="merge",
    columns=REJECT_COLUMNS,
)
def rejects_table() -> Iterator[pa.Table]:
    """Creates the ``rejects`` table even when a load has no rejects (dbt reads it).

    Returns:
        One empty Arrow table with the rejects columns.
    """
    yield REJECTS_ARROW_SCHEMA.empty_table()


@dlt.resource(
    name="cli_reports",
    table_name="cli_reports",
    primary_key=DAILY_KEY,
    write_disposition="merge",
    columns=CLI_COLUMNS,
)
def cli_reports(rows: Iterable[Row]) -> Iterator[pa.Table]:
    """NWS daily climate report (CLI) values, every issuance kept (key includes product_id).

    Args:
        rows: rows from ``daily.parse_daily``.

    Returns:
        One Arrow table (small: one row per station-day-issuance); empty still creates the table.
    """
    yield rows_to_arrow(list(rows), CLI_ARROW_SCHEMA)


@dlt.resource(
    name="cf6_reports",
    table_name="cf6_reports",
    primary_key=DAILY_KEY,
    write_disposition="merge",
    columns=CF6_COLUMNS,
)
def cf6_reports(rows: Iterable[Row]) -> Iterator[pa.Table]:
    """NWS preliminary monthly climate (CF6) daily values.

    Args:
        rows: rows from ``daily.parse_daily``.

    Returns:
        One Arrow table; empty still creates the table.
    """
    yield rows_to_arrow(list(rows), CF6_ARROW_SCHEMA)


@dlt.source(name="iem", max_table_nesting=0)
def iem_source(
    observations: Iterable[pa.Table],
    cli_rows: Iterable[Row],
    cf6_rows: Iterable[Row],
    rejects: Iterable[Reject],
    track_watermarks: bool = False,
) -> list[DltResource]:
    """The IEM source: observations, CLI, CF6 and rejects.

    Args:
        observations: observation batches (may be parsed while dlt extracts them).
        cli_rows: CLI rows.
        cf6_rows: CF6 rows.
        rejects: every reject of the parse; complete only once the observations are extracted,
            so the runner extracts ``OBSERVATION_RESOURCES`` first and ``REPORT_RESOURCES`` after.
        track_watermarks: see ``asos_observations``.

    Returns:
        The resources (the rejects table shell, the data, the rejects).
    """
    return [
        rejects_table(),
        asos_observations(observations, track_watermarks),
        cli_reports(cli_rows),
        cf6_reports(cf6_rows),
        rejects_resource(rejects),
    ]


# The two extraction steps of a load: observations (parsed while extracted), then what the
# parse collected meanwhile. The rejects shell goes with the rejects so one package creates
# the table with every column (dlt adds ``_dlt_id`` for the row-dict rejects).
OBSERVATION_RESOURCES = ("asos_observations",)
REPORT_RESOURCES = ("rejects_table", "cli_reports", "cf6_reports", "rejects")
