"""Sync between tills: bundles of changes carried on a USB stick or by email. No Qt here.

- clock.py: the till's hybrid logical clock, its stamps, and the change feed (stamp, till,
  record, fields) that bundles carry: the interface a central server would use too.
- stamping.py: every change the services make is stamped there, in one place (before_flush).
- tables.py: what travels, one declarative description per synced table.
- bundle.py: the bundle file (an AES-256 zip of CSVs and a manifest), written and read strictly.
- export.py: the changes since the last export (by change number) or everything, into a bundle.
- importer.py: a bundle checked whole, then merged in one transaction, with its report (report.py).
- merge.py: the merge rules (field by field by stamp; phone numbers as a set; erasure always wins).
- conflicts.py: the values a merge set aside, for the owner to review and take back.
- validation.py: each cell checked with the services' own rules.
- tombstones.py: deletions and privacy erasures that travel and win (apply_erasure).
"""
