"""Use cases on plain values; permissions and audit inside them. No Qt.

Importing the package registers the sync stamping hook (desktop/sync/stamping.py): every change
a service makes to a synced record is stamped for sync, in one place.
"""

from desktop.sync import stamping as _stamping  # noqa: F401  (registers the before_flush hook)
