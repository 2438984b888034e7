"""Fixtures for the Kalshi tests: a key pair and a fake, signature-checking Kalshi server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.kalshi.client import KalshiClient
from adapters.kalshi.signing import KalshiSigner
from tests.fakes.kalshi_server import FakeKalshi, fake_kalshi, make_key_pair

KEY_ID = "test-key-id-1234"


@pytest.fixture(scope="session")
def key_pair() -> tuple[rsa.RSAPrivateKey, bytes]:
    """One RSA key pair per test session (generation is slow)."""
    return make_key_pair()


@pytest.fixture
def signer(key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> KalshiSigner:
    """A signer over the session key."""
    return KalshiSigner.from_pem(KEY_ID, key_pair[1])


@pytest.fixture
def key_file(key_pair: tuple[rsa.RSAPrivateKey, bytes], tmp_path: Path) -> Path:
    """The private key saved as a PEM file."""
    path = tmp_path / "kalshi.pem"
    path.write_bytes(key_pair[1])
    return path


@pytest.fixture
def server(key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[FakeKalshi]:
    """A running fake Kalshi server that verifies signatures with the public key."""
    with fake_kalshi(key_pair[0].public_key(), KEY_ID) as state:
        yield state


@pytest.fixture
def sleeps() -> list[float]:
    """The delays the client asked to sleep (it never really sleeps in tests)."""
    return []


@pytest.fixture
def client(server: FakeKalshi, signer: KalshiSigner, sleeps: list[float]) -> Iterator[KalshiClient]:
    """A signed client pointed at the fake server, with no real sleeping."""
    with KalshiClient(
        server.base_url, signer, rate_limit_per_s=0, sleep=sleeps.append, max_retries=3
    ) as c:
        yield c
