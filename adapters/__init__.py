"""Venue I/O: the Kalshi REST client and the IEM HTTP client, free of dlt and pyarrow.

The loaders (``pipelines``) and the trader share these clients, as NautilusTrader's
``adapters/<venue>/`` serve both its data and its execution clients. Imports only ``adapters``
and ``domain``.
"""
