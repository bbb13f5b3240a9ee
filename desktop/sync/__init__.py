"""Sync between tills: bundles of changes carried on a USB stick or by email. No Qt here.

- tables.py: what travels, one declarative description per synced table.
- bundle.py: the bundle file (an AES-256 zip of CSVs and a manifest), written and read strictly.
- export.py: the changes since the last export (or everything) into a bundle.
- importer.py: a bundle checked whole, then merged in one transaction, with its report (report.py).
- merge.py: the conflict rules (last writer wins per record; ties by SHA-256; erasure always wins).
- validation.py: each cell checked with the services' own rules.
- tombstones.py: deletions and privacy erasures that travel and win (apply_erasure).
"""
