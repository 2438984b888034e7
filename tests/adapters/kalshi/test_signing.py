"""Request signing and the token bucket (pure: no server needed beyond the verifier)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.kalshi.signing import KalshiConfigError, KalshiSigner
from adapters.pacing import TokenBucket
from tests.adapters.kalshi.conftest import KEY_ID
from tests.fakes.kalshi_server import FakeKalshi


def test_signature_message_drops_the_query(
    signer: KalshiSigner, key_pair: tuple[rsa.RSAPrivateKey, bytes]
) -> None:
    state = FakeKalshi(public_key=key_pair[0].public_key(), key_id=KEY_ID)
    headers = signer.headers("get", "https://x/trade-api/v2/markets?limit=5", ts_ms=1700000000000)
    assert headers["KALSHI-ACCESS-TIMESTAMP"] == "1700000000000"
    assert state.verify("GET", "/trade-api/v2/markets", headers)
    assert not state.verify("GET", "/trade-api/v2/markets?limit=5", headers)
    assert not state.verify("POST", "/trade-api/v2/markets", headers)


def test_signer_repr_hides_the_secrets(signer: KalshiSigner) -> None:
    assert KEY_ID not in repr(signer) and KEY_ID not in str(signer)
    assert "PRIVATE KEY" not in repr(signer)


def test_unreadable_pem_does_not_echo_it() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n"
    with pytest.raises(KalshiConfigError) as info:
        KalshiSigner.from_pem(KEY_ID, pem)
    assert "c2VjcmV0" not in str(info.value) and KEY_ID not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_empty_key_id_is_refused(key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    with pytest.raises(KalshiConfigError, match="key id is empty"):
        KalshiSigner("", key_pair[0])


def _fake_time() -> tuple[list[float], list[float], TokenBucket]:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    return now, slept, TokenBucket(20, clock=lambda: now[0], sleep=sleep)


def test_token_bucket_throttles_to_the_rate() -> None:
    _, slept, bucket = _fake_time()
    for _ in range(60):
        bucket.acquire()
    # 20 burst tokens, then 40 more at 20/s = 2 s of waiting
    assert sum(slept) == pytest.approx(2.0, abs=1e-6)


def test_token_bucket_refills_while_idle() -> None:
    now, slept, bucket = _fake_time()
    for _ in range(20):
        bucket.acquire()
    now[0] += 1.0  # a quiet second refills the whole burst
    for _ in range(20):
        bucket.acquire()
    assert slept == []


def test_min_interval_bucket_spaces_requests() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket.min_interval(0.5, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        bucket.acquire()
    # no burst: the first request goes at once, each later one waits half a second
    assert slept == pytest.approx([0.5, 0.5])
    assert TokenBucket.min_interval(0).acquire() == 0.0  # disabled
