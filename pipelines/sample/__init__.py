"""The SIMULATED sample (``python -m pipelines run --source sample``).

A deterministic, offline stand-in for IEM/NWS weather and Kalshi markets, used by ``make demo``,
CI and every mart before real data exists. Every document is in the real wire format and goes
through the real parsers; every row it produces carries ``data_source='simulated'`` and
``ingest_channel='sample'``, every location starts with ``simulated://``.

Modules:
- ``profiles``: per-station climate and market-efficiency knobs (stations come from the seed).
- ``seeding``: per-(purpose, station, date) random streams, stable across processes.
- ``truth``: the minute-level weather truth and the official CLI values derived from it.
- ``weather``: asos.py CSV, json/cli.py and json/cf6.py documents.
- ``kalshi``: series, events, ladders, 1-minute candles and trades.
- ``runner``: ``run_sample``, generation plus both loads, with a progress bar.
"""
