"""How two versions of one record are merged. Every rule is deterministic and commutative,
so two tills that exchange bundles in any order end with the same book.

- Records that can change (customers, reservations, warranties, claims, calls, cards,
  programmes, notices, choices): **last writer wins, record by record**. The version with
  the later ``updated_at`` is kept whole (a customer's phone numbers are part of the
  customer record). On an exact tie with different content, the version whose canonical
  CSV line has the larger SHA-256 wins: arbitrary, but the same on every till.
- A customer's ``last_seen_at`` (the last visit) is merged apart from the record: the
  later visit is kept, whichever version of the record wins.
- Append-only records (consents, loyalty ledger entries, reservation events) are never
  updated: an entry whose UUID is new is added, one already present is left alone. So
  a stamp exchanged twice is counted once.
- An erasure always wins: a customer erased on either till stays erased, whatever the
  other till changed, and the erased record is the same on both (anonymised fields,
  ``updated_at`` the time of the erasure). Two tombstones for one record merge into
  one: "erased" over "deleted", the earlier time.
- A record whose unique key (a reservation's reference, a card's code, a programme's
  name, a notice's version) is held by a different record here is not applied: it is
  reported as a conflict and the local record is kept.

Ordering by (updated_at, SHA-256) is a total order on distinct versions, so "keep the
larger" is commutative, associative and idempotent: the order and number of exchanges
does not matter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from enum import Enum

from desktop.services.csv_format import csv_bytes


class Outcome(Enum):
    SAME = "same"  # nothing to do
    THEIRS_NEWER = "theirs newer"  # take the incoming version
    LOCAL_NEWER = "local newer"  # keep ours (a conflict: the other till had an older edit)
    TIE_THEIRS = "tie, theirs wins"
    TIE_LOCAL = "tie, local wins"

    @property
    def takes_theirs(self) -> bool:
        return self in (Outcome.THEIRS_NEWER, Outcome.TIE_THEIRS)


def canonical_digest(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """SHA-256 of a record's CSV lines (the record, then any rows it owns) as csv_format writes them."""
    data, _count = csv_bytes(header, rows)
    return hashlib.sha256(data).digest()


def resolve(local_changed: str, theirs_changed: str, local_digest, theirs_digest) -> Outcome:
    """Last writer wins; the digests (callables, computed only on a tie) break an exact tie.

    Times are compared as stored text ("YYYY-MM-DD HH:MM:SS.ffffff"), which orders them.
    The caller has already found the two versions different.
    """
    if theirs_changed > local_changed:
        return Outcome.THEIRS_NEWER
    if theirs_changed < local_changed:
        return Outcome.LOCAL_NEWER
    return Outcome.TIE_THEIRS if theirs_digest() > local_digest() else Outcome.TIE_LOCAL


def merged_tombstone(a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
    """(kind, at) of two tombstones of one record: "erased" over "deleted", and the earlier time."""
    kind = "erased" if "erased" in (a[0], b[0]) else a[0]
    return kind, min(a[1], b[1])
