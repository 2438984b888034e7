"""A local fake of the Visual Crossing Timeline API (real HTTP on 127.0.0.1, in a thread).

``/timeline/{location}[/{date1}/{date2}]`` answers the real JSON shape (queryCost, latitude,
longitude, resolvedAddress, timezone, tzoffset, days[] with hours[]). Like the real service, a
``stn:`` location answers observations (``source=obs``) and ignores ``forecastBasisDate``; a
``lat,lon`` location with a basis date answers the forecast issued then (``source=fcst``); no
dates = the current 15-day forecast. A wrong key is a 401. Tests queue statuses to answer first
(``fail = [429, 503]``) and read every request (path and query).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("America/Chicago")


class FakeVisualCrossing:
    """The fake API's data and knobs.

    Attributes:
        key: the only API key accepted.
        today: the fake's today (start of the current forecast).
        forecast_shift_f: added to every forecast temperature (tests rewrite "later" forecasts).
        fail: statuses to answer before serving, in order.
        requests: (path, query parameters) of every request.
    """

    def __init__(self, key: str = "sekrit-KEY-123") -> None:
        self.key = key
        self.today = date(2026, 11, 20)
        self.forecast_shift_f = 0.0
        self.fail: list[int] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.base_url = ""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def truth_f(at: datetime) -> float:
        """The fake's observed temperature at an instant (a smooth diurnal curve)."""
        local = at.astimezone(ZONE)
        return 40.0 + (local.hour - 12) * 0.5 + local.day * 0.1

    def _day(self, day: date, source: str, basis: date | None) -> dict[str, Any]:
        start = datetime.combine(day, time(0), tzinfo=ZONE)
        hours = []
        for hour in range(24):
            at = start + timedelta(hours=hour)
            temp = self.truth_f(at)
            if source == "fcst":
                lead = (day - (basis or self.today)).days
                temp += lead * 1.0 + self.forecast_shift_f
            hours.append(
                {
                    "datetime": at.strftime("%H:%M:%S"),
                    "datetimeEpoch": int(at.timestamp()),
                    "temp": round(temp, 1),
                    "dew": round(temp - 8, 1),
                    "source": source,
                    "stations": ["KMDW"] if source == "obs" else None,
                }
            )
        temps = [h["temp"] for h in hours]
        return {
            "datetime": day.isoformat(),
            "datetimeEpoch": int(start.timestamp()),
            "tempmax": max(temps),
            "tempmin": min(temps),
            "temp": round(sum(temps) / 24, 1),
            "source": source,
            "hours": hours,
        }

    def body(self, location: str, dates: list[str], query: dict[str, str]) -> dict[str, Any]:
        """The Timeline answer for a location, dates and query (the real shape)."""
        basis_text = query.get("forecastBasisDate")
        station_locked = location.startswith("stn:")
        if dates:
            first = date.fromisoformat(dates[0])
            last = date.fromisoformat(dates[-1])
        else:
            first, last = self.today, self.today + timedelta(days=14)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        if station_locked:
            # stn: ignores the basis date: observations (weather.md section 10)
            served = [self._day(d, "obs", None) for d in days]
            cost = 24 * len(days)
        else:
            basis = date.fromisoformat(basis_text) if basis_text else None
            served = [self._day(d, "fcst", basis) for d in days]
            cost = len(days) if basis else 1
        return {
            "queryCost": cost,
            "latitude": 41.7842,
            "longitude": -87.7553,
            "resolvedAddress": location,
            "address": location,
            "timezone": "America/Chicago",
            "tzoffset": -6.0,
            "days": served,
            "stations": {"KMDW": {"distance": 0.0, "id": "KMDW", "name": "KMDW"}},
        }

    def start(self) -> str:
        """Start serving on a free port; returns the base URL (``.../timeline``)."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def do_GET(self) -> None:  # noqa: N802 - the stdlib names it
                url = urlparse(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                fake.requests.append((url.path, query))
                if fake.fail:
                    self._send(fake.fail.pop(0), "Too many requests or server trouble")
                    return
                if query.get("key") != fake.key:
                    self._send(401, "No account found with API key")
                    return
                parts = [unquote(p) for p in url.path.strip("/").split("/")]
                if not parts or parts[0] != "timeline" or len(parts) < 2:
                    self._send(404, "Not found")
                    return
                self._send(200, json.dumps(fake.body(parts[1], parts[2:], query)))

            def _send(self, status: int, text: str) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host!s}:{port}/timeline"
        return self.base_url

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def now_utc() -> datetime:
    """A fixed fetch instant for tests (the fake's today, 15:00 UTC)."""
    return datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
