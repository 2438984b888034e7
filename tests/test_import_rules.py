"""The package layering, checked on the source: who may import whom (docs: architecture).

domain <- adapters <- pipelines; readers (reports, trader) read marts or exports, never the
loaders. Every ``import`` and ``from ... import`` in every module counts, including imports
inside functions; relative imports are resolved against the module's package.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Our top-level packages; anything else (stdlib, third party) is not policed here.
OURS = frozenset(
    {"domain", "adapters", "pipelines", "reports", "trader", "models_ml", "bench", "tests"}
)
ANY = OURS
# area -> the packages of ours its modules may import.
ALLOWED: dict[str, frozenset[str]] = {
    "domain": frozenset({"domain"}),
    "adapters": frozenset({"adapters", "domain"}),
    "pipelines": frozenset({"pipelines", "adapters", "domain"}),
    "reports": frozenset({"reports", "domain"}),
    "trader": frozenset({"trader", "adapters", "domain", "models_ml"}),
    "models_ml": frozenset({"models_ml", "domain"}),
    "bench": ANY - {"tests"},
    "dbt_models": frozenset({"domain"}),
}
# Single files allowed one more package than their area.
EXTRA: dict[str, frozenset[str]] = {"pipelines/cli.py": frozenset({"reports"})}


def _area_files(area: str, root: Path = REPO) -> list[Path]:
    if area == "dbt_models":
        return sorted((root / "dbt_project" / "models").rglob("*.py"))
    folder = root / area
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


def imported_modules(path: Path, root: Path = REPO) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a Python file.

    Args:
        path: the file.
        root: the folder the package names start from.

    Returns:
        The imports, relative ones resolved against the file's package.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = list(path.relative_to(root).parent.parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            elif node.module:
                yield node.lineno, node.module


def violations(area: str, root: Path = REPO) -> list[str]:
    """Every forbidden import in an area, as ``file:line: imports X (area may import ...)``."""
    found: list[str] = []
    for path in _area_files(area, root):
        relative = path.relative_to(root).as_posix()
        allowed = ALLOWED[area] | EXTRA.get(relative, frozenset())
        for line, module in imported_modules(path, root):
            top = module.split(".")[0]
            if top in OURS and top not in allowed:
                found.append(
                    f"{relative}:{line}: imports {module} "
                    f"({area} may import only {', '.join(sorted(allowed))} of ours)"
                )
    return found


@pytest.mark.parametrize("area", sorted(ALLOWED))
def test_area_imports_only_what_it_may(area: str) -> None:
    found = violations(area)
    assert not found, f"{len(found)} forbidden import(s):\n" + "\n".join(found)


def test_the_checker_sees_the_packages() -> None:
    # The rules above would pass vacuously on an empty walk.
    assert len(_area_files("domain")) >= 5 and len(_area_files("adapters")) >= 5
    assert len(_area_files("pipelines")) >= 10 and _area_files("dbt_models")
    runner = REPO / "pipelines" / "kalshi" / "runner.py"
    assert "adapters.kalshi.client" in {module for _, module in imported_modules(runner)}


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    probe = tmp_path / "pipelines" / "kalshi" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("from . import files\nfrom ..warehouse import x\nimport reports.html\n")
    got = [module for _, module in imported_modules(probe, root=tmp_path)]
    assert got == ["pipelines.kalshi", "pipelines.warehouse", "reports.html"]
    (tmp_path / "pipelines" / "__init__.py").write_text("from .kalshi import runner\n")
    init = [m for _, m in imported_modules(tmp_path / "pipelines" / "__init__.py", tmp_path)]
    assert init == ["pipelines.kalshi"]


def test_a_forbidden_import_is_named_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "adapters" / "kalshi").mkdir(parents=True)
    (tmp_path / "adapters" / "kalshi" / "bad.py").write_text(
        "import httpx\n\n\ndef f():\n    from pipelines.kalshi import runner\n"
    )
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "cli.py").write_text("from reports import html\n")
    (tmp_path / "pipelines" / "summary.py").write_text("from reports import html\n")
    assert violations("adapters", tmp_path) == [
        "adapters/kalshi/bad.py:5: imports pipelines.kalshi "
        "(adapters may import only adapters, domain of ours)"
    ]
    assert [v.split(":")[0] for v in violations("pipelines", tmp_path)] == ["pipelines/summary.py"]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_adapters_import_without_dlt_or_pyarrow() -> None:
    done = _run(
        "import adapters.kalshi, adapters.iem, sys; "
        "assert 'dlt' not in sys.modules and 'pyarrow' not in sys.modules"
    )
    assert done.returncode == 0, done.stderr


def test_every_adapter_module_imports_without_dlt_or_pyarrow() -> None:
    done = _run(
        "import importlib, pkgutil, sys, adapters\n"
        "names = [m.name for m in pkgutil.walk_packages(adapters.__path__, 'adapters.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "heavy = sorted(m for m in ('dlt', 'pyarrow') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "print(len(names))"
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) >= 8  # the walk found the client, signing, credentials... modules
