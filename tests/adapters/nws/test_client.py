"""The NWS client against the fake api.weather.gov (real HTTP): points -> forecast periods."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from adapters.nws.client import NwsClient, NwsError, parse_forecast
from tests.fakes.nws_server import FakeNws

NY = ZoneInfo("America/New_York")
DAY = date(2026, 12, 1)
LAT, LON = Decimal("40.7789"), Decimal("-73.9692")


@pytest.fixture
def nws() -> Iterator[FakeNws]:
    fake = FakeNws()
    fake.start()
    fake.point("40.7789,-73.9692", "OKX", 33, 37, [(DAY, 48, 31), (date(2026, 12, 2), 41, 28)])
    yield fake
    fake.stop()


def _client(fake: FakeNws, **kw: object) -> NwsClient:
    return NwsClient(fake.base_url, min_interval=0, sleep=lambda s: None, **kw)  # type: ignore[arg-type]


def test_forecast_follows_points_to_the_gridpoint_forecast(nws: FakeNws) -> None:
    with _client(nws, user_agent="test (ops@example.com)") as client:
        forecast = client.forecast(LAT, LON)
    assert [path for path, _ in nws.requests] == [
        "/points/40.7789,-73.9692",
        "/gridpoints/OKX/33,37/forecast",
    ]
    assert {agent for _, agent in nws.requests} == {"test (ops@example.com)"}
    assert forecast.url.endswith("/gridpoints/OKX/33,37/forecast")
    assert forecast.generated_at is not None and forecast.generated_at.year == 2026
    assert [p.name for p in forecast.periods][:2] == ["Today", "Tonight"]
    assert forecast.daily_extremes(DAY, NY) == (Decimal(48), Decimal(31))
    assert forecast.daily_extremes(date(2026, 12, 3), NY) == (None, None)


def test_points_are_rounded_to_four_decimals(nws: FakeNws) -> None:
    with _client(nws) as client:
        client.forecast(Decimal("40.77891234"), Decimal("-73.96915"))
    assert nws.requests[0][0] == "/points/40.7789,-73.9692"


def test_5xx_is_retried(nws: FakeNws) -> None:
    nws.fail["/gridpoints"] = [500, 503]
    with _client(nws) as client:
        forecast = client.forecast(LAT, LON)
    assert len(nws.requests) == 4
    assert forecast.daily_extremes(DAY, NY)[0] == Decimal(48)


def test_unknown_point_fails_with_the_url(nws: FakeNws) -> None:
    with _client(nws) as client, pytest.raises(NwsError, match="HTTP 404") as caught:
        client.forecast(Decimal("1"), Decimal("2"))
    assert "/points/1.0000,2.0000" in caught.value.url


def test_parse_forecast_reads_celsius_values_and_refuses_bad_shapes() -> None:
    body = {
        "properties": {
            "periods": [
                {
                    "name": "Today",
                    "startTime": "2026-12-01T06:00:00-05:00",
                    "endTime": "2026-12-01T18:00:00-05:00",
                    "isDaytime": True,
                    "temperature": {"unitCode": "wmoUnit:degC", "value": 10},
                }
            ]
        }
    }
    (period,) = parse_forecast(body, "u").periods
    assert period.temperature_f == Decimal(50)
    with pytest.raises(NwsError, match="no properties.periods"):
        parse_forecast({"properties": {}}, "u")
    body["properties"]["periods"][0]["startTime"] = "2026-12-01T06:00:00"  # type: ignore[index]
    with pytest.raises(NwsError, match="no offset"):
        parse_forecast(body, "u")


def test_periods_without_a_value_or_a_day_flag_are_left_out() -> None:
    def period(start: str, is_daytime: object, temperature: object) -> dict[str, object]:
        return {
            "startTime": f"2026-12-01T{start}:00-05:00",
            "endTime": f"2026-12-01T{start}:00-05:00",
            "isDaytime": is_daytime,
            "temperature": temperature,
            "temperatureUnit": "F",
        }

    body = {
        "properties": {
            "updateTime": "2026-12-01T09:00:00+00:00",
            "periods": [
                period("06", True, None),  # missing value (classic form)
                period("07", True, {"unitCode": "wmoUnit:degF", "value": None}),
                period("08", None, 60),  # no day/night flag: cannot say high or low
                period("09", True, 47),
                period("18", False, {"unitCode": "wmoUnit:degC", "value": -1.5}),
            ],
        }
    }
    forecast = parse_forecast(body, "u")
    assert [p.temperature_f for p in forecast.periods] == [Decimal(47), Decimal("29.3")]
    assert forecast.daily_extremes(DAY, NY) == (Decimal(47), Decimal("29.3"))
