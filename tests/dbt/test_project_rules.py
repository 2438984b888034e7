"""House rules over dbt's manifest: described models, tested keys, layering, source freshness."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_dbt

PREFIXES = {"staging": "stg_", "intermediate": "int_", "marts": ("fct_", "dim_", "rpt_")}
KEY_TESTS = {"unique", "unique_combination"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("dbt_parse")
    result = run_dbt(["parse"], work / "unused.duckdb", work)
    assert result.returncode == 0, result.stdout[-2000:]
    return json.loads((work / "target" / "manifest.json").read_text())


def _models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def test_models_are_named_for_their_layer(manifest: dict[str, Any]) -> None:
    for model in _models(manifest):
        layer = Path(model["original_file_path"]).parts[2]
        assert model["name"].startswith(PREFIXES[layer]), model["original_file_path"]


def test_every_model_and_source_is_described(manifest: dict[str, Any]) -> None:
    missing = [m["name"] for m in _models(manifest) if not m["description"].strip()]
    missing += [s["name"] for s in manifest["sources"].values() if not s["description"].strip()]
    assert missing == []


def test_every_model_has_a_tested_primary_key(manifest: dict[str, Any]) -> None:
    keyed: set[str] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        name = (node.get("test_metadata") or {}).get("name")
        if name in KEY_TESTS:
            keyed.update(node["depends_on"]["nodes"])
    # a singular key test may stand in: it must be named assert_<model>_key_unique
    singular = {
        n["name"].removeprefix("assert_").removesuffix("_key_unique")
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and n["name"].endswith("_key_unique")
    }
    untested = [
        m["name"]
        for m in _models(manifest)
        if m["unique_id"] not in keyed and m["name"] not in singular
    ]
    assert untested == []


def _key_columns(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """Every model's key columns: those of its unique_combination / unique tests."""
    keys: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or meta.get("name") not in KEY_TESTS:
            continue
        kwargs = meta.get("kwargs") or {}
        columns = kwargs.get("combination_of_columns") or [kwargs.get("column_name")]
        keys.setdefault(node["attached_node"], set()).update(c for c in columns if c)
    return keys


def _not_null_columns(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """Every model's columns with a not_null test."""
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if node["resource_type"] == "test" and meta.get("name") == "not_null":
            column = (meta.get("kwargs") or {}).get("column_name") or node.get("column_name")
            tested.setdefault(node["attached_node"], set()).add(column)
    return tested


def test_every_key_column_is_tested_not_null(manifest: dict[str, Any]) -> None:
    keys = _key_columns(manifest)
    assert sum(len(columns) for columns in keys.values()) > 50, "no key tests found: no teeth"
    tested = _not_null_columns(manifest)
    missing = sorted(
        f"{model.rsplit('.', 1)[-1]}.{column}"
        for model, columns in keys.items()
        for column in columns - tested.get(model, set())
    )
    assert missing == []


def test_only_staging_reads_sources(manifest: dict[str, Any]) -> None:
    for model in _models(manifest):
        reads_source = any(d.startswith("source.") for d in model["depends_on"]["nodes"])
        assert reads_source == model["name"].startswith("stg_"), model["name"]


def test_every_source_table_declares_freshness(manifest: dict[str, Any]) -> None:
    stale = [
        s["name"]
        for s in manifest["sources"].values()
        if not (s.get("freshness") or {}).get("error_after", {}).get("count")
        and not (s.get("freshness") or {}).get("warn_after", {}).get("count")
    ]
    assert stale == []
