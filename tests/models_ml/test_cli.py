"""``python -m models_ml train`` -> ``evaluate`` -> ``predict`` on the small sample warehouse."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from models_ml.cli import app
from models_ml.evaluation import BINS_COLUMNS, EVALUATION_COLUMNS, IMPORTANCE_COLUMNS
from models_ml.predictions import PREDICTION_COLUMNS


def _columns(path: Path) -> list[str]:
    con = duckdb.connect()
    try:
        return [row[0] for row in con.execute(f"describe select * from '{path}'").fetchall()]
    finally:
        con.close()


def test_train_evaluate_predict_write_the_registry_and_exports(
    sample_warehouse_copy: Path,
) -> None:
    before = hashlib.sha256(sample_warehouse_copy.read_bytes()).hexdigest()
    runner = CliRunner()
    args = ["--warehouse", str(sample_warehouse_copy), "--step", "120"]
    trained = runner.invoke(
        app,
        [
            "train",
            *args,
            "--iterations",
            "20",
            "--trials",
            "1",
            "--threads",
            "1",
            "--gap-days",
            "1",
        ],
    )
    assert trained.exit_code == 0, trained.output
    registry = json.loads((sample_warehouse_copy.parent / "models" / "registry.json").read_text())
    kinds = {(m["contract_type"], m["model"]) for m in registry["models"]}
    assert kinds == {
        (c, k) for c in ("HIGH", "LOW") for k in ("catboost_ordinal", "catboost_multiclass")
    }
    for entry in registry["models"]:
        assert len(entry["data_hash"]) == 64 and entry["created_at"] and entry["metrics"]
        assert all(
            (sample_warehouse_copy.parent / "models" / entry["folder"] / name).is_file()
            for name in entry["files"]
            if not name.startswith("const:")
        )

    evaluated = runner.invoke(app, ["evaluate", *args])
    assert evaluated.exit_code == 0, evaluated.output
    exports = sample_warehouse_copy.parent / "exports" / "ml"
    assert _columns(exports / "evaluation.parquet") == EVALUATION_COLUMNS
    assert _columns(exports / "evaluation_bins.parquet") == BINS_COLUMNS
    assert _columns(exports / "feature_importance.parquet") == IMPORTANCE_COLUMNS
    con = duckdb.connect()
    models = {
        row[0]
        for row in con.execute(
            f"select distinct model from '{exports / 'evaluation.parquet'}'"
        ).fetchall()
    }
    assert models == {"empirical", "catboost_ordinal", "catboost_multiclass"}

    predicted = runner.invoke(app, ["predict", *args, "--period", "test"])
    assert predicted.exit_code == 0, predicted.output
    predictions = exports / "predictions.parquet"
    assert _columns(predictions) == PREDICTION_COLUMNS
    count, bad, ladders_off = con.execute(
        f"""
        select count(*),
            count(*) filter (where not regexp_full_match(probability, '[01]\\.[0-9]{{4}}')),
            (select count(*) from (
                select sum(probability::double) as total from '{predictions}'
                group by model, station_icao, contract_type, climate_date, checkpoint_minute
            ) where abs(total - 1) > 0.01)
        from '{predictions}'
        """
    ).fetchone() or (0, 0, 0)
    assert count > 0 and bad == 0
    # the sample's ladders cover every value: a checkpoint's brackets sum to one
    assert ladders_off == 0
    assert hashlib.sha256(sample_warehouse_copy.read_bytes()).hexdigest() == before
