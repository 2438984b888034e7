"""The delta models against the empirical pmf: the table, reliability diagrams, importances.

Read from the ML marts (``fct_delta_model_evaluation``, ``fct_delta_model_reliability_bins``,
``fct_delta_model_feature_importances``), built from the parquet files models_ml writes. A
warehouse where no model was trained gets one line saying how to train one.
"""

from __future__ import annotations

import logging

import duckdb
import pandas as pd

from reports import ml_plots
from reports.coverage import ordered_sources
from reports.html import Figure, Section, table
from reports.warehouse import columns_of, fetch_frame

log = logging.getLogger(__name__)

FCT_DELTA_MODEL_EVALUATION = "fct_delta_model_evaluation"
FCT_DELTA_MODEL_RELIABILITY_BINS = "fct_delta_model_reliability_bins"
FCT_DELTA_MODEL_FEATURE_IMPORTANCES = "fct_delta_model_feature_importances"
NO_MODELS = "no delta models trained: run python -m models_ml train"
BASELINE = "empirical"
# score column, its baseline column, the table heading
SCORES = (
    ("log_loss", "baseline_log_loss", "log loss"),
    ("brier_score", "baseline_brier_score", "Brier"),
    ("ranked_probability_score", "baseline_ranked_probability_score", "RPS"),
    ("calibration_error", "baseline_calibration_error", "calibration error"),
)
EVALUATION_COLUMNS = (
    "data_source",
    "model_name",
    "station_icao",
    "contract_type",
    "test_day_count",
    *(c for score in SCORES for c in score[:2]),
    "beats_baseline_log_loss",
)
TABLE_COLUMNS = (
    ("source", "data_source"),
    ("station", "station"),
    ("contract", "contract"),
    ("model", "model"),
    ("days", "test days"),
    *((name, f"{heading}: model / empirical") for name, _, heading in SCORES),
    ("beats", "beats empirical on log loss"),
)
NUMERIC = frozenset({"days", *(name for name, _, _ in SCORES)})


def _read(con: duckdb.DuckDBPyConnection, mart: str, order: str) -> pd.DataFrame | None:
    """A mart's rows (``None`` when it was never built)."""
    if not columns_of(con, "main", mart):
        return None
    return fetch_frame(con, f'select * from main."{mart}" order by {order}')


def _score(value: object) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.4f}"  # type: ignore[arg-type]


def _beats(value: object) -> str:
    if value is None or pd.isna(value):
        return "–"
    return "yes" if bool(value) else "no"


def evaluation_rows(evaluation: pd.DataFrame) -> list[dict[str, str]]:
    """The table's rows: each model with the empirical pmf's score beside its own.

    Args:
        evaluation: rows of ``fct_delta_model_evaluation``.

    Returns:
        One row per model other than the baseline, as display text.
    """
    models = evaluation[evaluation["model_name"].astype(str) != BASELINE]
    rows = []
    for record in models.to_dict("records"):
        row = {
            "source": str(record["data_source"]),
            "station": str(record["station_icao"]),
            "contract": str(record["contract_type"]),
            "model": str(record["model_name"]),
            "days": "–" if pd.isna(record["test_day_count"]) else str(record["test_day_count"]),
            "beats": _beats(record["beats_baseline_log_loss"]),
        }
        for name, baseline, _ in SCORES:
            row[name] = f"{_score(record[name])} / {_score(record[baseline])}"
        rows.append(row)
    return rows


def beat_summary(evaluation: pd.DataFrame) -> str:
    """``catboost_ordinal beat the empirical pmf on log loss at 3 of 4 station-contracts``,
    per data source and model."""
    models = evaluation[evaluation["model_name"].astype(str) != BASELINE]
    parts = []
    for (source, model), rows in models.groupby(["data_source", "model_name"], sort=True):
        beats = rows["beats_baseline_log_loss"].dropna().astype(bool)
        parts.append(
            f"{source} {model}: beat the empirical pmf on log loss at {int(beats.sum())} of "
            f"{len(rows)} station-contracts"
        )
    return "; ".join(parts) + "." if parts else ""


def _figures(
    section: Section,
    frame: pd.DataFrame | None,
    draw: ml_plots.Drawing,
    what: str,
    mart: str,
) -> None:
    if frame is None or frame.empty:
        section.notes.append(f"{mart} has no rows: no {what} to draw.")
        return
    for source in ordered_sources(list(frame["data_source"].astype(str).unique())):
        rows = frame[frame["data_source"].astype(str) == source].reset_index(drop=True)
        try:
            image = draw(rows, f"Delta models, {what} — data_source = {source}")
        except Exception as exc:  # a broken figure must not sink the whole report
            log.exception("could not draw %s for %s", mart, source)
            section.notes.append(f"Could not draw {mart} ({source}): {exc}")
            continue
        section.figures.append(
            Figure(image, f"delta models, {what} ({source})", f"source: main.{mart}")
        )


def delta_models_section(con: duckdb.DuckDBPyConnection) -> Section:
    """The delta models against the empirical pmf on the test period.

    Args:
        con: a read-only warehouse connection.

    Returns:
        The table, reliability diagrams and feature importances when a model was evaluated,
        otherwise one note saying how to train one.
    """
    section = Section(
        "delta-models",
        "Delta models against the empirical pmf",
        "fct_delta_model_evaluation (models_ml, test period = the gate's): the CatBoost delta "
        "models' log loss, Brier score, ranked probability score and calibration error of the "
        "final-minus-running-extreme distribution, each beside the empirical pmf's on the same "
        "station-contract (lower is better).",
    )
    evaluation = _read(
        con, FCT_DELTA_MODEL_EVALUATION, "data_source, station_icao, contract_type, model_name"
    )
    if evaluation is None or evaluation.empty:
        section.notes.append(NO_MODELS)
        return section
    missing = [c for c in EVALUATION_COLUMNS if c not in evaluation.columns]
    if missing:
        section.notes.append(
            f"{FCT_DELTA_MODEL_EVALUATION} lacks the columns {', '.join(missing)}: rebuild it."
        )
        return section
    section.lead += " " + beat_summary(evaluation)
    section.table_html = table(TABLE_COLUMNS, evaluation_rows(evaluation), numeric=NUMERIC)
    _figures(
        section,
        _read(con, FCT_DELTA_MODEL_RELIABILITY_BINS, "data_source, model_name, probability_bin"),
        ml_plots.reliability_diagrams,
        "reliability (all stations pooled)",
        FCT_DELTA_MODEL_RELIABILITY_BINS,
    )
    _figures(
        section,
        _read(con, FCT_DELTA_MODEL_FEATURE_IMPORTANCES, "data_source, model_name, importance_rank"),
        ml_plots.feature_importances,
        "feature importances",
        FCT_DELTA_MODEL_FEATURE_IMPORTANCES,
    )
    return section
