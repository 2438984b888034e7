"""CatBoost models of how far the day's extreme can still move (not built yet)."""
