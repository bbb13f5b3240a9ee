"""What an import did, for the screen, the command line and the shop file's import log."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_LISTED = 1_000  # conflicts and rejected rows kept by name in the stored report; the counts are complete


@dataclass
class TableCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class Conflict:
    table: str
    uuid: str
    resolution: str  # "kept local" | "took theirs" | "kept erased" | "kept deleted"
    reason: str


@dataclass(frozen=True)
class RejectedRow:
    file: str
    row: int  # 1 is the first row under the header
    uuid: str
    reason: str


@dataclass
class ImportReport:
    path: str
    bundle_sha256: str
    from_till: str
    exported_at: str
    full: bool
    encrypted: bool
    tables: dict[str, TableCounts] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    adopted_shop: bool = False  # a new, empty till took on the bundle's shop
    previously_imported_at: str | None = None  # the same bundle was imported before
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # e.g. an older bundle, without a seal

    def counts(self, table: str) -> TableCounts:
        return self.tables.setdefault(table, TableCounts())

    def conflict(self, table: str, uuid: str, resolution: str, reason: str) -> None:
        self.counts(table).conflicts += 1
        self.conflicts.append(Conflict(table, uuid, resolution, reason))

    def reject(self, table: str, file: str, row: int, uuid: str, reason: str) -> None:
        self.counts(table).rejected += 1
        self.rejected.append(RejectedRow(file, row, uuid, reason))

    def total(self, name: str) -> int:
        return sum(getattr(counts, name) for counts in self.tables.values())

    @property
    def changed(self) -> bool:
        return bool(self.total("added") or self.total("updated"))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["totals"] = {name: self.total(name) for name in ("added", "updated", "unchanged", "conflicts", "rejected")}
        data["conflicts"] = data["conflicts"][:MAX_LISTED]
        data["rejected"] = data["rejected"][:MAX_LISTED]
        data["seconds"] = round(self.seconds, 3)
        return data

    def summary_lines(self) -> list[str]:
        """The report as a person reads it (English; the window translates its own)."""
        lines = []
        if self.adopted_shop:
            lines.append("This new till has joined the bundle's shop.")
        if self.previously_imported_at:
            lines.append(f"This bundle was already imported on {self.previously_imported_at[:16]} UTC.")
        totals = {name: self.total(name) for name in ("added", "updated", "unchanged", "conflicts", "rejected")}
        lines.append(
            "Added {added}, updated {updated}, unchanged {unchanged}, conflicts {conflicts}, "
            "rejected rows {rejected}.".format(**totals)
        )
        for table, counts in self.tables.items():
            if counts.added or counts.updated or counts.conflicts or counts.rejected:
                lines.append(
                    f"  {table}: +{counts.added} added, {counts.updated} updated, {counts.unchanged} unchanged, "
                    f"{counts.conflicts} conflicts, {counts.rejected} rejected"
                )
        for conflict in self.conflicts[:50]:
            lines.append(f"  conflict in {conflict.table} {conflict.uuid}: {conflict.resolution} ({conflict.reason})")
        if len(self.conflicts) > 50:
            lines.append(f"  … and {len(self.conflicts) - 50} more conflicts")
        for row in self.rejected[:50]:
            lines.append(f"  rejected {row.file} row {row.row} ({row.uuid or 'no id'}): {row.reason}")
        if len(self.rejected) > 50:
            lines.append(f"  … and {len(self.rejected) - 50} more rejected rows")
        return lines
