"""The trader replay benchmark runs end to end on a tiny generated day (a smoke test, not timed)."""

from __future__ import annotations

import pytest

from bench.trader_replay import main


def test_the_benchmark_replays_a_tiny_day_and_times_both_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = main(["--rows", "600", "--decide-calls", "60"])
    replayed = results["replay"]
    assert replayed["book_rows"] == 600
    assert replayed["loop_ticks"] == 95  # minutes 15..1425 of the KNYC day
    assert replayed["ticks_per_second"] > 0 and replayed["wall_seconds"] > 0
    assert set(results["decide"]) == {"design", "fair_value"}
    for figures in results["decide"].values():
        assert figures["calls"] == 60
        assert 0 < figures["p50_us"] <= figures["p99_us"]
    printed = capsys.readouterr().out
    assert "ticks/s" in printed and "decide() fair_value" in printed
