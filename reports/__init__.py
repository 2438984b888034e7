"""Readers of the marts: the go/kill HTML report and the warehouse summary (read-only).

Downstream of dbt: loaders -> warehouse <- dbt -> readers. Imports only ``reports`` and
``domain``; the CLI (``python -m pipelines report`` / ``summary``) calls in from ``pipelines``.

Modules: ``warehouse`` (read-only connections, relation listing, where reports are written),
``queries`` (the one list of mart column names), ``coverage`` (what each data source holds, and
why a section is empty), ``verdicts`` (the verdict table's rows), ``plots`` and
``calibration_plots`` (matplotlib figures), ``html`` (the page), ``sections`` and
``backtest_sections`` (the page's sections, one data source at a time), ``build`` (the page and
file output), ``summary`` (the terminal summary; no matplotlib). Nothing is imported here, so
``import reports.summary`` stays free of matplotlib.
"""
