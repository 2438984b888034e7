"""Shared domain rules (stations, climate days, brackets, fees, money) used by every package."""
