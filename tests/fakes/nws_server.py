"""A local fake of api.weather.gov (real HTTP on 127.0.0.1, in a thread).

``/points/{lat},{lon}`` answers the real GeoJSON shape with ``properties.forecast`` linking to
``/gridpoints/{office}/{x},{y}/forecast`` on this server; the forecast has 12-hour periods
(``Today``/``Tonight``...) built from the highs and lows a test sets per grid cell. Like the
real API it refuses a request without a ``User-Agent`` (403). Tests can queue failures per
path prefix (``fail["/points"] = [500]``).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

EASTERN_STANDARD = timezone(timedelta(hours=-5))


class FakeNws:
    """The fake API's data and knobs.

    Attributes:
        grids: "lat,lon" (4 decimals) -> (office, x, y).
        days: (office, x, y) -> [(date, high °F, low °F)] to serve as Today/Tonight periods.
        zone: the offset the period times are written in.
        generated_at: the forecast's ``generatedAt``.
        fail: path prefix -> statuses to answer first, in order.
        requests: (path, User-Agent) of every request.
    """

    def __init__(self) -> None:
        self.grids: dict[str, tuple[str, int, int]] = {}
        self.days: dict[tuple[str, int, int], list[tuple[date, int, int]]] = defaultdict(list)
        self.zone: timezone = EASTERN_STANDARD
        self.generated_at = "2026-12-01T10:22:31+00:00"
        self.fail: dict[str, list[int]] = defaultdict(list)
        self.requests: list[tuple[str, str]] = []
        self.base_url = ""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def point(
        self, point: str, office: str, x: int, y: int, days: list[tuple[date, int, int]]
    ) -> None:
        """Serve ``point`` ("40.7789,-73.9692") from grid cell office/x,y with these days."""
        self.grids[point] = (office, x, y)
        self.days[(office, x, y)] = days

    def _points_body(self, point: str) -> dict[str, Any] | None:
        grid = self.grids.get(point)
        if grid is None:
            return None
        office, x, y = grid
        root = f"{self.base_url}/gridpoints/{office}/{x},{y}"
        return {
            "id": f"{self.base_url}/points/{point}",
            "type": "Feature",
            "properties": {
                "gridId": office,
                "gridX": x,
                "gridY": y,
                "forecast": f"{root}/forecast",
                "forecastHourly": f"{root}/forecast/hourly",
                "forecastGridData": root,
                "timeZone": "America/New_York",
            },
        }

    def _forecast_body(self, office: str, x: int, y: int) -> dict[str, Any] | None:
        if (office, x, y) not in self.days:
            return None
        periods = []
        for n, (day, high, low) in enumerate(self.days[(office, x, y)]):
            names = ("Today", "Tonight") if n == 0 else (f"{day:%A}", f"{day:%A} Night")
            six_am = datetime.combine(day, time(6), self.zone)
            for is_day, start, hours, temp in (
                (True, six_am, 12, high),
                (False, six_am + timedelta(hours=12), 12, low),
            ):
                periods.append(
                    {
                        "number": len(periods) + 1,
                        "name": names[0] if is_day else names[1],
                        "startTime": start.isoformat(),
                        "endTime": (start + timedelta(hours=hours)).isoformat(),
                        "isDaytime": is_day,
                        "temperature": temp,
                        "temperatureUnit": "F",
                        "temperatureTrend": None,
                        "probabilityOfPrecipitation": {"unitCode": "wmoUnit:percent", "value": 10},
                        "windSpeed": "10 mph",
                        "windDirection": "NW",
                        "shortForecast": "Sunny" if is_day else "Clear",
                        "detailedForecast": "",
                    }
                )
        return {
            "type": "Feature",
            "properties": {
                "units": "us",
                "forecastGenerator": "BaselineForecastGenerator",
                "generatedAt": self.generated_at,
                "updateTime": self.generated_at,
                "periods": periods,
            },
        }

    def start(self) -> str:
        """Start serving on a free port; returns the base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def do_GET(self) -> None:  # noqa: N802 - the stdlib names it
                path = urlparse(self.path).path
                agent = self.headers.get("User-Agent") or ""
                fake.requests.append((path, agent))
                for prefix, queued in fake.fail.items():
                    if path.startswith(prefix) and queued:
                        self._send(queued.pop(0), {"title": "Unexpected Problem"})
                        return
                if not agent:
                    self._send(403, {"title": "Forbidden", "detail": "User-Agent required"})
                    return
                body: dict[str, Any] | None = None
                parts = path.strip("/").split("/")
                if len(parts) == 2 and parts[0] == "points":
                    body = fake._points_body(parts[1])
                elif len(parts) == 4 and parts[0] == "gridpoints" and parts[3] == "forecast":
                    x, _, y = parts[2].partition(",")
                    body = fake._forecast_body(parts[1], int(x), int(y))
                if body is None:
                    self._send(404, {"title": "Not Found"})
                else:
                    self._send(200, body)

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/geo+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}"
        return self.base_url

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
