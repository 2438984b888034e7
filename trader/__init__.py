"""The paper-first trading sidecar (reads dbt-exported station thresholds)."""
