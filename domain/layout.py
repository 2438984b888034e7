"""Where the warehouse file lives, and the folders beside it.

One rule for the loaders (``pipelines``), the readers of marts (``reports``) and the trader:
the DuckDB file is ``WAREHOUSE_PATH`` when set, else ``warehouse/kalshi_weather.duckdb`` in the
repo (the same default as ``profiles.yml``). Files derived from a warehouse sit beside it, so a
throwaway warehouse gets throwaway exports. Pure paths: nothing here creates a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

WAREHOUSE_ENV = "WAREHOUSE_PATH"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "kalshi_weather.duckdb"
# dbt's rpt_station_thresholds_export writes here; the trader reads from here.
EXPORTS_DIRNAME = "exports"
ML_EXPORTS_DIRNAME = "ml"
MODELS_DIRNAME = "models"
THRESHOLDS_EXPORT_STEM = "station_thresholds"


def warehouse_path() -> Path:
    """The DuckDB warehouse file.

    Returns:
        ``WAREHOUSE_PATH`` if set (a relative value is taken from the working directory), else
        ``warehouse/kalshi_weather.duckdb`` in the repo. The file need not exist.
    """
    configured = os.environ.get(WAREHOUSE_ENV)
    path = Path(configured) if configured else DEFAULT_WAREHOUSE
    return path if path.is_absolute() else Path.cwd() / path


def exports_dir(warehouse: Path | None = None) -> Path:
    """The folder of the dbt exports (station thresholds) for a warehouse file.

    Args:
        warehouse: the DuckDB file; default ``warehouse_path()``.

    Returns:
        ``exports/`` beside the warehouse file (``warehouse/exports`` by default).
    """
    return (warehouse or warehouse_path()).parent / EXPORTS_DIRNAME


def ml_exports_dir(warehouse: Path | None = None) -> Path:
    """``exports/ml/`` beside the warehouse file: the delta models' files dbt reads as sources."""
    return exports_dir(warehouse) / ML_EXPORTS_DIRNAME


def models_dir(warehouse: Path | None = None) -> Path:
    """``models/`` beside the warehouse file: the delta models and their registry."""
    return (warehouse or warehouse_path()).parent / MODELS_DIRNAME


def thresholds_export_stem(data_source: str) -> str:
    """File name (no suffix) of the thresholds export of one data source.

    The trader's default input holds real rows only; the simulated sample's thresholds go to a
    file whose name says so, so they can never be traded by mistake.

    Args:
        data_source: ``real`` or ``simulated``.

    Returns:
        ``station_thresholds`` for real rows, ``station_thresholds_simulated`` for simulated ones.
    """
    if data_source == "real":
        return THRESHOLDS_EXPORT_STEM
    if data_source == "simulated":
        return f"{THRESHOLDS_EXPORT_STEM}_simulated"
    raise ValueError(f"unknown data_source {data_source!r}")
