"""Model files and the registry under ``<warehouse folder>/models/``, and atomic exports.

The registry (``registry.json``) lists every trained model: its id (a hash of the data and the
parameters), kind, data source, contract type, classes, calibration, booster files, metrics and
``created_at``. Readers take the newest entry per data source x contract type x kind.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from domain.layout import models_dir

REGISTRY_FILE = "registry.json"


def data_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's values (row order and column names included)."""
    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def model_id(
    kind: str, data_source: str, contract_type: str, digest: str, params: dict[str, Any]
) -> str:
    """A model's id: 16 hex digits over what it was fitted from."""
    text = json.dumps([kind, data_source, contract_type, digest, params], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _replace_atomically(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    write(temporary)
    temporary.replace(path)


def write_json(path: Path, value: Any) -> None:
    """Write JSON through a temporary file and a rename."""
    _replace_atomically(
        path, lambda tmp: tmp.write_text(json.dumps(value, indent=2, sort_keys=True), "utf-8")
    )


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    """Write a frame as parquet (through DuckDB) via a temporary file and a rename."""

    def write(temporary: Path) -> None:
        con = duckdb.connect()
        try:
            con.from_df(frame).write_parquet(str(temporary))
        finally:
            con.close()

    _replace_atomically(path, write)


def read_registry(warehouse: Path) -> list[dict[str, Any]]:
    """Every registry entry (empty when nothing was trained)."""
    path = models_dir(warehouse) / REGISTRY_FILE
    if not path.is_file():
        return []
    entries: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["models"]
    return entries


def add_entries(warehouse: Path, entries: list[dict[str, Any]]) -> None:
    """Append entries to the registry (an entry with the same id is replaced)."""
    new_ids = {entry["model_id"] for entry in entries}
    kept = [entry for entry in read_registry(warehouse) if entry["model_id"] not in new_ids]
    write_json(models_dir(warehouse) / REGISTRY_FILE, {"models": kept + entries})


def latest_entries(warehouse: Path) -> list[dict[str, Any]]:
    """The newest entry per data source x contract type x kind."""
    newest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for entry in read_registry(warehouse):
        key = (entry["data_source"], entry["contract_type"], entry["model"])
        if key not in newest or entry["created_at"] >= newest[key]["created_at"]:
            newest[key] = entry
    return [newest[key] for key in sorted(newest)]
