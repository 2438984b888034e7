"""``python -m models_ml train|evaluate|predict``: the delta models over a warehouse.

Every command reads the warehouse (``WAREHOUSE_PATH``, default ``warehouse/kalshi_weather.duckdb``)
read-only. ``train`` writes boosters and ``registry.json`` under ``models/`` beside it;
``evaluate`` and ``predict`` write parquet files under ``exports/ml/`` (read by dbt as sources).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import Progress
from rich.table import Table

from domain.layout import ml_exports_dir, warehouse_path
from models_ml.dataset import load_empirical_pmf, load_features, load_market_checkpoints
from models_ml.estimators import DeltaModel
from models_ml.evaluation import (
    BINS_COLUMNS,
    EVALUATION_COLUMNS,
    IMPORTANCE_COLUMNS,
    evaluate_contract,
    importance_rows,
)
from models_ml.predictions import PREDICTION_COLUMNS, market_probabilities
from models_ml.registry import add_entries, latest_entries, write_parquet
from models_ml.training import TrainSettings, load_model, train_contract

logger = logging.getLogger(__name__)
console = Console(stderr=True)
app = typer.Typer(
    help="CatBoost delta models (final CLI value - running extreme) against the empirical pmf.",
    no_args_is_help=True,
    add_completion=False,
)

WarehouseOption = Annotated[
    Path | None, typer.Option(help="warehouse file (default: WAREHOUSE_PATH or the repo's)")
]
StepOption = Annotated[
    int, typer.Option(min=15, help="checkpoint spacing in minutes (a multiple of 15)")
]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Log through rich."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
        force=True,
    )


@contextmanager
def _progress(description: str, total: float | None) -> Iterator[Callable[[int], None]]:
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done: progress.advance(task, done)


def _features(
    path: Path, step: int, periods: tuple[str, ...], require_delta: bool = True
) -> pd.DataFrame:
    # the row count is unknown before loading: the bar counts rows without a total
    with _progress("features", total=None) as advance:
        return load_features(path, step, periods, require_delta, advance)


def _check_step(step: int) -> None:
    if step % 15:
        raise typer.BadParameter("--step must be a multiple of 15")


def _models(path: Path) -> list[tuple[dict[str, Any], DeltaModel]]:
    entries = latest_entries(path)
    if not entries:
        raise typer.BadParameter(f"no trained model for {path}: run `python -m models_ml train`")
    return [(entry, load_model(path, entry)) for entry in entries]


@app.command()
def train(
    warehouse: WarehouseOption = None,
    step: StepOption = 60,
    iterations: Annotated[int, typer.Option(min=1, help="boosting rounds per booster")] = 100,
    trials: Annotated[int, typer.Option(min=0, help="Optuna trials per contract type")] = 10,
    timeout: Annotated[float, typer.Option(help="Optuna seconds per contract type")] = 300.0,
    gap_days: Annotated[int, typer.Option(min=0, help="days between fit and held-out days")] = 2,
    threads: Annotated[int, typer.Option(min=1, max=2, help="CatBoost threads")] = 2,
) -> None:
    """Fit, tune and calibrate both CatBoost kinds on the train period; update the registry."""
    _check_step(step)
    path = warehouse or warehouse_path()
    started = time.monotonic()
    frame = _features(path, step, ("train",))
    settings = TrainSettings(
        iterations=iterations,
        trials=trials,
        timeout_seconds=timeout,
        gap_days=gap_days,
        thread_count=threads,
    )
    entries = []
    groups = list(frame.groupby(["data_source", "contract_type"]))
    with Progress(console=console, transient=True) as progress:
        for (source, contract), rows in groups:
            task = progress.add_task(f"{source} {contract}", total=None)
            try:
                entries += train_contract(
                    rows,
                    str(source),
                    str(contract),
                    path,
                    settings,
                    partial(progress.advance, task),
                )
            except ValueError as error:
                # one data source with too few days must not stop the others
                logger.warning("skipped: %s", error)
    if not entries:
        raise typer.Exit(code=1)
    seconds = round(time.monotonic() - started, 1)
    for entry in entries:
        entry["metrics"]["train_seconds"] = seconds
    add_entries(path, entries)
    console.print(f"trained {len(entries)} models on {len(frame)} rows in {seconds} s")


@app.command()
def evaluate(warehouse: WarehouseOption = None, step: StepOption = 60) -> None:
    """Score the models and the empirical pmf on the test period; write exports/ml/*.parquet."""
    _check_step(step)
    path = warehouse or warehouse_path()
    loaded = _models(path)
    frame = _features(path, step, ("test",))
    pmf = load_empirical_pmf(path)
    records: list[dict[str, object]] = []
    bins: list[pd.DataFrame] = []
    importances: list[dict[str, object]] = []
    for (source, contract), rows in frame.groupby(["data_source", "contract_type"]):
        models = {
            entry["model"]: model
            for entry, model in loaded
            if (entry["data_source"], entry["contract_type"]) == (source, contract)
        }
        if not models:
            logger.warning("no model for %s %s: skipped", source, contract)
            continue
        contract_records, contract_bins = evaluate_contract(rows, models, pmf)
        records += contract_records
        bins += contract_bins
        importances += importance_rows(str(source), models)
    evaluation = pd.DataFrame.from_records(records, columns=EVALUATION_COLUMNS)
    importance = (
        pd.DataFrame.from_records(importances, columns=IMPORTANCE_COLUMNS)
        .groupby(["data_source", "model", "feature"], as_index=False)["importance"]
        .mean()
    )
    bins_frame = pd.concat(bins) if bins else pd.DataFrame(columns=BINS_COLUMNS)
    folder = ml_exports_dir(path)
    write_parquet(folder / "evaluation.parquet", evaluation)
    write_parquet(folder / "evaluation_bins.parquet", bins_frame[BINS_COLUMNS])
    write_parquet(folder / "feature_importance.parquet", importance[IMPORTANCE_COLUMNS])
    _print_evaluation(evaluation)


def _print_evaluation(evaluation: pd.DataFrame) -> None:
    table = Table(title="test-period log loss (lower is better)")
    for column in ("station", "contract", "empirical", "ordinal", "multiclass"):
        table.add_column(column)
    wide = evaluation.pivot_table(
        index=["station_icao", "contract_type"], columns="model", values="log_loss"
    )
    for (station, contract), row in wide.iterrows():
        cells = [
            f"{row.get(m, float('nan')):.4f}"
            for m in ("empirical", "catboost_ordinal", "catboost_multiclass")
        ]
        table.add_row(str(station), str(contract), *cells)
    console.print(table)


@app.command()
def predict(
    warehouse: WarehouseOption = None,
    step: StepOption = 15,
    period: Annotated[str, typer.Option(help="test, train or all")] = "all",
) -> None:
    """Bracket probabilities per market x checkpoint; write exports/ml/predictions.parquet."""
    _check_step(step)
    periods = ("train", "test") if period == "all" else (period,)
    path = warehouse or warehouse_path()
    loaded = _models(path)
    frame = _features(path, step, periods, require_delta=False)
    markets = load_market_checkpoints(path, step)
    parts = []
    for entry, model in loaded:
        selected = (frame["data_source"] == entry["data_source"]) & (
            frame["contract_type"] == entry["contract_type"]
        )
        if selected.any():
            parts.append(market_probabilities(frame[selected], markets, model, entry["model_id"]))
    predictions = pd.concat(parts) if parts else pd.DataFrame(columns=PREDICTION_COLUMNS)
    write_parquet(ml_exports_dir(path) / "predictions.parquet", predictions)
    console.print(f"{len(predictions)} bracket probabilities written")
