"""Kalshi venue I/O: REST client (``client``), request signing (``signing``), credentials
(``credentials``), the historical tier (``historical``), order books (``orderbook``) and the
API constants (``settings``). No dlt, no pyarrow.
"""
