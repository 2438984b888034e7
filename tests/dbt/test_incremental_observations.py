"""The incremental observation models equal a full refresh after a new load.

Two loads through the real IEM loader (``load_documents``) into a throwaway warehouse: the
first, then a second with a new day, a correction (COR) of a first-load report and a repeat of
one. After the second, one copy builds incrementally and another with ``--full-refresh``: both
tables hold the same rows, and the incremental run took the incremental path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.documents import RawDocument
from pipelines.iem import runner
from tests.conftest import query_rows, run_dbt

pytestmark = pytest.mark.dbt

HEADER = "station,valid,tmpf,dwpf,metar\n"
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
NEXT_DAY = (
    "NYC,2026-08-22 19:51,78.98,60.08,"
    "KNYC 221951Z AUTO 04003KT 10SM FEW041 26/16 A3006 RMK AO2 SLP160 T02610156\n"
)
NEW_DAY = (
    "NYC,2026-08-23 19:51,77.00,60.08,"
    "KNYC 231951Z AUTO 04003KT 10SM FEW041 25/16 A3006 RMK AO2 SLP160 T02500156\n"
)
MODELS = ("stations", "stg_iem__observations", "int_observations__climate_day")


def _load(text: str) -> None:
    runner.load_documents(
        [RawDocument(HEADER + text, "asos.csv", "real", "files", hint="3")], [], [], "iem test"
    )


def _build(warehouse_file: Path, work_dir: Path, *flags: str) -> None:
    result = run_dbt(
        [
            "build",
            "--select",
            *MODELS,
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
            *flags,
        ],
        warehouse_file,
        work_dir,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _rows(warehouse_file: Path, model: str) -> list[tuple[object, ...]]:
    rows = query_rows(warehouse_file, f"select * from main.{model}")
    return sorted((tuple(sorted(row.items())) for row in rows), key=repr)


def test_incremental_build_equals_full_refresh(warehouse: Path, tmp_path: Path) -> None:
    _load(FIRST + OTHER_HOUR + NEXT_DAY)
    dbt_dir = tmp_path / "dbt"  # one target folder: the later runs reuse dbt's parse
    _build(warehouse, dbt_dir)
    _load(CORRECTED + OTHER_HOUR + NEW_DAY)
    full = tmp_path / "full" / warehouse.name  # same file name: views name their catalog
    full.parent.mkdir()
    shutil.copyfile(warehouse, full)

    _build(warehouse, dbt_dir)
    compiled = next((dbt_dir / "target" / "compiled").rglob("stg_iem__observations.sql"))
    assert "new_loads" in compiled.read_text()  # the incremental path, not a rebuild
    _build(full, dbt_dir, "--full-refresh")

    for model in MODELS[1:]:
        assert _rows(warehouse, model) == _rows(full, model), model
    temps = {
        str(row["observed_at"])[:16]: row["temp_f"]
        for row in query_rows(warehouse, "select * from main.int_observations__climate_day")
    }
    assert len(temps) == 4
    assert temps["2026-08-21 19:51"] == pytest.approx(84.02)  # the COR of the second load won
