"""dlt resources for Visual Crossing (tables in the ``raw_visual_crossing`` dataset).

Resources only: HTTP lives in :mod:`adapters.visual_crossing.client`, parsing in ``parsers``,
orchestration in ``runner``. Both tables merge on explicit keys, so a re-run never duplicates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TColumnSchema, TTableSchemaColumns
from dlt.sources import DltResource

from pipelines.rejects import Reject, arrow_rejects_resource

Row = dict[str, Any]
DATASET = "raw_visual_crossing"

OBSERVATION_KEY = ("data_source", "station", "epoch")
FORECAST_KEY = ("data_source", "station", "forecast_basis", "granularity", "target_epoch")

_TS = pa.timestamp("us", tz="UTC")
_LINEAGE = [
    pa.field("source_location", pa.string()),
    pa.field("data_source", pa.string(), nullable=False),
    pa.field("ingest_channel", pa.string(), nullable=False),
    pa.field("fetched_at", _TS, nullable=False),
]
OBSERVATIONS_ARROW_SCHEMA = pa.schema(
    [
        pa.field("station", pa.string(), nullable=False),
        pa.field("epoch", pa.int64(), nullable=False),
        pa.field("observed_at", _TS, nullable=False),
        pa.field("temp_f", pa.float64()),
        pa.field("dew_f", pa.float64()),
        pa.field("vc_stations", pa.string()),
        pa.field("vc_source", pa.string()),
        *_LINEAGE,
    ]
)
FORECASTS_ARROW_SCHEMA = pa.schema(
    [
        pa.field("station", pa.string(), nullable=False),
        pa.field("forecast_basis", pa.string(), nullable=False),
        pa.field("granularity", pa.string(), nullable=False),
        pa.field("target_epoch", pa.int64(), nullable=False),
        pa.field("target_at", _TS, nullable=False),
        pa.field("target_local_date", pa.date32(), nullable=False),
        pa.field("basis_date", pa.date32(), nullable=False),
        pa.field("lead_days", pa.int64(), nullable=False),
        pa.field("published_at", _TS, nullable=False),
        pa.field("temp_f", pa.float64()),
        pa.field("temp_max_f", pa.float64()),
        pa.field("temp_min_f", pa.float64()),
        pa.field("vc_source", pa.string()),
        *_LINEAGE,
    ]
)


def _columns(schema: pa.Schema) -> TTableSchemaColumns:
    """dlt column hints matching an Arrow schema (declared so empty tables keep their types)."""
    types = {
        pa.string(): "text",
        pa.int64(): "bigint",
        pa.float64(): "double",
        pa.date32(): "date",
        _TS: "timestamp",
    }
    columns: TTableSchemaColumns = {}
    for f in schema:
        hint: dict[str, Any] = {"data_type": types[f.type], "nullable": f.nullable}
        if f.type == _TS:
            hint["timezone"] = True
        columns[f.name] = cast(TColumnSchema, hint)
    return columns


def rows_to_arrow(rows: list[Row], schema: pa.Schema) -> pa.Table:
    """Rows as an Arrow table of the table's exact types (may be empty: the table still exists)."""
    return pa.table(
        {f.name: pa.array([row[f.name] for row in rows], type=f.type) for f in schema},
        schema=schema,
    )


@dlt.resource(
    name="observations",
    primary_key=OBSERVATION_KEY,
    write_disposition="merge",
    columns=_columns(OBSERVATIONS_ARROW_SCHEMA),
)
def observations(rows: Iterable[Row]) -> Iterator[pa.Table]:
    """Station-locked observations (hourly, or sub-hourly where the plan gives minutes).

    Args:
        rows: rows from ``parsers.parse_timeline``.

    Returns:
        One Arrow table.
    """
    yield rows_to_arrow(list(rows), OBSERVATIONS_ARROW_SCHEMA)


@dlt.resource(
    name="forecasts",
    primary_key=FORECAST_KEY,
    write_disposition="merge",
    columns=_columns(FORECASTS_ARROW_SCHEMA),
)
def forecasts(rows: Iterable[Row]) -> Iterator[pa.Table]:
    """Forecast days and hours, one row per forecast basis x granularity x target time.

    Args:
        rows: rows from ``parsers.parse_timeline``.

    Returns:
        One Arrow table.
    """
    yield rows_to_arrow(list(rows), FORECASTS_ARROW_SCHEMA)


@dlt.source(name="visual_crossing", max_table_nesting=0)
def visual_crossing_source(
    observation_rows: Iterable[Row], forecast_rows: Iterable[Row], rejects: list[Reject]
) -> list[DltResource]:
    """The Visual Crossing source, already parsed.

    Args:
        observation_rows: observation rows.
        forecast_rows: forecast rows.
        rejects: every reject of the parse.

    Returns:
        The observations, forecasts and rejects resources.
    """
    return [
        observations(observation_rows),
        forecasts(forecast_rows),
        arrow_rejects_resource(rejects),
    ]
