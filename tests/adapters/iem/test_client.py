"""The IEM client against the local fake IEM (real HTTP): retries, pacing, errors, requests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.iem import settings
from adapters.iem.client import IemClient, IemRequestError, IemResponse, asos_requests
from domain.stations import station_by_icao
from tests.fakes.iem_server import ASOS_PATH, CLI_PATH, FakeIem

KNYC = station_by_icao("KNYC")


@pytest.fixture
def fake_iem() -> Iterator[FakeIem]:
    """The fake IEM with its built-in real KNYC reports."""
    fake = FakeIem(None)
    yield fake
    fake.stop()


def _client(
    base_url: str,
    delays: list[float],
    min_interval: float = 0.0,
    max_attempts: int = settings.MAX_ATTEMPTS,
) -> IemClient:
    return IemClient(
        base_url=base_url,
        min_interval=min_interval,
        max_attempts=max_attempts,
        backoff_base=0.5,
        sleep=delays.append,
    )


def test_retries_503_then_returns_the_body_and_url(fake_iem: FakeIem) -> None:
    base = fake_iem.start()
    fake_iem.fail[CLI_PATH] = [503, 429]
    delays: list[float] = []
    with _client(base, delays) as client:
        text, url = client.get_text(CLI_PATH, {"station": "KNYC", "year": "2026"})
    assert '"results"' in text
    assert url == f"{base}{CLI_PATH}?station=KNYC&year=2026"
    assert len([r for r in fake_iem.requests if r.startswith(CLI_PATH)]) == 3
    assert delays == [0.5, 1.0]  # exponential, no jitter


def test_non_retryable_status_fails_at_once(fake_iem: FakeIem) -> None:
    base = fake_iem.start()
    delays: list[float] = []
    with _client(base, delays) as client:
        with pytest.raises(IemRequestError, match=r"GET .*/nowhere failed with HTTP 404") as info:
            client.get_text("/nowhere", {})
    assert info.value.status == 404
    assert delays == [] and len(fake_iem.requests) == 1


def test_transport_errors_are_retried_then_name_the_url() -> None:
    with socket.socket() as sock:  # a port nobody listens on: every attempt fails to connect
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    delays: list[float] = []
    client = _client(f"http://127.0.0.1:{port}", delays, max_attempts=3)
    with pytest.raises(
        IemRequestError,
        match=rf"GET http://127.0.0.1:{port}/json/cli.py\?station=KNYC.* after 3 attempts",
    ):
        client.get_text("/json/cli.py", {"station": "KNYC", "year": "2026"})
    assert delays == [0.5, 1.0]
    client.close()


def test_requests_are_paced(fake_iem: FakeIem) -> None:
    base = fake_iem.start()
    delays: list[float] = []
    with _client(base, delays, min_interval=0.2) as client:
        for _ in range(3):
            client.get_text(CLI_PATH, {"station": "KNYC", "year": "2026"})
    # the first request goes at once; each later one waits for its slot
    assert len(delays) >= 2 and all(0 < d <= 0.2 + 1e-6 for d in delays)


def test_asos_and_yearly_responses_carry_their_context(fake_iem: FakeIem) -> None:
    base = fake_iem.start()
    fake_iem.fail[CLI_PATH] = [404]  # the 2025 CLI request fails for good, 2026 succeeds
    start = datetime(2026, 8, 20, 5, tzinfo=UTC)
    planned = asos_requests([KNYC], start, start + timedelta(days=1))
    delays: list[float] = []
    with _client(base, delays) as client:
        asos = list(client.asos_responses(planned))
        yearly = list(
            client.yearly_json_responses(CLI_PATH, [KNYC], date(2025, 12, 31), date(2026, 1, 1))
        )
    assert [r.report_type for r in asos if isinstance(r, IemResponse)] == ["1", "3", "4"]
    assert all(isinstance(r, IemResponse) and "tz=UTC" in r.url for r in asos)
    assert isinstance(yearly[0], IemRequestError) and "year=2025" in str(yearly[0])
    assert isinstance(yearly[1], IemResponse) and yearly[1].url.endswith("year=2026")


def test_asos_requests_chunk_the_window() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    planned = asos_requests([KNYC], start, start + timedelta(days=200), chunk_days=92)
    assert len(planned) == 3 * len(settings.ASOS_REPORT_TYPES)
    routine = [r for r in planned if r.report_type == "3"]
    assert [r.end - r.start for r in routine] == [timedelta(days=92)] * 2 + [timedelta(days=16)]
    assert routine[0].end == routine[1].start
    params = dict(routine[0].params())
    assert params["station"] == "NYC" and params["tz"] == "UTC" and params["report_type"] == "3"
    assert ASOS_PATH == settings.ASOS_PATH
