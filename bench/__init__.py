"""Benchmark: ingestion, ``dbt build`` of the marts and a pandas baseline, on one generated data set."""
