"""The Kalshi REST client against a real local HTTP server that checks signatures."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipelines.kalshi.client import (
    KalshiClient,
    KalshiError,
    KalshiSigner,
    TokenBucket,
    signer_from_config,
)
from tests.fakes.kalshi_server import FakeKalshi, paged
from tests.pipelines.kalshi.conftest import KEY_ID


def test_every_request_is_signed_and_verified(server: FakeKalshi, client: KalshiClient) -> None:
    server.route("/series/KXHIGHNY", {"series": {"ticker": "KXHIGHNY"}})
    body = client.get("/series/KXHIGHNY", {"include_volume": "true"})
    assert body == {"series": {"ticker": "KXHIGHNY"}}
    assert [s.signature_ok for s in server.seen] == [True]
    # the query string was sent but not signed: verification used the bare path
    assert server.seen[0].query == {"include_volume": "true"}


def test_wrong_key_is_refused(server: FakeKalshi) -> None:
    from tests.fakes.kalshi_server import make_key_pair

    _, other_pem = make_key_pair()
    impostor = KalshiSigner.from_pem(KEY_ID, other_pem)
    server.route("/markets", {"markets": [], "cursor": ""})
    with KalshiClient(server.base_url, impostor, rate_limit_per_s=0) as client:
        with pytest.raises(KalshiError, match=r"HTTP 401") as info:
            client.get("/markets")
    assert info.value.url == f"{server.base_url}/markets"
    assert server.seen[0].signature_ok is False


def test_pagination_walks_every_page_with_identical_filters(
    server: FakeKalshi, client: KalshiClient
) -> None:
    pages = [[{"ticker": "A"}, {"ticker": "B"}], [{"ticker": "C"}], [{"ticker": "D"}]]
    server.route("/markets", paged("markets", pages, ["c1", "c2", ""]))
    items = list(client.paginate("/markets", "markets", {"series_ticker": "KXHIGHNY", "limit": 2}))
    assert [m["ticker"] for m in items] == ["A", "B", "C", "D"]
    seen = server.requests_to("/markets")
    assert [s.query.get("cursor") for s in seen] == [None, "c1", "c2"]
    assert all(s.query["series_ticker"] == "KXHIGHNY" and s.query["limit"] == "2" for s in seen)


def test_empty_cursor_ends_after_one_page(server: FakeKalshi, client: KalshiClient) -> None:
    server.route("/events", {"events": [{"event_ticker": "E"}], "cursor": ""})
    assert len(list(client.paginate("/events", "events"))) == 1
    assert len(server.requests_to("/events")) == 1


def test_repeated_cursor_stops_with_warning(
    server: FakeKalshi, client: KalshiClient, caplog: pytest.LogCaptureFixture
) -> None:
    # A buggy server keeps answering with the same cursor: we must not loop forever.
    server.route(
        "/markets/trades", lambda q: (200, {"trades": [{"trade_id": "t"}], "cursor": "same"})
    )
    with caplog.at_level(logging.WARNING):
        items = list(client.paginate("/markets/trades", "trades"))
    assert len(items) == 2  # first page (cursor new), second page (cursor repeated) -> stop
    assert len(server.requests_to("/markets/trades")) == 2
    assert "cursor repeated" in caplog.text


def test_429_then_success_backs_off(server: FakeKalshi, client: KalshiClient) -> None:
    server.route(
        "/historical/cutoff",
        [
            (429, {"error": "too many requests"}),
            (503, {"error": "busy"}),
            (200, {"market_settled_ts": 0}),
        ],
    )
    assert client.get("/historical/cutoff") == {"market_settled_ts": 0}
    assert len(server.requests_to("/historical/cutoff")) == 3
    sleeps = client.sleeps  # type: ignore[attr-defined]
    assert len(sleeps) == 2
    # exponential with jitter: second delay drawn from [0.5, 1.0] x 2 x base
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_gives_up_naming_the_url(server: FakeKalshi, client: KalshiClient) -> None:
    server.route("/markets", [(500, {"error": "boom"})])
    with pytest.raises(KalshiError) as info:
        client.get("/markets")
    assert f"{server.base_url}/markets" in str(info.value)
    assert "after 4 attempts" in str(info.value)
    assert len(server.requests_to("/markets")) == 4


def test_client_error_is_not_retried(server: FakeKalshi, client: KalshiClient) -> None:
    server.route("/markets/XYZ", [(400, {"code": "bad_request"})])
    with pytest.raises(KalshiError, match="HTTP 400"):
        client.get("/markets/XYZ")
    assert len(server.requests_to("/markets/XYZ")) == 1


def test_authenticated_endpoint_needs_a_signer(server: FakeKalshi) -> None:
    with KalshiClient(server.base_url, None, rate_limit_per_s=0) as client:
        with pytest.raises(KalshiError, match="needs Kalshi credentials"):
            client.get("/markets/X/orderbook", auth=True)
    assert server.seen == []


def test_secrets_never_in_repr(
    signer: KalshiSigner, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert KEY_ID not in repr(signer) and KEY_ID not in str(signer)
    monkeypatch.setenv("KALSHI_API_KEY_ID", KEY_ID)
    monkeypatch.setenv("KALSHI_PRIVATE_KEY_PATH", str(key_file))
    from_env = signer_from_config()
    assert from_env is not None
    assert "PRIVATE KEY" not in repr(from_env) and KEY_ID not in repr(from_env)
    client = KalshiClient("http://127.0.0.1:9/trade-api/v2", from_env)
    assert KEY_ID not in repr(client)
    client.close()


def test_signature_message_drops_the_query(signer: KalshiSigner, key_pair) -> None:  # type: ignore[no-untyped-def]
    from tests.fakes.kalshi_server import FakeKalshi as State

    state = State(public_key=key_pair[0].public_key(), key_id=KEY_ID)
    headers = signer.headers("get", "https://x/trade-api/v2/markets?limit=5", ts_ms=1700000000000)
    assert headers["KALSHI-ACCESS-TIMESTAMP"] == "1700000000000"
    assert state.verify("GET", "/trade-api/v2/markets", headers)
    assert not state.verify("GET", "/trade-api/v2/markets?limit=5", headers)


def test_token_bucket_throttles_to_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(20, clock=lambda: now[0], sleep=sleep)
    for _ in range(60):
        bucket.acquire()
    # 20 burst tokens, then 40 more at 20/s = 2 s of waiting
    assert sum(slept) == pytest.approx(2.0, abs=1e-6)
