"""Loader constants for the IEM / NWS source (service constants: :mod:`adapters.iem.settings`)."""

from __future__ import annotations

# Live loads resume from the last loaded observation per station and report type, minus this
# lag, so late-arriving corrections and specials inside the lag are fetched again: a report
# already loaded merges onto its row, one with new text (a COR) is a new revision.
LIVE_RESUME_LAG_HOURS = 6

# Rows per Arrow batch handed to dlt: large enough for throughput, small enough for memory.
BATCH_ROWS = 50_000

# A progress bar is shown when there are at least this many documents to parse.
PROGRESS_MIN_DOCUMENTS = 20
