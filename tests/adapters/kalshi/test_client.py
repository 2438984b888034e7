"""The Kalshi REST client against a real local HTTP server that checks signatures."""

from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from adapters.kalshi.client import KalshiClient, KalshiError
from adapters.kalshi.signing import KalshiSigner
from tests.adapters.kalshi.conftest import KEY_ID
from tests.fakes.kalshi_server import FakeKalshi, make_key_pair, paged


def test_every_request_is_signed_and_verified(server: FakeKalshi, client: KalshiClient) -> None:
    server.route("/series/KXHIGHNY", {"series": {"ticker": "KXHIGHNY"}})
    body = client.get("/series/KXHIGHNY", {"include_volume": "true"})
    assert body == {"series": {"ticker": "KXHIGHNY"}}
    assert [s.signature_ok for s in server.seen] == [True]
    # the query string was sent but not signed: verification used the bare path
    assert server.seen[0].query == {"include_volume": "true"}


def test_wrong_key_is_refused(server: FakeKalshi) -> None:
    _, other_pem = make_key_pair()
    impostor = KalshiSigner.from_pem(KEY_ID, other_pem)
    server.route("/markets", {"markets": [], "cursor": ""})
    with KalshiClient(server.base_url, impostor, rate_limit_per_s=0) as client:
        with pytest.raises(KalshiError, match=r"HTTP 401") as info:
            client.get("/markets")
    assert info.value.url == f"{server.base_url}/markets"
    assert info.value.status == 401
    assert server.seen[0].signature_ok is False


def test_a_stamp_in_seconds_is_refused(server: FakeKalshi, signer: KalshiSigner) -> None:
    """The timestamp is Unix milliseconds: a request stamped in seconds fails, as on the venue."""
    server.route("/markets", {"markets": [], "cursor": ""})
    url = f"{server.base_url}/markets"
    seconds = signer.headers("GET", url, ts_ms=int(time.time()))
    assert httpx.get(url, headers=seconds).status_code == 401
    assert httpx.get(url, headers=signer.headers("GET", url)).status_code == 200


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


def test_429_then_success_backs_off(
    server: FakeKalshi, client: KalshiClient, sleeps: list[float]
) -> None:
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
    # every attempt was signed afresh and verified
    assert all(s.signature_ok for s in server.seen)
    assert len(sleeps) == 2
    # exponential with jitter: delay n is drawn from [0.5, 1.0] x base x 2^(n-1)
    assert 0.25 <= sleeps[0] <= 0.5 and 0.5 <= sleeps[1] <= 1.0


def test_gives_up_naming_the_url(server: FakeKalshi, client: KalshiClient) -> None:
    server.route("/markets", [(500, {"error": "boom"})])
    with pytest.raises(KalshiError) as info:
        client.get("/markets")
    assert f"{server.base_url}/markets" in str(info.value)
    assert "after 4 attempts (last: HTTP 500" in str(info.value)
    assert len(server.requests_to("/markets")) == 4


def test_client_error_is_not_retried(server: FakeKalshi, client: KalshiClient) -> None:
    server.route("/markets/XYZ", [(400, {"code": "bad_request"})])
    with pytest.raises(KalshiError, match="HTTP 400: .*bad_request"):
        client.get("/markets/XYZ")
    assert len(server.requests_to("/markets/XYZ")) == 1


def test_transport_errors_are_retried_then_reported(
    signer: KalshiSigner, sleeps: list[float]
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}/trade-api/v2"
    with KalshiClient(base, signer, rate_limit_per_s=0, max_retries=2, sleep=sleeps.append) as c:
        with pytest.raises(KalshiError, match=r"after 3 attempts \(last: ConnectError") as info:
            c.get("/markets")
    assert info.value.status is None
    assert len(sleeps) == 2
    assert KEY_ID not in str(info.value)


def test_authenticated_endpoint_needs_a_signer(server: FakeKalshi) -> None:
    with KalshiClient(server.base_url, None, rate_limit_per_s=0) as client:
        with pytest.raises(KalshiError, match="needs Kalshi credentials"):
            client.orderbook("KXHIGHNY-26JAN20-B40.5")
    assert server.seen == []


def test_secrets_never_in_repr_or_errors(server: FakeKalshi, signer: KalshiSigner) -> None:
    server.route("/markets", [(400, {"code": "bad_request"})])
    with KalshiClient(server.base_url, signer, rate_limit_per_s=0) as client:
        assert KEY_ID not in repr(client) and "signed=True" in repr(client)
        with pytest.raises(KalshiError) as info:
            client.get("/markets")
    assert KEY_ID not in str(info.value)


def test_event_with_nested_markets(server: FakeKalshi, client: KalshiClient) -> None:
    markets = [{"ticker": "KXHIGHNY-26JAN20-B40.5"}, {"ticker": "KXHIGHNY-26JAN20-T45"}]
    server.route(
        "/events/KXHIGHNY-26JAN20",
        lambda q: (200, {"event": {"event_ticker": "KXHIGHNY-26JAN20", "markets": markets}}),
    )
    got = client.event("KXHIGHNY-26JAN20")
    assert got.event["event_ticker"] == "KXHIGHNY-26JAN20"
    assert [m["ticker"] for m in got.markets] == [m["ticker"] for m in markets]
    assert server.requests_to("/events/KXHIGHNY-26JAN20")[0].query == {
        "with_nested_markets": "true"
    }


def test_event_with_markets_beside_it(server: FakeKalshi, client: KalshiClient) -> None:
    server.route(
        "/events/KXHIGHNY-26JAN20",
        {"event": {"event_ticker": "KXHIGHNY-26JAN20"}, "markets": [{"ticker": "M"}]},
    )
    assert [m["ticker"] for m in client.event("KXHIGHNY-26JAN20").markets] == ["M"]


def test_orderbook_is_typed_best_first(server: FakeKalshi, client: KalshiClient) -> None:
    ticker = "KXHIGHNY-26JAN20-B40.5"
    server.route(
        f"/markets/{ticker}/orderbook",
        {
            "orderbook_fp": {
                "yes_dollars": [["0.2200", "5.00"], ["0.2400", "120.00"]],
                "no_dollars": [["0.7300", "40.00"]],
            }
        },
    )
    book = client.orderbook(ticker, depth=5)
    assert [(lv.price, lv.size) for lv in book.yes_bids] == [
        (Decimal("0.24"), Decimal("120")),
        (Decimal("0.22"), Decimal("5")),
    ]
    assert book.best_yes_ask == Decimal("0.27")  # 1 - best NO bid
    assert book.best_no_ask == Decimal("0.76")
    assert server.requests_to(f"/markets/{ticker}/orderbook")[0].query == {"depth": "5"}
    assert server.seen[-1].signature_ok


def test_historical_cutoff_and_tier_routing(server: FakeKalshi, client: KalshiClient) -> None:
    server.route(
        "/historical/cutoff",
        {"market_settled_ts": 1767225600, "trades_created_ts": "2026-01-01T00:00:00Z"},
    )
    cutoff = client.historical_cutoff()
    assert cutoff.market_settled_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert cutoff.trades_created_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert cutoff.orders_updated_at is None
    assert cutoff.markets_need_history(datetime(2025, 12, 31, tzinfo=UTC))
    assert not cutoff.markets_need_history(datetime(2026, 1, 1, tzinfo=UTC))
    assert not cutoff.trades_need_history(datetime(2026, 2, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>maintenance</html>", "not usable JSON"),
        (b"[" * 200_000, "nest"),
    ],
)
def test_a_200_that_is_not_usable_json_is_a_kalshi_error(
    server: FakeKalshi, client: KalshiClient, body: bytes, reason: str
) -> None:
    server.route("/series/KXHIGHNY", [(200, body)])

    with pytest.raises(KalshiError, match=reason) as caught:
        client.get("/series/KXHIGHNY")
    assert caught.value.status == 200
