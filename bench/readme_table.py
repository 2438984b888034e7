"""``python -m bench.readme_table [RESULTS.json]``: the README's benchmark table, in Markdown.

Regenerated from a run's ``results.json`` (default ``bench/out/results.json``, the latest
``make bench``), so the README shows the figures the run wrote, never hand-copied ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.results_table import markdown

DEFAULT_RESULTS = Path(__file__).resolve().parent / "out" / "results.json"


def main(argv: list[str] | None = None) -> None:
    """Print the Markdown table of a ``results.json`` on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="?", default=DEFAULT_RESULTS)
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    sys.stdout.write(markdown(results))


if __name__ == "__main__":  # pragma: no cover
    main()
