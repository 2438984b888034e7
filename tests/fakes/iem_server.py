"""A local fake of the IEM endpoints we use (real HTTP on 127.0.0.1, in a thread).

Serves ``/cgi-bin/request/asos.py`` CSV, ``/json/cli.py`` and ``/json/cf6.py`` JSON in the real
formats. Content comes from the real samples in ``../shared/realdata`` when present (KNYC METARs,
the CLI CSV turned into cli.py JSON), else from a few real KNYC reports copied below.
Tests can queue failures (``fail[path] = [503, 503]``), empty bodies and extra raw lines.
"""

from __future__ import annotations

import csv
import json
import threading
from collections import defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ASOS_PATH = "/cgi-bin/request/asos.py"
CLI_PATH = "/json/cli.py"
CF6_PATH = "/json/cf6.py"
ASOS_HEADER = "station,valid,tmpf,dwpf,metar"

# Real KNYC reports (2026-08-21) for when ../shared/realdata is absent.
_FALLBACK_HOURLY = [
    (
        "2026-08-21 17:51",
        "76.0",
        "64.0",
        "KNYC 211751Z AUTO VRB04KT 10SM BKN035 BKN060 24/18 "
        "A3009 RMK AO2 SLP180 T02440178 10250 20183 58005 $",
    ),
    (
        "2026-08-21 19:51",
        "78.0",
        "64.0",
        "KNYC 211951Z AUTO 04003KT 10SM FEW041 26/18 A3006 RMK AO2 SLP171 T02560178 $",
    ),
    (
        "2026-08-20 21:47",
        "73.4",
        "71.6",
        "KNYC 202147Z AUTO 05006KT 1 3/4SM RA BR FEW019 BKN036 "
        "OVC050 23/22 A2994 RMK AO2 RAB04 PRESRR P0003 $",
    ),
]
_FALLBACK_CLI = [
    {
        "station": "KNYC",
        "date": "2026-08-21",
        "high": "79",
        "low": "63",
        "high_time": "356 PM",
        "product": "202608220630-KOKX-CDUS41-CLINYC",
    },
]


class FakeIem:
    """The fake service's data and behaviour knobs.

    Attributes:
        asos: (3-char station, report type) -> CSV data lines (no header).
        cli: (4-char station, year) -> cli.py result objects.
        cf6: (4-char station, year) -> cf6.py result objects.
        fail: path -> status codes to return, in order, before serving normally.
        empty: paths that answer 200 with an empty body.
        requests: every request URL path + query received, in order.
    """

    def __init__(self, realdata: Path | None = None) -> None:
        self.asos: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.cli: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        self.cf6: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        self.fail: dict[str, list[int]] = defaultdict(list)
        self.empty: set[str] = set()
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._load(realdata)

    # -- content -------------------------------------------------------------------------------

    def _load(self, realdata: Path | None) -> None:
        hourly: list[tuple[str, str, str, str]] = list(_FALLBACK_HOURLY)
        cli_rows: list[dict[str, str]] = list(_FALLBACK_CLI)
        if realdata is not None and (realdata / "weather").is_dir():
            with (realdata / "weather" / "knyc_asos_hourly_sample_2026-08.csv").open() as f:
                hourly = [
                    (
                        r["timestamp"][:16],
                        r["nws_current_temp_f"],
                        r["nws_dew_point_f"],
                        r["nws_metar"],
                    )
                    for r in csv.DictReader(f)
                ]
            with (realdata / "weather" / "cli_daily_kmdw_knyc.csv").open() as f:
                cli_rows = list(csv.DictReader(f))
        for valid, tmpf, dwpf, metar in hourly:
            # IEM prints 2 decimals and knows each report's type; SLP marks a routine report.
            report_type = "3" if " SLP" in metar else "4"
            line = f"NYC,{valid},{float(tmpf):.2f},{float(dwpf):.2f},{metar}"
            self.asos[("NYC", report_type)].append(line)
        for row in cli_rows:
            year = int(row["date"][:4])
            result = {
                "station": row["station"],
                "valid": row["date"],
                "wfo": row["product"].split("-")[1][1:] if "-" in row["product"] else "M",
                "product": row["product"],
                "high": int(row["high"]),
                "high_time": row["high_time"],
                "low": int(row["low"]),
                "low_time": "M",
                "precip": 0.0,
                "snow": "T",
            }
            self.cli[(row["station"], year)].append(result)
            # No real cf6.py sample exists; the CF6 row mirrors the CLI values, as it nearly
            # always does (docs/venues.md, "Climate reports"), under a CF6-style product id.
            self.cf6[(row["station"], year)].append(
                {
                    "station": row["station"],
                    "valid": row["date"],
                    "product": f"{row['product'][:12]}-CXUS53-CF6{row['station'][1:]}",
                    "high": int(row["high"]),
                    "low": int(row["low"]),
                    "avg_temp": (int(row["high"]) + int(row["low"])) / 2,
                    "hdd": "M",
                }
            )

    def asos_body(self, query: dict[str, list[str]]) -> str:
        """The asos.py CSV for a query (one station, one report type, a UTC window)."""
        station = query["station"][0]
        report_type = query.get("report_type", ["3"])[0]
        start = _window_edge(query, "1")
        end = _window_edge(query, "2")
        lines = [ASOS_HEADER]
        for line in self.asos.get((station, report_type), []):
            valid = line.split(",")[1]
            try:
                at = datetime.strptime(valid, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
            except ValueError:
                lines.append(line)  # garbled lines are served as they are
                continue
            if start <= at < end:
                lines.append(line)
        return "\n".join(lines) + "\n"

    # -- server ----------------------------------------------------------------------------------

    def start(self) -> str:
        """Start serving on a free port; returns the base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

            def do_GET(self) -> None:  # noqa: N802 - the stdlib names it
                url = urlparse(self.path)
                fake.requests.append(self.path)
                queued = fake.fail.get(url.path)
                if queued:
                    self._send(queued.pop(0), "overloaded")
                    return
                if url.path in fake.empty:
                    self._send(200, "")
                    return
                query = parse_qs(url.query)
                if url.path == ASOS_PATH:
                    self._send(200, fake.asos_body(query), "text/plain")
                elif url.path in (CLI_PATH, CF6_PATH):
                    table = fake.cli if url.path == CLI_PATH else fake.cf6
                    key = (query["station"][0], int(query["year"][0]))
                    body = {"results": table.get(key, []), "generated_at": "2026-09-02T00:00:00Z"}
                    self._send(200, json.dumps(body), "application/json")
                else:
                    self._send(404, "not found")

            def _send(self, status: int, body: str, content_type: str = "text/plain") -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _window_edge(query: dict[str, list[str]], suffix: str) -> datetime:
    parts = [
        int(query[f"{name}{suffix}"][0]) for name in ("year", "month", "day", "hour", "minute")
    ]
    return datetime(*parts, tzinfo=UTC)
