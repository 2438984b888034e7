"""Portfolio reads against the fake exchange: every page, local client-id match, typed objects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.kalshi.client import KalshiClient, KalshiError
from adapters.kalshi.orders import TimeInForce, create_order_request
from adapters.kalshi.portfolio import KalshiPortfolio
from adapters.kalshi.signing import KalshiSigner
from tests.adapters.kalshi.conftest import KEY_ID
from tests.fakes.kalshi_exchange import FakeExchange, fake_exchange

TICKER = "KXHIGHNY-26AUG21-B77.5"
OTHER = "KXHIGHNY-26AUG21-B79.5"
NOW = datetime(2026, 8, 21, 20, 10, tzinfo=UTC)


@pytest.fixture
def exchange(key_pair: tuple[rsa.RSAPrivateKey, bytes]) -> Iterator[FakeExchange]:
    with fake_exchange(key_pair, KEY_ID) as ex:
        ex.clock = lambda: NOW
        ex.page_size = 2  # every listing below spans pages
        for ticker in (TICKER, OTHER):
            ex.add_market(ticker)
            ex.set_book(ticker, no_bids=[("0.40", 100)])
        yield ex


@pytest.fixture
def client(exchange: FakeExchange) -> Iterator[KalshiClient]:
    signer = KalshiSigner.from_pem(exchange.key_id, exchange.pem)
    with KalshiClient(
        exchange.base_url, signer, rate_limit_per_s=0, sleep=lambda s: None, max_retries=1
    ) as c:
        yield c


def _buy(client: KalshiClient, ticker: str, cid: str, count: int = 1) -> str:
    path, body = create_order_request(
        ticker=ticker,
        client_order_id=cid,
        count=count,
        price=Decimal("0.60"),
        time_in_force=TimeInForce.IMMEDIATE_OR_CANCEL,
    )
    return str(client.post(path, body)["order_id"])


def test_orders_and_fills_every_page(exchange: FakeExchange, client: KalshiClient) -> None:
    ids = [_buy(client, TICKER if n % 2 else OTHER, f"kw-{n}") for n in range(5)]
    portfolio = KalshiPortfolio(client)
    orders = portfolio.orders()
    assert sorted(o.order_id for o in orders) == sorted(ids)
    assert {o.status for o in orders} == {"executed"}
    assert len(portfolio.orders(ticker=TICKER)) == 2
    fills = portfolio.fills()
    assert len(fills) == 5 and all(f.book_side == "bid" and f.is_taker for f in fills)
    (mine,) = portfolio.fills(order_id=ids[3])
    assert (mine.count, mine.yes_price, mine.fee) == (Decimal(1), Decimal("0.60"), Decimal("0.02"))
    assert mine.created_time == NOW
    later = NOW + timedelta(seconds=1)
    assert portfolio.fills(min_ts=later) == []
    pages = [s for s in exchange.server.seen if s.path.endswith("/portfolio/fills")]
    assert len(pages) >= 3 and pages[1].query["cursor"] == "2"


def test_order_by_client_id_matches_locally(client: KalshiClient) -> None:
    for n in range(4):
        _buy(client, TICKER, f"kw-{n}")
    portfolio = KalshiPortfolio(client)
    found = portfolio.order_by_client_id("kw-0", ticker=TICKER)
    assert found is not None and found.client_order_id == "kw-0"
    assert portfolio.order_by_client_id("kw-9") is None


def test_positions_settlements_and_freshness(exchange: FakeExchange, client: KalshiClient) -> None:
    _buy(client, TICKER, "kw-a", count=3)
    _buy(client, OTHER, "kw-b", count=2)
    portfolio = KalshiPortfolio(client)
    positions = {p.ticker: p for p in portfolio.positions()}
    assert positions[TICKER].position == Decimal(3)
    assert positions[TICKER].market_exposure == Decimal("1.80")
    exchange.settle(TICKER, "yes")
    exchange.settle(OTHER, "no")
    settled = {s.ticker: s for s in portfolio.settlements()}
    assert (settled[TICKER].revenue, settled[OTHER].revenue) == (Decimal(3), Decimal(0))
    assert settled[TICKER].fee_cost == Decimal("0.06")
    assert portfolio.user_data_timestamp() == NOW


def test_a_failing_read_raises_after_its_retries(
    exchange: FakeExchange, client: KalshiClient
) -> None:
    exchange.fail_reads(503, count=2)
    with pytest.raises(KalshiError):
        KalshiPortfolio(client).orders()


def test_naive_min_ts_is_refused(client: KalshiClient) -> None:
    with pytest.raises(ValueError, match="aware"):
        KalshiPortfolio(client).fills(min_ts=datetime(2026, 8, 21))  # noqa: DTZ001


def test_a_listing_that_cannot_be_read_to_its_end_raises(
    exchange: FakeExchange, client: KalshiClient
) -> None:
    # Our orders and fills must be read whole: a cut-short walk would hide one of ours.
    pages = iter(range(10))
    exchange.server.route("/portfolio/fills", lambda q: (200, {"fills": [], "cursor": "c1"}))
    exchange.server.route(
        "/portfolio/orders", lambda q: (200, {"orders": [], "cursor": f"c{next(pages)}"})
    )
    with pytest.raises(KalshiError, match="cursor repeated"):
        KalshiPortfolio(client).fills()
    with pytest.raises(KalshiError, match="more than 3 pages"):
        list(client.pages("/portfolio/orders", auth=True, max_pages=3, complete=True))
    exchange.server.route("/portfolio/positions", [(200, {"market_positions": {"x": 1}})])
    with pytest.raises(KalshiError, match="not a list"):
        KalshiPortfolio(client).positions()
    # the loaders' walk still ends quietly
    assert len(list(client.pages("/portfolio/fills", auth=True))) == 2
