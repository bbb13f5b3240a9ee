"""The till's hybrid logical clock, its stamps, and the change feed that sync is built on.

The change feed
---------------
Every change to a synced record is an entry of this feed, and a bundle (or, later, a central
server) carries nothing else:

- **stamp**: when the change was made, as this till's hybrid logical clock saw it, as text
  ``"PPPPPPPPPPPPP-CCCCC-<till uuid>"`` (physical time in milliseconds since 1970, 13 digits;
  a counter, 5 digits; the till that made the change). Stamps compare as text in the same
  order as the (time, counter, till) triples, so "the later change" is "the larger text",
  and no two changes share a stamp (a till never repeats one, and the till id breaks ties).
- **till**: the last part of the stamp.
- **record**: the table and the record's UUID (a customer's phone number belongs to its
  customer).
- **fields**: the record's values, each field (or group of fields that only make sense
  together, tables.TableSpec.groups) with the stamp of the change that last set it and the
  stamp of the value that change replaced ("what the editor had seen"): the record's
  ``stamp`` (the stamp of every field not listed otherwise) and ``field_stamps`` (JSON,
  ``{"field": ["stamp", "replaced stamp"]}``). A customer's phone numbers are a set: each
  number carries the stamp it was added with, and ``removed_phones`` lists the (number, added
  stamp) pairs that were removed, so a removal only removes what its till had seen.

Every local change also bumps the record's ``change_seq`` to the shop's current change
number (``shop.change_seq``), whoever wrote it (the services, demo data, imports, merges);
an export takes the records whose change number is at or above the first one it has not
exported yet (``shop.sync_since_seq``), then opens a new number: wall clocks play no part in
what travels, so a clock put back cannot hide an edit.

The clock
---------
A hybrid logical clock (Kulkarni et al.): a stamp is never below the physical clock, and never
below any stamp this till has seen, so an edit made after importing another till's change is
stamped after it, whatever the two wall clocks say. The clock's state (``shop.hlc_ms``,
``shop.hlc_counter``) is in the shop file, moved inside the same write transaction as the
change it stamps. The physical clock is ``ShopDatabase.clock`` (tests give a till a skewed
one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


STAMP = re.compile(r"(\d{13})-(\d{5})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
MAX_COUNTER = 99_999
# A bundle stamped further ahead of this till's clock than this is refused: a till whose date is
# wrong by more than a day, or a forged bundle, would otherwise win every edit until that time.
MAX_AHEAD = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True, order=True)
class Stamp:
    ms: int
    counter: int
    till: str

    @property
    def text(self) -> str:
        return f"{self.ms:013d}-{self.counter:05d}-{self.till}"

    @property
    def moment(self) -> datetime:
        return _EPOCH + timedelta(milliseconds=self.ms)


def parse(text: str) -> Stamp | None:
    match = STAMP.fullmatch(text)
    return None if match is None else Stamp(int(match[1]), int(match[2]), match[3])


def ms_of(moment: datetime | str) -> int:
    """Milliseconds since 1970 of a naive UTC time (or a stored time's text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return (moment.replace(tzinfo=None) - _EPOCH) // timedelta(milliseconds=1)


# The "till" of a stamp given to a change made before stamps existed (or written by bulk SQL).
NO_TILL = "00000000-0000-0000-0000-000000000000"


def legacy_stamp(updated_at: str | datetime) -> str:
    """The stamp of a record that carries none: its change time, counter 0, and NO_TILL rather than a
    till's id, so that every till gives one old version the same stamp (two tills that synced before
    stamps existed hold the same record, and must not see a conflict in it). tables.legacy_stamp_sql
    is the same in SQL."""
    return Stamp(ms_of(updated_at), 0, NO_TILL).text


def physical_ms(clock) -> int:
    return ms_of(clock())


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Clock:
    """The till's clock on a DB-API cursor inside a write transaction."""

    def __init__(self, cursor, physical) -> None:
        self.cur = cursor
        self.physical = physical  # () -> naive UTC datetime
        self.ms, self.counter, self.till = cursor.execute(
            "SELECT hlc_ms, hlc_counter, till_uuid FROM shop ORDER BY id LIMIT 1"
        ).fetchone()

    def tick(self) -> str:
        """A new stamp for a change made here, after every stamp this till has made or seen."""
        now = physical_ms(self.physical)
        if now > self.ms:
            self.ms, self.counter = now, 0
        else:
            self._count()
        self._save()
        return Stamp(self.ms, self.counter, self.till).text

    def observe(self, stamps: Iterable[Stamp]) -> None:
        """Moves the clock past every stamp seen (from an imported bundle)."""
        latest = max(stamps, default=None)
        if latest is None or (latest.ms, latest.counter) <= (self.ms, self.counter):
            return
        self.ms, self.counter = latest.ms, latest.counter
        self._save()

    def _count(self) -> None:
        if self.counter >= MAX_COUNTER:  # a hundred thousand changes in one millisecond: borrow the next one
            self.ms, self.counter = self.ms + 1, 0
        else:
            self.counter += 1

    def _save(self) -> None:
        self.cur.execute("UPDATE shop SET hlc_ms = ?, hlc_counter = ? WHERE id = (SELECT min(id) FROM shop)",
                         (self.ms, self.counter))
