"""Regulars: the customer book beside the till."""

__version__ = "0.1.0"
