"""``python -m trader``."""

from trader.cli import app

app(prog_name="python -m trader")
