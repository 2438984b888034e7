"""CatBoost models of how far the day's extreme can still move (``python -m models_ml``)."""
