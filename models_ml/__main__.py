"""``python -m models_ml``."""

from models_ml.cli import app

app()
