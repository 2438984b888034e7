"""`record` as a command: open markets listed over signed REST, books recorded over the socket."""

from __future__ import annotations

from pathlib import Path

import typer
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from pipelines.kalshi_ws.command import record_command
from pipelines.kalshi_ws.files import read_lines
from tests.fakes.kalshi_server import fake_kalshi
from tests.fakes.kalshi_ws_server import FakeConnection, FakeKalshiWs, snapshot
from tests.pipelines.kalshi_ws import scenario
from tests.pipelines.kalshi_ws.conftest import KEY_ID


def test_record_lists_open_markets_and_writes_a_day_file(
    ws_server: FakeKalshiWs, ws_key_pair: tuple[rsa.RSAPrivateKey, bytes], tmp_path: Path
) -> None:
    async def one_book(conn: FakeConnection) -> None:
        sids = await conn.ack_subscribes(4)
        await conn.send(
            snapshot(sids["orderbook_delta"], 1, scenario.MARKET_A, [["0.2100", "5.00"]], None)
        )
        await conn.wait_closed()

    ws_server.scripts[:] = [one_book]
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(ws_key_pair[1])
    with fake_kalshi(ws_key_pair[0].public_key(), KEY_ID) as rest:
        rest.route("/markets", {"markets": [{"ticker": scenario.MARKET_A}], "cursor": ""})
        app = typer.Typer()
        app.command(name="record")(record_command)
        app.command(name="noop")(lambda: None)  # two commands: `record` is a subcommand
        env = {
            "KALSHI_BASE_URL": rest.base_url,
            "KALSHI_WS_URL": ws_server.url,
            "KALSHI_API_KEY_ID": KEY_ID,
            "KALSHI_PRIVATE_KEY_PATH": str(key_file),
        }
        out = tmp_path / "books"
        result = CliRunner(env=env).invoke(
            app, ["record", "--stations", "KNYC", "--max-minutes", "0.03", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        listed = sorted(s.query["series_ticker"] for s in rest.requests_to("/markets"))
        assert listed == ["KXHIGHNY", "KXLOWTNYC"]
        assert all(
            s.query["status"] == "open" and s.signature_ok for s in rest.requests_to("/markets")
        )
    files = list(out.glob("kalshi_ws-*.jsonl.gz"))
    assert len(files) == 1
    texts = [text for _, text, error in read_lines(files[0]) if error is None and text]
    assert any("orderbook_snapshot" in text for text in texts)
    assert ws_server.handshakes == [True]
