"""Corrections: every report of a station-minute-type is kept as a revision; the latest wins.

Loads go through the real dlt pipeline into a throwaway warehouse (``run_files``); the old-key
warehouse is made by loading with the resource as it was before revisions. Staging's pick is
checked by the dbt unit test beside ``stg_iem__observations`` and, end to end, in
``test_dbt_weather``.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import dlt
import duckdb

from pipelines.documents import RawDocument
from pipelines.iem import ASOS_ARROW_SCHEMA, ASOS_COLUMNS, rows_to_arrow, runner
from pipelines.iem import revisions as rev
from pipelines.iem.parsers import parse_observations
from pipelines.warehouse import IEM_DATASET, make_pipeline
from tests.conftest import query_rows

HEADER = "station,valid,tmpf,dwpf,metar\n"
# The example (also loaded, as KMDW, by test_dbt_weather): 82 °F at 19:51, then a correction of the same report at 84 °F.
FIRST = (
    "NYC,2026-08-21 19:51,82.04,64.04,"
    "KNYC 211951Z AUTO 04003KT 10SM FEW041 28/18 A3006 RMK AO2 SLP171 T02780178\n"
)
CORRECTED = (
    "NYC,2026-08-21 19:51,84.02,64.04,"
    "KNYC 211951Z COR 04003KT 10SM FEW041 29/18 A3006 RMK AO2 SLP171 T02890178\n"
)
OTHER_HOUR = (
    "NYC,2026-08-21 20:51,80.96,64.04,"
    "KNYC 212051Z AUTO 04003KT 10SM FEW041 27/18 A3006 RMK AO2 SLP168 T02720178\n"
)
RAW_SQL = (
    "select valid_at, temp_f_reported, revision, is_correction, revision_id "
    "from raw_iem.asos_observations order by valid_at, revision, temp_f_reported"
)


def _doc(text: str) -> RawDocument:
    return RawDocument(text, "asos.csv", "real", "files", hint="3")


def _file(tmp_path: Path, name: str, *lines: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(lines))
    return path


def test_a_correction_is_a_second_revision_of_the_minute() -> None:
    parsed = parse_observations(_doc(HEADER + FIRST + CORRECTED + OTHER_HOUR))
    assert parsed.rejects == []
    first, corrected, other = parsed.rows
    assert (first["revision"], first["is_correction"]) == (1, False)
    assert (corrected["revision"], corrected["is_correction"]) == (2, True)
    assert corrected["temp_c_tenths"] == Decimal("28.9")
    assert first["revision_id"] != corrected["revision_id"]
    assert (other["revision"], other["is_correction"]) == (1, False)
    # the same report twice is one revision, not two
    twice = parse_observations(_doc(HEADER + FIRST + FIRST)).rows
    assert [row["revision"] for row in twice] == [1, 1]
    assert twice[0]["revision_id"] == twice[1]["revision_id"] == first["revision_id"]


def test_revision_id_ignores_the_report_prefix_and_layout() -> None:
    metar = "KNYC 211951Z AUTO 04003KT 28/18 A3006 RMK AO2 SLP171 T02780178"
    same = rev.revision_id(metar, 82.04, 64.04)
    assert rev.revision_id(f"METAR {metar}=", None, None) == same
    assert rev.revision_id(metar.replace(" ", "  ") + "\n", 1.0, 2.0) == same
    assert rev.revision_id(metar.replace("28/18", "29/18"), 82.04, 64.04) != same
    # without a METAR the readings are the identity
    assert rev.revision_id(None, 82.04, 64.04) != rev.revision_id(None, 84.02, 64.04)
    assert rev.is_correction("METAR COR KNYC 211951Z 29/18")
    assert rev.is_correction("KNYC 211951Z COR 29/18=")
    assert not rev.is_correction("KNYC 211951Z AUTO 29/18 RMK CORNER")
    assert not rev.is_correction(None)


def test_both_reports_are_stored_and_reloading_adds_nothing(
    tmp_path: Path, warehouse: Path
) -> None:
    path = _file(tmp_path, "asos.csv", FIRST, CORRECTED)
    summary = runner.run_files([path])
    assert summary.table_rows["asos_observations"] == 2
    assert summary.rejects_added == 0
    stored = query_rows(warehouse, RAW_SQL)
    assert [(r["temp_f_reported"], r["revision"], r["is_correction"]) for r in stored] == [
        (82.04, 1, False),
        (84.02, 2, True),
    ]
    again = runner.run_files([path])
    assert again.table_rows["asos_observations"] == 2
    assert query_rows(warehouse, RAW_SQL) == stored
    # a later file with only the original changes nothing; a second correction adds a row
    runner.run_files([_file(tmp_path, "first.csv", FIRST)])
    assert query_rows(warehouse, RAW_SQL) == stored
    later = CORRECTED.replace("84.02", "84.20").replace("T02890178", "T02900178")
    runner.run_files([_file(tmp_path, "later.csv", later)])
    assert len(query_rows(warehouse, RAW_SQL)) == 3


def test_every_cli_issuance_of_a_day_is_kept(tmp_path: Path, warehouse: Path) -> None:
    # weather/README: KMDW 2026-01-04 first said 33, a correction issued later says 34
    issuances = [
        {"station": "KMDW", "valid": "2026-01-04", "high": high, "low": 25, "product": product}
        for high, product in (
            (33, "202601050634-KLOT-CDUS43-CLIMDW"),
            (34, "202601051718-KLOT-CDUS43-CLIMDW"),
        )
    ]
    first = tmp_path / "cli_first.json"
    first.write_text(json.dumps({"results": issuances[:1]}))
    both = tmp_path / "cli_both.json"
    both.write_text(json.dumps({"results": issuances}))
    runner.run_files([first])
    runner.run_files([both])
    runner.run_files([both])
    sql = "select product_id, high_f from raw_iem.cli_reports order by published_at"
    assert [tuple(r.values()) for r in query_rows(warehouse, sql)] == [
        ("202601050634-KLOT-CDUS43-CLIMDW", 33),
        ("202601051718-KLOT-CDUS43-CLIMDW", 34),
    ]


def _load_with_the_old_key(rows: list[dict[str, Any]]) -> None:
    """Load rows as the loader did before revisions: no revision columns, the old key."""
    old_columns = {
        name: hints
        for name, hints in copy.deepcopy(ASOS_COLUMNS).items()
        if name not in rev.REVISION_COLUMNS
    }
    old_schema = ASOS_ARROW_SCHEMA
    for name in rev.REVISION_COLUMNS:
        old_schema = old_schema.remove(old_schema.get_field_index(name))

    @dlt.resource(
        name="asos_observations",
        table_name="asos_observations",
        primary_key=rev.OBSERVATION_KEY,
        write_disposition="merge",
        columns=old_columns,
    )
    def old_observations() -> Any:
        yield rows_to_arrow(rows, old_schema)

    @dlt.source(name="iem", max_table_nesting=0)
    def old_iem() -> Any:
        return [old_observations()]

    info = make_pipeline("iem", IEM_DATASET).run(old_iem())
    assert not info.has_failed_jobs


def test_a_warehouse_loaded_with_the_old_key_migrates(tmp_path: Path, warehouse: Path) -> None:
    # The old loader kept the first report of the minute and nothing of the correction.
    old_rows = parse_observations(_doc(HEADER + FIRST + OTHER_HOUR)).rows
    _load_with_the_old_key(old_rows)
    with duckdb.connect(str(warehouse)) as con:
        columns = {
            c
            for (c,) in con.execute(
                "select name from pragma_table_info(?)", [f"{IEM_DATASET}.asos_observations"]
            ).fetchall()
        }
        assert not columns & set(rev.REVISION_COLUMNS)
        assert rev.migrate(con, IEM_DATASET) == 2
        assert rev.migrate(con, IEM_DATASET) == 0  # already migrated
        nullable = con.execute(
            "select column_name, is_nullable from information_schema.columns "
            "where table_schema = ? and table_name = 'asos_observations' "
            "and column_name in ('revision_id', 'revision', 'is_correction')",
            [IEM_DATASET],
        ).fetchall()
    assert sorted(nullable) == [("is_correction", "NO"), ("revision", "NO"), ("revision_id", "NO")]
    migrated = query_rows(warehouse, RAW_SQL)
    # old rows get the identity a new load gives the same report, so the merge matches them
    assert [(r["revision_id"], r["revision"], r["is_correction"]) for r in migrated] == [
        (row["revision_id"], 1, False) for row in old_rows
    ]

    # The same response again, now with the correction: old rows kept once, the COR added.
    runner.run_files([_file(tmp_path, "asos.csv", FIRST, CORRECTED, OTHER_HOUR)])
    stored = query_rows(warehouse, RAW_SQL)
    assert [(r["temp_f_reported"], r["revision"], r["is_correction"]) for r in stored] == [
        (82.04, 1, False),
        (84.02, 2, True),
        (80.96, 1, False),
    ]


def test_old_warehouse_migrates_through_a_load(tmp_path: Path, warehouse: Path) -> None:
    _load_with_the_old_key(parse_observations(_doc(HEADER + FIRST)).rows)
    summary = runner.run_files([_file(tmp_path, "asos.csv", FIRST, CORRECTED)])
    assert summary.table_rows["asos_observations"] == 2
    assert [r["is_correction"] for r in query_rows(warehouse, RAW_SQL)] == [False, True]
