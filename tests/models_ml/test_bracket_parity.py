"""Bracket probabilities from a delta distribution agree with ``int_gate_market_checkpoints``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

from models_ml.distribution import bracket_probability


def test_empirical_pmf_gives_the_gate_model_probability(sample_warehouse: Path) -> None:
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        markets = con.execute(
            """
            select station_icao, contract_type, checkpoint_minute, season, model_probability,
                bracket_upper - running_extreme_f as delta_upper_f,
                bracket_lower - 1 - running_extreme_f as delta_below_f
            from int_gate_market_checkpoints
            where model_probability is not null and checkpoint_minute % 120 = 0
            """
        ).df()
        pmf = con.execute(
            "select * from int_extreme_delta_pmf "
            "where fit_period = 'train' and smoothed_probability is not null"
        ).df()
    finally:
        con.close()
    key = ["station_icao", "contract_type", "checkpoint_minute", "season"]
    assert len(markets) > 100
    pmf_by_key = dict(tuple(pmf.groupby(key)))
    for values, rows in markets.groupby(key):
        support = pmf_by_key[values]
        low = int(support["delta_f"].min())
        probabilities = np.zeros(int(support["delta_f"].max()) - low + 1)
        np.add.at(
            probabilities,
            support["delta_f"].to_numpy(dtype=int) - low,
            support["smoothed_probability"].to_numpy(dtype=float),
        )
        got = bracket_probability(
            np.tile(np.cumsum(probabilities), (len(rows), 1)),
            low,
            rows["delta_below_f"].to_numpy(dtype=float, na_value=np.nan),
            rows["delta_upper_f"].to_numpy(dtype=float, na_value=np.nan),
        )
        assert np.allclose(got, rows["model_probability"].to_numpy(dtype=float), atol=1e-9)
