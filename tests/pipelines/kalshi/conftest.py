"""The Kalshi loader tests share the adapter tests' key pair and fake server fixtures."""

from __future__ import annotations

from tests.adapters.kalshi.conftest import key_file, key_pair, server, signer

__all__ = ["key_file", "key_pair", "server", "signer"]
