"""``python -m pipelines``: the pipelines CLI."""

from pipelines.cli import app

app()
