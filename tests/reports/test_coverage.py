"""Why a data source has no rows in a section: the first missing input, and what to run."""

from __future__ import annotations

from datetime import date

from reports.coverage import SourceCoverage, Span, data_label, ordered_sources, why_empty

DAYS = Span(90, date(2025, 6, 1), date(2025, 8, 29))
MARKETS = Span(600, date(2024, 1, 1), date(2024, 3, 1))


def test_missing_observations_come_first() -> None:
    reason = why_empty(SourceCoverage("real", settled_markets=MARKETS), "fct_x", "quotes")

    assert reason.startswith("no real observations")
    assert "`python -m pipelines run --source live`" in reason


def test_simulated_data_points_to_the_sample() -> None:
    reason = why_empty(SourceCoverage("simulated", observed_days=DAYS), "fct_x", "quotes")

    assert reason.startswith("no simulated settled Kalshi markets")
    assert "`python -m pipelines run --source sample`" in reason


def test_observations_and_markets_on_different_days() -> None:
    cover = SourceCoverage("real", observed_days=DAYS, settled_markets=MARKETS, overlap_days=0)

    reason = why_empty(cover, "fct_x", "quotes")

    assert "no real station-day has both observations and a settled market" in reason
    assert "90 (2025-06-01..2025-08-29)" in reason and "600 (2024-01-01..2024-03-01)" in reason


def test_inputs_present_names_what_the_mart_needs() -> None:
    cover = SourceCoverage("real", observed_days=DAYS, settled_markets=MARKETS, overlap_days=40)

    reason = why_empty(cover, "fct_historical_edge", "executable quotes")

    assert reason.startswith("no real rows in fct_historical_edge although 40 real station-days")
    assert "it needs executable quotes" in reason


def test_calibration_needs_no_observations() -> None:
    cover = SourceCoverage("real", settled_markets=MARKETS)

    reason = why_empty(cover, "fct_market_calibration", "mid quotes", observations=False)

    assert reason.startswith("no real rows in fct_market_calibration although 600 real markets")


def test_labels_and_order() -> None:
    assert ordered_sources(["simulated", "real", "simulated"]) == ["real", "simulated"]
    assert data_label(["simulated"]) == "SIMULATED DATA"
    assert data_label(["simulated", "real"]) == "REAL AND SIMULATED DATA"
    assert data_label([]) == "NO DATA"
    assert SourceCoverage("real").passes == "no verdicts"
    assert SourceCoverage("real", verdicts=4, go=1).passes == "1 of 4 station-contracts pass"
