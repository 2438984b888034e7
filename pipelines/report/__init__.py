"""The go/kill HTML report: plots and the verdict table from the gate marts, in one file.

``python -m pipelines report`` calls ``write_report``. Modules: ``queries`` (read-only access and
the one list of mart column names), ``plots`` (matplotlib figures), ``html`` (the page),
``build`` (sections and file output).
"""

from __future__ import annotations

from pipelines.report.build import latest_report, write_report

__all__ = ["latest_report", "write_report"]
