"""How dlt pipelines into the warehouse are made (where the file lives: ``domain.layout``)."""

from __future__ import annotations

import dlt
from dlt.common.pipeline import LoadInfo

from domain.layout import warehouse_path

# dlt dataset (= DuckDB schema = dbt source schema) per source family.
IEM_DATASET = "raw_iem"
KALSHI_DATASET = "raw_kalshi"


def make_pipeline(name: str, dataset_name: str) -> dlt.Pipeline:
    """A dlt pipeline loading into the warehouse file (its folder is created if missing).

    The pipeline's working folder sits beside the warehouse (keyed by its file name) so a
    throwaway warehouse gets throwaway dlt state too.

    Args:
        name: pipeline name, e.g. ``iem``.
        dataset_name: target dataset (schema), e.g. ``raw_iem``.

    Returns:
        The configured pipeline.
    """
    # Every loader yields Arrow tables, which skip dlt's row normaliser; ask it to stamp
    # _dlt_load_id anyway so staging can keep only rows of finished loads.
    dlt.config["normalize.parquet_normalizer.add_dlt_load_id"] = True
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    pipelines_dir = path.parent / ".dlt_pipelines" / path.stem
    return dlt.pipeline(
        pipeline_name=f"{name}_{path.stem}",
        destination=dlt.destinations.duckdb(str(path)),
        dataset_name=dataset_name,
        pipelines_dir=str(pipelines_dir),
    )


def assert_load_ok(info: LoadInfo, what: str) -> None:
    """Raise ``LoadFailedError`` naming ``what`` if any load job failed."""
    if info.has_failed_jobs:
        failed = [
            job.job_file_info.job_id()
            for pkg in info.load_packages
            for job in pkg.jobs["failed_jobs"]
        ]
        raise LoadFailedError(f"{what}: failed load jobs {failed}")


class LoadFailedError(RuntimeError):
    """A whole source failed; the CLI prints this one line and exits non-zero."""
