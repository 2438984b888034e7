"""Readers of the marts: the go/kill HTML report and the warehouse summary (read-only).

Downstream of dbt: loaders -> warehouse <- dbt -> readers. Imports only ``reports`` and
``domain``; the CLI (``python -m pipelines report`` / ``summary``) calls in from ``pipelines``.

Modules: ``warehouse`` (read-only connections, relation listing, where reports are written),
``queries`` (the one list of mart column names), ``verdicts`` (the verdict table's rows),
``plots`` (matplotlib figures), ``html`` (the page), ``build`` (sections and file output),
``summary`` (the terminal summary; no matplotlib). Nothing is imported here, so
``import reports.summary`` stays free of matplotlib.
"""
