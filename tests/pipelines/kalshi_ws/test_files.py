"""The recorder's daily files: rotation at midnight UTC, appends after a restart, a cut tail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from adapters.kalshi.ws_protocol import DEMO_WS_URL, PROD_WS_URL, ws_url
from pipelines.kalshi_ws.files import DayFiles, envelope, is_recording, read_lines


def _write(files: DayFiles, at: datetime, text: str) -> None:
    files.write(at, envelope(at, "c1", raw=text))


def test_files_rotate_at_midnight_utc_and_a_restart_appends(tmp_path: Path) -> None:
    before = datetime(2026, 12, 1, 23, 59, 59, 900000, tzinfo=UTC)
    after = datetime(2026, 12, 2, 0, 0, 0, 100000, tzinfo=UTC)
    files = DayFiles(tmp_path)
    _write(files, before, "a")
    _write(files, after, "b")
    files.close()
    again = DayFiles(tmp_path)  # a restart on the same day appends a second gzip member
    _write(again, after, "c")
    _write(again, after, "d")
    again.sync()
    _write(again, after, "e")  # written, never synced: may be lost, must not spoil the rest
    # not closed: a crash leaves the member without its trailer; synced lines still read
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["kalshi_ws-2026-12-01.jsonl.gz", "kalshi_ws-2026-12-02.jsonl.gz"]
    second = [
        json.loads(text) for _, text, error in read_lines(tmp_path / names[1]) if error is None
    ]
    assert [line["raw"] for line in second] == ["b", "c", "d"]
    assert second[0]["received_at"] == "2026-12-02T00:00:00.100000+00:00"
    assert all(is_recording(tmp_path / name) for name in names)
    again.close()


def test_the_socket_url_follows_the_rest_host() -> None:
    assert ws_url("https://external-api.kalshi.com/trade-api/v2", {}) == PROD_WS_URL
    assert ws_url("https://external-api.demo.kalshi.co/trade-api/v2", {}) == DEMO_WS_URL
    assert ws_url("https://api.elections.kalshi.com/trade-api/v2", {}) == (
        "wss://api.elections.kalshi.com/trade-api/ws/v2"
    )
    assert ws_url(None, {"KALSHI_WS_URL": "ws://127.0.0.1:1/x"}) == "ws://127.0.0.1:1/x"
