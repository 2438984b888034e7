"""Deterministic random streams: one seed per (purpose, station, date, ...), never the clock.

Python's ``hash()`` is salted per process, so seeds come from SHA-256 of the key parts: the
same key gives the same stream in every run, on every machine.
"""

from __future__ import annotations

import hashlib

import numpy as np

SAMPLE_VERSION = "sample-v1"  # bump to re-roll every simulated value on purpose


def seed_for(*parts: object) -> int:
    """A 64-bit seed from the key parts (stringified), stable across processes."""
    key = "\x1f".join((SAMPLE_VERSION, *(str(part) for part in parts)))
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def rng_for(*parts: object) -> np.random.Generator:
    """A numpy generator seeded from the key parts."""
    return np.random.default_rng(seed_for(*parts))
