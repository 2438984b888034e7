"""Loader constants for the Kalshi source (API hosts and limits: :mod:`adapters.kalshi.settings`)."""

from __future__ import annotations

# Candle intervals we load (minutes); the live endpoint also offers 1440.
CANDLE_PERIODS = (1, 60)

# Row batch size handed to dlt (lists of rows are much faster than single rows).
BATCH_ROWS = 20_000
