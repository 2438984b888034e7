"""dlt pipelines that land weather and Kalshi market data in the DuckDB warehouse."""
