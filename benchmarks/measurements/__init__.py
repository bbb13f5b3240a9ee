"""Every measurement module; importing one registers its figures, in the order the table shows them.

Add a new figure (card-code lookup, CSV export, backup, ...) as a module here.
"""

from benchmarks.measurements import unlock  # noqa: F401  (isort: skip)
from benchmarks.measurements import lookups  # noqa: F401  (isort: skip)
from benchmarks.measurements import demo_rate  # noqa: F401  (isort: skip)
from benchmarks.measurements import gui  # noqa: F401  (isort: skip)
from benchmarks.measurements import loyalty_cards  # noqa: F401  (isort: skip)
from benchmarks.measurements import backup  # noqa: F401  (isort: skip)
from benchmarks.measurements import sync  # noqa: F401  (isort: skip)
