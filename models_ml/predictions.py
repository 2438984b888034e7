"""Bracket probabilities per market x checkpoint from the predicted delta distributions.

A bracket maps to a delta range exactly as ``int_gate_market_checkpoints`` has it:
``delta_upper_f = bracket_upper - r``, ``delta_below_f = bracket_lower - 1 - r`` and
``P = F(delta_upper_f) - F(delta_below_f)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models_ml.distribution import bracket_probability
from models_ml.estimators import DeltaModel

CHECKPOINT_KEY = [
    "data_source",
    "station_icao",
    "contract_type",
    "climate_date",
    "checkpoint_minute",
]
PREDICTION_COLUMNS = [
    "data_source",
    "model",
    "station_icao",
    "contract_type",
    "climate_date",
    "checkpoint_minute",
    "market_ticker",
    "probability",
    "model_id",
]


def market_probabilities(
    rows: pd.DataFrame, markets: pd.DataFrame, model: DeltaModel, identifier: str
) -> pd.DataFrame:
    """The bracket probabilities of the markets of one data source x contract type.

    Args:
        rows: feature rows (contract checkpoints) of that data source and contract type.
        markets: market checkpoints (``models_ml.dataset.load_market_checkpoints``).
        model: the model.
        identifier: its registry id.

    Returns:
        ``PREDICTION_COLUMNS``, the probability a decimal string with 4 places.
    """
    rows = rows.reset_index(drop=True)
    cdf = np.cumsum(model.predict_pmf(rows), axis=1)
    keyed = rows[CHECKPOINT_KEY].assign(row_number=np.arange(len(rows)))
    keyed["checkpoint_minute"] = keyed["checkpoint_minute"].astype(np.int64)
    joined = markets.assign(checkpoint_minute=markets["checkpoint_minute"].astype(np.int64)).merge(
        keyed, on=CHECKPOINT_KEY, how="inner"
    )
    probability = bracket_probability(
        cdf[joined["row_number"].to_numpy()],
        model.grid.low,
        joined["delta_below_f"].to_numpy(dtype=float, na_value=np.nan),
        joined["delta_upper_f"].to_numpy(dtype=float, na_value=np.nan),
    )
    return pd.DataFrame(
        {
            "data_source": joined["data_source"].astype(str),
            "model": model.kind,
            "station_icao": joined["station_icao"].astype(str),
            "contract_type": joined["contract_type"].astype(str),
            "climate_date": pd.to_datetime(joined["climate_date"]).dt.date,
            "checkpoint_minute": joined["checkpoint_minute"].astype(np.int32),
            "market_ticker": joined["market_ticker"].astype(str),
            "probability": [f"{p:.4f}" for p in probability],
            "model_id": identifier,
        },
        columns=PREDICTION_COLUMNS,
    )
