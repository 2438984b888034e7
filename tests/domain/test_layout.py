"""Where the warehouse file and its exports live: one rule for loaders, readers and trader."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.layout import DEFAULT_WAREHOUSE, exports_dir, thresholds_export_stem, warehouse_path


def test_warehouse_path_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "absent" / "w.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(target))

    assert warehouse_path() == target
    assert not target.parent.exists()  # a path only: readers must not create folders


def test_relative_warehouse_path_is_taken_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WAREHOUSE_PATH", "scratch/w.duckdb")

    assert warehouse_path() == tmp_path / "scratch" / "w.duckdb"


def test_default_warehouse_is_the_repo_file_like_profiles_yml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WAREHOUSE_PATH", raising=False)
    repo = Path(__file__).resolve().parents[2]

    assert warehouse_path() == DEFAULT_WAREHOUSE == repo / "warehouse" / "kalshi_weather.duckdb"
    assert (
        "env_var('WAREHOUSE_PATH', 'warehouse/kalshi_weather.duckdb')"
        in (repo / "profiles.yml").read_text()
    )


def test_exports_sit_beside_the_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "w.duckdb"))

    assert exports_dir() == tmp_path / "exports"
    assert exports_dir(Path("/x/y/other.duckdb")) == Path("/x/y/exports")


def test_each_data_source_has_its_own_thresholds_export() -> None:
    assert thresholds_export_stem("real") == "station_thresholds"
    assert thresholds_export_stem("simulated") == "station_thresholds_simulated"
    with pytest.raises(ValueError):
        thresholds_export_stem("other")
