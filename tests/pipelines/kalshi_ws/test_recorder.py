"""The recorder against the fake Kalshi WebSocket server (real message shapes, kalshi.md §9)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from adapters.kalshi.signing import KalshiSigner
from adapters.kalshi.ws_types import KalshiWsAuthError, StreamSettings
from pipelines.kalshi_ws.files import read_lines
from pipelines.kalshi_ws.recorder import RecordResult, record
from tests.fakes.kalshi_server import make_key_pair
from tests.fakes.kalshi_ws_server import FakeConnection, FakeKalshiWs
from tests.pipelines.kalshi_ws import scenario


async def _no_sleep(delay: float) -> None:
    await asyncio.sleep(0)


def record_story(server: FakeKalshiWs, signer: KalshiSigner, out: Path) -> RecordResult:
    """Play the shared story (tests.pipelines.kalshi_ws.scenario) into ``out``."""
    scenario.install(server)
    settings = StreamSettings(url=server.url, relist_s=0.3, heartbeat_s=0.5)
    return record(
        out, settings, signer, scenario.Lister(server), max_minutes=2.5 / 60, sleep=_no_sleep
    )


def _envelopes(out: Path) -> list[dict]:
    lines = []
    for path in sorted(out.glob("*.jsonl.gz")):
        for _, text, error in read_lines(path):
            assert error is None and text is not None
            lines.append(json.loads(text))
    return lines


def test_recorder_handles_gap_error_25_disconnect_and_new_markets(
    ws_server: FakeKalshiWs, ws_signer: KalshiSigner, tmp_path: Path
) -> None:
    result = record_story(ws_server, ws_signer, tmp_path)
    assert not ws_server.errors, ws_server.errors
    assert all(ws_server.handshakes) and len(ws_server.handshakes) == 4
    # backoff: 1 s after the working connection, then 2 and 5 after the refused ones
    assert result.stats.delays_s == [1.0, 2.0, 5.0]
    assert ws_server.pongs == 1
    assert result.stats.gaps == {"seq_gap": 1, "error_25": 1, "disconnected": 3, "stopped": 1}
    commands = [cmd for _, cmd in ws_server.commands]
    unsubscribed = [cmd["params"]["sids"] for cmd in commands if cmd["cmd"] == "unsubscribe"]
    assert len(unsubscribed) == 2  # the gap and the error 25
    added = [cmd for cmd in commands if cmd["cmd"] == "update_subscription"]
    assert {tuple(cmd["params"]["market_tickers"]) for cmd in added} == {(scenario.MARKET_C,)}
    assert len(added) == 4 and all(cmd["params"]["action"] == "add_markets" for cmd in added)
    channels = {channel for _, channel, _ in ws_server.subscribed}
    assert channels == {"orderbook_delta", "ticker", "trade", "market_lifecycle_v2"}

    lines = _envelopes(tmp_path)
    assert len(lines) == result.lines and 0 < result.syncs <= result.lines
    gaps = [line["recorder"] for line in lines if line.get("recorder", {}).get("event") == "gap"]
    seq_gap = next(g for g in gaps if g["reason"] == "seq_gap")
    assert (seq_gap["expected_seq"], seq_gap["seq"]) == (4, 5)
    assert seq_gap["market_tickers"] == [scenario.MARKET_A, scenario.MARKET_B]
    raws = [json.loads(line["raw"]) for line in lines if "raw" in line]
    kinds = [raw["type"] for raw in raws]
    assert kinds.count("orderbook_snapshot") == 9 and kinds.count("orderbook_delta") == 3
    assert {"ticker", "trade", "market_lifecycle_v2", "error", "subscribed"} <= set(kinds)
    # the gap marker is written before the message that revealed the gap
    gap_at = next(i for i, line in enumerate(lines) if line.get("recorder") == seq_gap)
    assert json.loads(lines[gap_at + 1]["raw"])["seq"] == 5
    assert len({line["conn"] for line in lines}) == 4


def test_a_bad_signature_is_an_auth_failure(ws_server: FakeKalshiWs, tmp_path: Path) -> None:
    _, pem = make_key_pair()
    stranger = KalshiSigner.from_pem("ws-test-key", pem)
    settings = StreamSettings(url=ws_server.url)
    with pytest.raises(KalshiWsAuthError, match="401"):
        record(tmp_path, settings, stranger, scenario.Lister(ws_server), max_minutes=0.1)
    assert ws_server.handshakes == [False]


def test_error_9_is_an_auth_failure(
    ws_server: FakeKalshiWs, ws_signer: KalshiSigner, tmp_path: Path
) -> None:
    async def refuse(conn: FakeConnection) -> None:
        await conn.command()
        await conn.send(
            {"id": 1, "type": "error", "msg": {"code": 9, "msg": "Authentication required"}}
        )
        await conn.wait_closed()

    ws_server.scripts[:] = [refuse]
    settings = StreamSettings(url=ws_server.url)
    with pytest.raises(KalshiWsAuthError, match="error 9"):
        record(tmp_path, settings, ws_signer, scenario.Lister(ws_server), max_minutes=0.1)
