"""Recorded files -> raw_kalshi.ws_* through `--source files` (idempotent, bad lines rejected)."""

from __future__ import annotations

import gzip
from pathlib import Path

from adapters.kalshi.signing import KalshiSigner
from pipelines.kalshi import recordings, runner
from pipelines.kalshi.files import file_context
from tests.conftest import query_rows
from tests.fakes.kalshi_ws_server import FakeKalshiWs
from tests.pipelines.kalshi_ws import scenario
from tests.pipelines.kalshi_ws.test_recorder import record_story


def _counts(warehouse: Path) -> dict[str, int]:
    rows = query_rows(
        warehouse,
        "select table_name from information_schema.tables "
        "where table_schema = 'raw_kalshi' and table_name like 'ws_%'",
    )
    return {
        r["table_name"]: query_rows(
            warehouse, f"select count(*) as n from raw_kalshi.{r['table_name']}"
        )[0]["n"]
        for r in rows
    }


def test_recordings_load_into_raw_tables_idempotently(
    ws_server: FakeKalshiWs, ws_signer: KalshiSigner, tmp_path: Path, warehouse: Path
) -> None:
    out = tmp_path / "rec"
    record_story(ws_server, ws_signer, out)
    paths = sorted(out.glob("*.jsonl.gz"))
    assert paths and all(runner.claims(p) for p in paths)
    runner.run_files(paths)
    first = _counts(warehouse)
    runner.run_files(paths)
    assert _counts(warehouse) == first  # merges on file + line: nothing doubles
    # 9 snapshots: A has 2+1 levels in the first, B one YES level and one empty NO side...
    assert first["ws_orderbook_deltas"] == 3 and first["ws_trades"] == 1
    assert first["ws_tickers"] == 1 and first["ws_lifecycle"] == 1
    assert first["ws_sessions"] == 4
    gaps = query_rows(
        warehouse,
        "select reason, market_ticker, expected_seq, received_seq from raw_kalshi.ws_gaps "
        "order by received_at, market_ticker",
    )
    reasons = [g["reason"] for g in gaps]
    assert reasons[:4] == ["seq_gap", "seq_gap", "error_25", "error_25"]
    assert (gaps[0]["expected_seq"], gaps[0]["received_seq"]) == (4, 5)
    empty = query_rows(
        warehouse,
        "select book_side, price_dollars from raw_kalshi.ws_orderbook_snapshots "
        f"where market_ticker = '{scenario.MARKET_B}' and seq = 2 and price_dollars is null",
    )
    assert {e["book_side"] for e in empty} >= {"yes", "no"}  # the empty snapshot: both sides
    deltas = query_rows(
        warehouse, "select delta_fp from raw_kalshi.ws_orderbook_deltas order by source_line"
    )
    assert deltas[0]["delta_fp"] == "-5.00"


def test_bad_lines_are_rejected_and_a_cut_tail_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "kalshi_ws-2026-12-01.jsonl.gz"
    good = (
        '{"received_at":"2026-12-01T12:00:00+00:00","conn":"c1","raw":"{\\"type\\":\\"orderbook_delta\\",'
        '\\"sid\\":1,\\"seq\\":1,\\"msg\\":{\\"market_ticker\\":\\"KXHIGHNY-26DEC01-T45\\",'
        '\\"price_dollars\\":\\"0.2100\\",\\"delta_fp\\":\\"3.00\\",\\"side\\":\\"yes\\",\\"ts_ms\\":1}}"}\n'
    )
    lines = [
        good,
        "not json\n",
        '{"received_at":"2026-12-01T12:00:01+00:00","conn":"c1","raw":"{\\"type\\":\\"mystery\\",\\"msg\\":{}}"}\n',
        '{"received_at":"2026-12-01T12:00:02+00:00","conn":"c1","raw":"{\\"type\\":\\"orderbook_delta\\",'
        '\\"msg\\":{\\"market_ticker\\":\\"X\\",\\"price_dollars\\":\\"7\\",\\"delta_fp\\":\\"1\\",\\"side\\":\\"yes\\"}}"}\n',
    ]
    data = gzip.compress("".join(lines).encode()) + gzip.compress(good.encode())[:-12]
    path.write_bytes(data)
    assert recordings.claims(path)
    ctx = file_context("files")
    rows = recordings.parse_recording(path, ctx)
    assert len(rows["ws_orderbook_deltas"]) == 1
    reasons = sorted(r.reason for r in ctx.rejects)
    assert len(reasons) == 4, reasons
    assert any("unknown message type 'mystery'" in r for r in reasons)
    assert any("cut short" in r or "corrupt" in r for r in reasons)
    assert all(r.location.startswith(f"{path}:") for r in ctx.rejects)
