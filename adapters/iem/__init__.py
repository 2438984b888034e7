"""IEM (Iowa Environmental Mesonet) HTTP access: the paced, retried client (``client``) and the
service constants (``settings``). No dlt, no pyarrow.
"""
