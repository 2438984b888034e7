"""The Kalshi WebSocket book recorder: streams books, quotes, prints and market state of every
open temperature market into append-only daily files (loaded by ``--source files``)."""
