"""Constants of the trader-journal source (the journal's own schema: ``trader/journal_schema.py``)."""

from __future__ import annotations

# dlt dataset (= DuckDB schema = dbt source schema ``trader``).
TRADER_DATASET = "raw_trader"
# The dlt pipeline name prefix; each journal gets its own pipeline
# (``trader_<data_source>_<journal_id>``) so the incremental cursors of two journals never mix.
PIPELINE_PREFIX = "trader"
# Orders journaled before the broker column existed were paper orders.
DEFAULT_BROKER = "paper"
# A journal file is a saved file: the files channel.
INGEST_CHANNEL = "files"
# A journal_id is a short slug: it names a dlt pipeline and is part of every key.
JOURNAL_ID_PATTERN = r"[a-z0-9][a-z0-9_]{0,47}"
# Rows per Arrow batch handed to dlt.
BATCH_ROWS = 20_000
