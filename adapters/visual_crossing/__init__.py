"""Visual Crossing Timeline API access: the budgeted, retried, key-redacting client (``client``)
and the service constants (``settings``). No dlt, no pyarrow.
"""
