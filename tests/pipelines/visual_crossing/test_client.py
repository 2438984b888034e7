"""The Visual Crossing client against the local fake (real HTTP): retries, key hygiene, budget."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from adapters.visual_crossing.client import (
    BudgetExhaustedError,
    MissingApiKeyError,
    QueryKind,
    TimelineQuery,
    VcRequestError,
    VisualCrossingClient,
    api_key,
)
from domain.stations import station_by_icao
from tests.fakes.visual_crossing_server import FakeVisualCrossing

KMDW = station_by_icao("KMDW")
DAY = date(2026, 11, 18)


@pytest.fixture
def fake() -> Iterator[FakeVisualCrossing]:
    server = FakeVisualCrossing()
    server.start()
    yield server
    server.stop()


def _client(
    fake: FakeVisualCrossing, key: str | None = None, **kwargs: object
) -> VisualCrossingClient:
    return VisualCrossingClient(
        key=key or fake.key,
        base_url=fake.base_url,
        min_interval=0,
        backoff_base=0.001,
        sleep=lambda _: None,
        **kwargs,  # type: ignore[arg-type]
    )


def test_retries_429_and_5xx_and_never_logs_the_key(
    fake: FakeVisualCrossing, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    fake.fail = [429, 503]
    with _client(fake) as client:
        response = client.fetch(TimelineQuery(QueryKind.observations, KMDW, DAY, DAY))
    assert len(fake.requests) == 3
    assert response.query_cost == 24 and client.spent == 24
    assert fake.key not in response.url and "key=***" in response.url
    assert "HTTP Request" in caplog.text  # httpx's request lines were captured...
    assert "queryCost 24" in caplog.text  # ...and the cost of the request logged
    assert fake.key not in caplog.text  # ...with the key scrubbed everywhere


def test_a_final_error_names_the_url_without_the_key(fake: FakeVisualCrossing) -> None:
    with _client(fake, key="wrong-KEY-999") as client, pytest.raises(VcRequestError) as info:
        client.fetch(TimelineQuery(QueryKind.current_forecast, KMDW))
    assert info.value.status == 401
    text = "".join(traceback.format_exception(info.value))
    assert "wrong-KEY-999" not in text and "wrong-KEY-999" not in info.value.url
    assert "key=***" in str(info.value)


def test_the_budget_stops_before_it_is_exceeded(fake: FakeVisualCrossing) -> None:
    query = TimelineQuery(QueryKind.observations, KMDW, DAY, DAY)
    with _client(fake, max_records=50) as client:
        client.fetch(query)
        client.fetch(query)
        with pytest.raises(BudgetExhaustedError):
            client.fetch(query)  # 48 spent + 24 > 50: not sent
    assert len(fake.requests) == 2 and client.spent == 48


def test_queries_lock_observations_to_the_station_and_forecasts_to_its_point(
    fake: FakeVisualCrossing,
) -> None:
    with _client(fake) as client:
        client.fetch(TimelineQuery(QueryKind.observations, KMDW, DAY, DAY))
        client.fetch(TimelineQuery(QueryKind.historical_forecast, KMDW, DAY, DAY, basis_date=DAY))
    (obs_path, obs), (fc_path, fc) = fake.requests
    assert obs_path.endswith(f"/stn:KMDW/{DAY}/{DAY}") and obs["maxStations"] == "1"
    assert fc_path.endswith(f"/{KMDW.latitude:.4f},{KMDW.longitude:.4f}/{DAY}/{DAY}")
    assert fc["forecastBasisDate"] == DAY.isoformat()


def test_the_key_comes_from_env_or_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL_CROSSING_API_KEY", raising=False)
    secrets = tmp_path / "secrets.toml"
    with pytest.raises(MissingApiKeyError):
        api_key(secrets)
    secrets.write_text('[sources.visual_crossing]\napi_key = "from-file"\n')
    assert api_key(secrets) == "from-file"
    monkeypatch.setenv("VISUAL_CROSSING_API_KEY", "from-env")
    assert api_key(secrets) == "from-env"
