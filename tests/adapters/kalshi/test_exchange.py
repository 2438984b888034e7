"""The fake exchange over real HTTP, driven by the client: signed POST/DELETE, matching,
duplicates, writes never retried, faults and the lagging read path."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.kalshi.client import KalshiClient, KalshiError
from adapters.kalshi.signing import KalshiSigner
from tests.adapters.kalshi.conftest import KEY_ID
from tests.fakes.kalshi_exchange import FakeExchange, fake_exchange
from tests.fakes.kalshi_server import make_key_pair

TICKER = "KXHIGHNY-26AUG21-B77.5"
PATH = "/portfolio/events/orders"


@pytest.fixture
def exchange(key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[FakeExchange]:
    with fake_exchange(key_pair, KEY_ID) as ex:
        ex.add_market(TICKER, floor_strike=77, cap_strike=78)
        ex.set_book(TICKER, yes_bids=[("0.30", 10)], no_bids=[("0.40", 5), ("0.38", 20)])
        yield ex


@pytest.fixture
def client(exchange: FakeExchange) -> Iterator[KalshiClient]:
    signer = KalshiSigner.from_pem(exchange.key_id, exchange.pem)
    with KalshiClient(
        exchange.base_url, signer, rate_limit_per_s=0, sleep=lambda s: None, max_retries=2
    ) as c:
        yield c


def _order(cid: str, count: str = "10.00", price: str = "0.62", **extra: Any) -> dict[str, Any]:
    return {
        "ticker": TICKER,
        "client_order_id": cid,
        "side": "bid",
        "count": count,
        "price": price,
        "time_in_force": "immediate_or_cancel",
        "self_trade_prevention_type": "taker_at_cross",
        **extra,
    }


def test_post_and_delete_are_signed_and_verified(
    exchange: FakeExchange, client: KalshiClient
) -> None:
    ack = client.post(PATH, _order("kw-a", price="0.50", time_in_force="good_till_canceled"))
    assert ack["fill_count"] == "0.00" and ack["remaining_count"] == "10.00"
    cancel = client.delete(f"{PATH}/{ack['order_id']}", {"market_ticker": TICKER})
    assert cancel["reduced_by"] == "10.00"
    methods = [(s.method, s.signature_ok) for s in exchange.server.seen]
    assert methods == [("POST", True), ("DELETE", True)]
    assert exchange.server.seen[1].query == {"market_ticker": TICKER}  # unsigned query


def test_a_foreign_key_is_refused_on_post(exchange: FakeExchange) -> None:
    other = KalshiSigner.from_pem(KEY_ID, make_key_pair()[1])
    with KalshiClient(exchange.base_url, other, rate_limit_per_s=0) as c:
        with pytest.raises(KalshiError) as caught:
            c.post(PATH, _order("kw-a"))
    assert (caught.value.status, caught.value.code) == (401, "unauthorized")
    assert exchange.orders() == []


def test_ioc_takes_the_book_level_by_level_and_cancels_the_rest(
    exchange: FakeExchange, client: KalshiClient
) -> None:
    ack = client.post(PATH, _order("kw-a", count="30.00"))
    assert (ack["fill_count"], ack["remaining_count"]) == ("25.00", "0.00")
    fills = client.get("/portfolio/fills", auth=True)["fills"]
    assert sorted((f["yes_price_dollars"], f["count_fp"]) for f in fills) == [
        ("0.6000", "5.00"),
        ("0.6200", "20.00"),
    ]
    (order,) = exchange.orders()
    assert (order.status, order.fill_count) == ("canceled", Decimal(25))
    # The fills' fees add up to the order's fee (rounded up to the cent once per order).
    assert sum(f.fee for f in exchange.fills()) == order.taker_fees == Decimal("0.42")
    book = client.get(f"/markets/{TICKER}/orderbook", auth=True)["orderbook_fp"]
    assert book["no_dollars"] == []
    assert exchange.position(TICKER) == Decimal(25)


def test_fok_is_all_or_none(exchange: FakeExchange, client: KalshiClient) -> None:
    too_many = client.post(PATH, _order("kw-a", count="26.00", time_in_force="fill_or_kill"))
    assert too_many["fill_count"] == "0.00"
    assert exchange.fills() == []  # the book is untouched
    enough = client.post(PATH, _order("kw-b", count="25.00", time_in_force="fill_or_kill"))
    assert enough["fill_count"] == "25.00"


def test_a_repeated_client_order_id_is_a_409(exchange: FakeExchange, client: KalshiClient) -> None:
    client.post(PATH, _order("kw-a", count="1.00"))
    with pytest.raises(KalshiError) as caught:
        client.post(PATH, _order("kw-a", count="1.00"))
    assert (caught.value.status, caught.value.code) == (409, "order_already_exists")
    assert exchange.sent_counts() == {"kw-a": 2}
    assert len(exchange.orders()) == 1


@pytest.mark.parametrize("status", [429, 503])
def test_a_write_is_never_retried_by_the_client(
    exchange: FakeExchange, client: KalshiClient, status: int
) -> None:
    exchange.fail_orders(status)
    with pytest.raises(KalshiError) as caught:
        client.post(PATH, _order("kw-a"))
    assert caught.value.status == status
    assert [r.status for r in exchange.orders_received] == [status]
    assert exchange.orders() == []  # refused before execution


def test_reads_are_retried_and_lag_behind_writes(
    exchange: FakeExchange, client: KalshiClient
) -> None:
    exchange.lag_reads(reads=1)
    client.post(PATH, _order("kw-a", count="1.00"))
    assert client.get("/portfolio/orders", auth=True)["orders"] == []
    exchange.fail_reads(503)
    orders = client.get("/portfolio/orders", auth=True)["orders"]  # 503, then retried
    assert [o["client_order_id"] for o in orders] == ["kw-a"]


def test_reads_can_lag_by_time(exchange: FakeExchange, client: KalshiClient) -> None:
    exchange.lag_reads(seconds=0.3)
    client.post(PATH, _order("kw-a", count="1.00"))
    assert client.get("/portfolio/fills", auth=True)["fills"] == []
    time.sleep(0.35)
    assert len(client.get("/portfolio/fills", auth=True)["fills"]) == 1
    exchange.lag_reads()
    client.post(PATH, _order("kw-b", count="1.00"))
    assert len(client.get("/portfolio/fills", auth=True)["fills"]) == 2


def test_commit_then_drop_executes_without_a_response(
    exchange: FakeExchange, client: KalshiClient
) -> None:
    exchange.drop_orders()
    with pytest.raises(KalshiError) as caught:
        client.post(PATH, _order("kw-a", count="2.00"))
    assert caught.value.status is None
    assert [o.client_order_id for o in exchange.orders()] == ["kw-a"]


def test_refusals_carry_the_venue_code(exchange: FakeExchange, client: KalshiClient) -> None:
    exchange.balance_cents = 100
    with pytest.raises(KalshiError) as caught:
        client.post(PATH, _order("kw-a"))
    assert (caught.value.status, caught.value.code) == (400, "insufficient_balance")
    with pytest.raises(KalshiError) as bad:
        client.post(PATH, {**_order("kw-b"), "count": 10})
    assert (bad.value.status, bad.value.code) == (400, "invalid_parameters")


def test_settle_pays_and_closes_the_position(exchange: FakeExchange, client: KalshiClient) -> None:
    client.post(PATH, _order("kw-a", count="5.00"))
    before = exchange.balance_cents
    exchange.settle(TICKER, "yes")
    (settlement,) = client.get("/portfolio/settlements", auth=True)["settlements"]
    assert (settlement["market_result"], settlement["revenue"]) == ("yes", 500)
    assert exchange.balance_cents == before + 500
    (position,) = client.get("/portfolio/positions", auth=True)["market_positions"]
    assert position["position_fp"] == "0.00"
    with pytest.raises(KalshiError) as closed:
        client.post(PATH, _order("kw-b"))
    assert closed.value.code == "market_closed"


def test_a_void_market_refunds_the_cost(exchange: FakeExchange, client: KalshiClient) -> None:
    client.post(PATH, _order("kw-a", count="5.00"))
    assert exchange.settle(TICKER, "void") is not None
    (settlement,) = exchange.settlements()
    assert settlement["revenue"] == 300  # 5 x $0.60 back


def test_concurrent_orders_never_overfill(exchange: FakeExchange, client: KalshiClient) -> None:
    def send(n: int) -> None:
        try:  # half the ids repeat: one of each pair executes, the other is a 409
            client.post(PATH, _order(f"kw-{n // 2}", count="4.00"))
        except KalshiError as exc:
            assert exc.status == 409

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(send, range(16)))
    assert sum(f.count for f in exchange.fills()) == Decimal(25)  # the whole book, no more
    assert sorted(o.client_order_id for o in exchange.orders()) == [f"kw-{n}" for n in range(8)]
    assert set(exchange.sent_counts().values()) == {2}


def test_routes_still_override_the_exchange(exchange: FakeExchange, client: KalshiClient) -> None:
    exchange.server.route("/series/KXHIGHNY", {"series": {"fee_type": "flat"}})
    assert client.get("/series/KXHIGHNY")["series"]["fee_type"] == "flat"
    with pytest.raises(KalshiError) as unknown:
        client.get("/markets/NOPE/orderbook", auth=True)
    assert unknown.value.status == 404


def test_public_market_data(exchange: FakeExchange, client: KalshiClient) -> None:
    event = client.event("KXHIGHNY-26AUG21")
    assert [m["ticker"] for m in event.markets] == [TICKER]
    assert event.markets[0]["yes_ask_dollars"] == "0.6000"
    book = client.orderbook(TICKER)
    assert book.best_yes_ask == Decimal("0.60")
    assert client.get("/series/KXHIGHNY")["series"]["fee_type"] == "quadratic"


def test_the_exchange_is_strict_where_the_venue_is(
    exchange: FakeExchange, client: KalshiClient
) -> None:
    with pytest.raises(KalshiError) as legacy:  # a legacy field is refused, not ignored
        client.post(PATH, _order("kw-a", type="limit"))
    assert (legacy.value.status, legacy.value.code) == (400, "invalid_parameters")
    for limit in (0, 1001, "many"):
        with pytest.raises(KalshiError) as caught:
            client.get("/portfolio/fills", {"limit": limit}, auth=True)
        assert caught.value.status == 400
    client.post(PATH, _order("kw-b", count="1.00"))
    (fill,) = client.get("/portfolio/fills", {"limit": 1000}, auth=True)["fills"]
    assert "client_order_id" not in fill  # fills are matched to orders by order_id
    exchange.fill_client_ids = True
    (named,) = client.get("/portfolio/fills", auth=True)["fills"]
    assert named["client_order_id"] == "kw-b"
    assert exchange.orders_received[0].status == 400 and exchange.orders() != []


def test_the_balance_must_cover_the_fee_too(exchange: FakeExchange, client: KalshiClient) -> None:
    exchange.balance_cents = 620  # 10 x $0.62, but not the $0.17 taker fee on top
    with pytest.raises(KalshiError) as caught:
        client.post(PATH, _order("kw-a"))
    assert caught.value.code == "insufficient_balance" and exchange.orders() == []
    exchange.balance_cents = 637
    assert client.post(PATH, _order("kw-b"))["fill_count"] == "10.00"
    assert exchange.balance_cents == 637 - 610 - 17  # 5 x 0.60 + 5 x 0.62, fee $0.17
