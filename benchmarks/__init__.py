"""Regulars benchmark suite: the figures the shop promises, measured on synthetic shops.

Run it with ``python -m benchmarks --customers 1000000`` (or ``--sizes 10000,100000``).
Each figure is produced by a measurement registered in ``benchmarks.registry``; adding a
new figure (card-code lookup, CSV export, ...) means adding one module under
``benchmarks/measurements`` and one import line in its ``__init__``.
"""
