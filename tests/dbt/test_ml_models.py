"""The ML source (models_ml's parquet files): builds with and without them, the evaluation mart,
and the gate's fair-value probability from the delta model's predictions."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from domain.layout import exports_dir
from reports.ml_sections import NO_MODELS, delta_models_section
from tests.conftest import SAMPLE_DBT_VARS, query_rows, run_dbt
from tests.dbt.ml_exports import EVALUATION, write_ml_exports

pytestmark = pytest.mark.dbt

ML_MODELS = ["path:dbt_project/models/staging/ml", "path:dbt_project/models/marts/ml"]
CATBOOST_VARS = SAMPLE_DBT_VARS[:-1] + ", probability_source: catboost}"


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _section_notes(warehouse: Path) -> tuple[list[str], str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        section = delta_models_section(con)
    finally:
        con.close()
    return section.notes, section.table_html


def test_ml_models_build_without_and_with_the_files(
    sample_warehouse_copy: Path, tmp_path: Path
) -> None:
    warehouse = sample_warehouse_copy
    # no model trained: every ML model builds (and its tests pass), empty
    _ok(run_dbt(["build", "--select", *ML_MODELS], warehouse, tmp_path))
    assert query_rows(warehouse, "select count(*) as n from main.fct_delta_model_evaluation") == [
        {"n": 0}
    ]
    assert _section_notes(warehouse) == ([NO_MODELS], "")

    write_ml_exports(exports_dir(warehouse) / "ml")
    _ok(run_dbt(["build", "--select", *ML_MODELS], warehouse, tmp_path))
    rows = query_rows(
        warehouse,
        "select * from main.fct_delta_model_evaluation "
        "order by station_icao, contract_type, model_name",
    )
    expected = sorted(EVALUATION, key=lambda r: (r[2], r[3], r[1]))
    assert [
        (
            r["data_source"],
            r["model_name"],
            r["station_icao"],
            r["contract_type"],
            r["test_day_count"],
            r["log_loss"],
            r["brier_score"],
            r["ranked_probability_score"],
            r["calibration_error"],
            r["baseline_log_loss"],
        )
        for r in rows
    ] == list(expected)
    by_model = {(r["station_icao"], r["model_name"]): r for r in rows}
    ordinal = by_model[("KMDW", "catboost_ordinal")]
    assert (ordinal["baseline_brier_score"], ordinal["baseline_calibration_error"]) == (0.5, 0.0625)
    assert ordinal["beats_baseline_log_loss"] is True and ordinal["log_loss_improvement"] == 0.25
    assert by_model[("KMDW", "catboost_multiclass")]["beats_baseline_log_loss"] is False
    assert by_model[("KNYC", "catboost_ordinal")]["beats_baseline_log_loss"] is False
    assert by_model[("KMDW", "empirical")]["beats_baseline_log_loss"] is None
    counts = query_rows(
        warehouse,
        "select (select count(*) from main.fct_delta_model_reliability_bins) as bins, "
        "(select count(*) from main.fct_delta_model_feature_importances) as features",
    )
    assert counts == [{"bins": 20, "features": 8}]
    notes, html = _section_notes(warehouse)
    assert notes == [] and "1.2500 / 1.5000" in html


def test_catboost_probability_source_prices_with_the_predictions(
    sample_warehouse_copy: Path, tmp_path: Path
) -> None:
    warehouse = sample_warehouse_copy
    priced = query_rows(
        warehouse,
        "select data_source, market_ticker, checkpoint_minute, station_icao, contract_type, "
        "climate_date, model_probability from main.int_gate_market_checkpoints "
        "where model_probability is not null order by all limit 2",
    )
    assert len(priced) == 2, "the sample prices some brackets"
    chosen, other = priced
    key = (chosen["data_source"], chosen["market_ticker"], chosen["checkpoint_minute"])
    row = (
        chosen["data_source"],
        "catboost_ordinal",
        chosen["station_icao"],
        chosen["contract_type"],
        chosen["climate_date"],
        chosen["checkpoint_minute"],
        chosen["market_ticker"],
        "0.8125",
        "m1",
    )
    # the multiclass model's prediction for the same market is not the default model's
    write_ml_exports(
        exports_dir(warehouse) / "ml",
        predictions=(row, (*row[:1], "catboost_multiclass", *row[2:7], "0.0625", "m2")),
    )
    select = ["--select", "stg_ml__predictions", "int_gate_market_checkpoints"]
    _ok(run_dbt(["run", *select, "--vars", CATBOOST_VARS], warehouse, tmp_path))
    after = {
        (r["data_source"], r["market_ticker"], r["checkpoint_minute"]): r
        for r in query_rows(
            warehouse,
            "select data_source, market_ticker, checkpoint_minute, model_probability, "
            "probability_basis, edge_dollars, executable_yes_ask_dollars "
            "from main.int_gate_market_checkpoints where model_probability is not null",
        )
    }
    # only the predicted market x checkpoint has a probability now, and it is the prediction
    assert list(after) == [key]
    assert after[key]["model_probability"] == 0.8125
    assert after[key]["probability_basis"] == "catboost_ordinal"
    assert (other["market_ticker"], other["checkpoint_minute"]) not in {k[1:] for k in after}
