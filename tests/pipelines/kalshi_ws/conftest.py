"""Fixtures for the recorder tests: a key pair, a signer, and a recorded session of the fake
WebSocket server (snapshot, deltas, a seq gap, an error 25, a disconnect, re-listing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.kalshi.signing import KalshiSigner
from tests.fakes.kalshi_server import make_key_pair
from tests.fakes.kalshi_ws_server import FakeKalshiWs, fake_kalshi_ws

KEY_ID = "ws-test-key"


@pytest.fixture(scope="session")
def ws_key_pair() -> tuple[rsa.RSAPrivateKey, bytes]:
    """One RSA key pair per session (generation is slow)."""
    return make_key_pair()


@pytest.fixture
def ws_signer(ws_key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> KalshiSigner:
    """A signer over the session key."""
    return KalshiSigner.from_pem(KEY_ID, ws_key_pair[1])


@pytest.fixture
def ws_server(ws_key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[FakeKalshiWs]:
    """A running fake WebSocket server verifying handshakes with the public key."""
    with fake_kalshi_ws(ws_key_pair[0].public_key(), KEY_ID) as state:
        yield state
