"""How two versions of one record are merged. Every rule is deterministic and commutative,
so two tills that exchange bundles in any order, any number of times, end with the same book.

- Records that can change (customers, reservations, warranties, claims, calls, cards,
  programmes, notices, choices) merge **field by field**. Each field (or group of fields
  that only make sense together: a warranty's purchase date, months and expiry) carries
  the hybrid-clock stamp of the edit that set it and the stamp of the value that edit
  replaced (desktop/sync/clock.py). The version with the later stamp wins that field, so an
  edit made after seeing another till's change wins over it whatever the wall clocks say,
  and two tills editing different fields of one customer both keep their edit.
- Two edits of the same field that did not see each other (the winner did not replace the
  loser's stamp) are a **conflict**: the later stamp wins on every till, and the losing
  value goes into the conflicts list (``sync_conflicts``) for the owner, who can take it back.
- A customer's phone numbers are a **set**: each number carries the stamp it was added with,
  and a removal names the stamp it removed. A number is there when its latest addition is
  later than its latest removal: an addition on one till and an addition on another both
  stay, and a removal removes only the addition its till had seen.
- A customer's ``last_seen_at`` (the last visit) and any record's ``updated_at``: the later.
- Append-only records (consents, loyalty ledger entries, reservation events) are never
  updated: an entry whose UUID is new is added, one already present is left alone.
- An erasure always wins: a customer erased on either till stays erased, whatever the
  other till changed. Two tombstones for one record merge into one: "erased" over
  "deleted", the earlier time.
- A record whose unique key (a reservation's reference, a card's code, a programme's
  name, a notice's version) is held by a different record here is not applied: it is
  reported as a conflict and the local record is kept.

Stamps are unique (the till's id is part of each), "keep the larger stamp" is commutative,
associative and idempotent, and so is "the latest addition against the latest removal".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from desktop.sync.clock import legacy_stamp

Pair = tuple[str, str]  # (stamp of the edit, stamp of the value it replaced; "" if none)


def merged_tombstone(a: tuple[str, str], b: tuple[str, str]) -> tuple[str, str]:
    """(kind, at) of two tombstones of one record: "erased" over "deleted", and the earlier time."""
    kind = "erased" if "erased" in (a[0], b[0]) else a[0]
    return kind, min(a[1], b[1])


# --- a record's stamps -----------------------------------------------------------------------


def effective_base(stamp: str, updated_at: str) -> str:
    """The record's own stamp; a record stamped before stamps existed is stamped at its change time."""
    return stamp or legacy_stamp(updated_at)


def field_pairs(groups: Sequence[str], base: str, field_stamps: str) -> dict[str, Pair]:
    """group -> (stamp, replaced stamp) of every group of the record."""
    listed = json.loads(field_stamps) if field_stamps else {}
    return {group: tuple(listed.get(group, (base, ""))) for group in groups}  # type: ignore[misc]


def field_stamps_text(base: str, pairs: Mapping[str, Pair]) -> str:
    """The field_stamps cell: every group not at (base, "") — compact, keys sorted, the same on every till."""
    listed = {group: list(pair) for group, pair in sorted(pairs.items()) if tuple(pair) != (base, "")}
    return json.dumps(listed, separators=(",", ":"), sort_keys=True) if listed else ""


@dataclass(frozen=True)
class FieldConflict:
    group: str
    mine: tuple[str, ...]  # this till's cells of the group
    mine_stamp: str
    theirs: tuple[str, ...]
    theirs_stamp: str
    kept: str  # "mine" | "theirs"


@dataclass
class Merged:
    cells: dict[str, str]  # column -> merged cell
    base: str
    field_stamps: str
    conflicts: list[FieldConflict] = field(default_factory=list)
    took_theirs: bool = False  # some field came from the other till


def merge_fields(
    groups: Mapping[str, tuple[str, ...]],
    mine: Mapping[str, str],
    mine_pairs: Mapping[str, Pair],
    mine_base: str,
    theirs: Mapping[str, str],
    theirs_pairs: Mapping[str, Pair],
    theirs_base: str,
) -> Merged:
    """Field by field: the later stamp wins each group; same-group edits that did not see each other are conflicts."""
    cells = dict(mine)
    pairs: dict[str, Pair] = {}
    merged = Merged(cells=cells, base=max(mine_base, theirs_base), field_stamps="")
    for group, columns in groups.items():
        ours, other = mine_pairs[group], theirs_pairs[group]
        our_values = tuple(mine[c] for c in columns)
        their_values = tuple(theirs[c] for c in columns)
        if ours[0] == other[0]:  # the same edit (different values only in a forged or broken bundle)
            take_theirs = their_values > our_values
            pairs[group] = max(ours, other)
        else:
            take_theirs = other[0] > ours[0]
            winner, loser = (other, ours) if take_theirs else (ours, other)
            pairs[group] = winner
            if our_values != their_values and winner[1] != loser[0]:
                merged.conflicts.append(FieldConflict(group, our_values, ours[0], their_values, other[0],
                                                      "theirs" if take_theirs else "mine"))
        if take_theirs and their_values != our_values:
            merged.took_theirs = True
            cells.update(zip(columns, their_values))
    merged.field_stamps = field_stamps_text(merged.base, pairs)
    return merged


# --- phone numbers as a set ------------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    e164: str
    label: str
    position: int
    stamp: str  # when it was added ("" before stamps existed)


def removed_of(text: str) -> dict[str, str]:
    """The removed_phones cell: e164 -> the (latest) addition stamp that was removed."""
    removed: dict[str, str] = {}
    for item in filter(None, text.split(";")):
        e164, _, stamp = item.partition(" ")
        removed[e164] = max(removed.get(e164, stamp), stamp)
    return removed


def removed_text(removed: Mapping[str, str]) -> str:
    return ";".join(f"{e164} {stamp}" for e164, stamp in sorted(removed.items()))


def merge_phones(
    mine: Sequence[Phone], mine_removed: Mapping[str, str], theirs: Sequence[Phone], theirs_removed: Mapping[str, str]
) -> tuple[list[Phone], dict[str, str]]:
    """The numbers there after merging (positions 0, 1, ... in the order the winning additions gave them), and the removals."""
    removed = dict(mine_removed)
    for e164, stamp in theirs_removed.items():
        removed[e164] = max(removed.get(e164, stamp), stamp)
    latest: dict[str, Phone] = {}
    for phone in (*mine, *theirs):
        held = latest.get(phone.e164)
        if held is None or (phone.stamp, phone.label, phone.position) > (held.stamp, held.label, held.position):
            latest[phone.e164] = phone
    kept = [p for p in latest.values() if p.e164 not in removed or p.stamp > removed[p.e164]]
    kept.sort(key=lambda p: (p.position, p.e164))
    return [Phone(p.e164, p.label, index, p.stamp) for index, p in enumerate(kept)], removed
