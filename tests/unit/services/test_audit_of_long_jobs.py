"""Who the trail names for work that outlives a sign-in, and erasures that arrive from another till."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.models import PASSPHRASE_HOLDER, Actor, AuditEntry
from desktop.services import audit, backups, loyalty
from desktop.services.erasure import erase_customer
from desktop.services.loyalty import LoyaltyRefused
from desktop.sync.export import export_bundle
from desktop.sync.importer import import_bundle
from tests.erasure_helpers import customer_with_history
from tests.sync_helpers import SYNC_PASSPHRASE, new_till

RITA = Actor(role="cashier", name="Rita", staff_uuid="00000000-0000-4000-8000-00000000000a")


def _last(shop, action: str) -> AuditEntry:
    with shop.reading() as session:
        return session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())).first()


def _cashier_signs_in_midway(shop):
    """A progress callback during which the owner walks away and Rita signs in at the till."""

    def progress(*_done) -> None:
        shop.acting = RITA

    return progress


def test_an_export_is_recorded_as_whoever_started_it(shop, tmp_path: Path):
    customer_with_history(shop)
    export_bundle(shop, tmp_path / "bundle.zip", passphrase=SYNC_PASSPHRASE, progress=_cashier_signs_in_midway(shop))
    entry = _last(shop, audit.EXPORTED)
    assert (entry.role, entry.staff_uuid) == ("owner", "") and shop.acting == RITA


def test_a_backup_is_recorded_as_whoever_started_it(shop, tmp_path: Path):
    backups.back_up(shop, tmp_path / "backup.regulars", progress=_cashier_signs_in_midway(shop))
    entry = _last(shop, audit.BACKED_UP)
    assert (entry.role, entry.staff_uuid) == ("owner", "") and json.loads(entry.details)["automatic"] is False


def test_an_erasure_arriving_from_another_till_is_in_this_tills_trail(shop, shop_template, tmp_path: Path):
    made = customer_with_history(shop)
    other = new_till(shop_template, tmp_path, "other")
    try:
        import_bundle(other, export_bundle(shop, tmp_path / "all.zip", passphrase=SYNC_PASSPHRASE, full=True).path,
                      passphrase=SYNC_PASSPHRASE)  # fmt: skip
        with shop.writing() as session:
            erase_customer(session, made.customer_id)
        bundle = export_bundle(shop, tmp_path / "erasure.zip", passphrase=SYNC_PASSPHRASE).path
        other.acting = Actor(role="manager", name="Marco", staff_uuid="00000000-0000-4000-8000-00000000000b")
        import_bundle(other, bundle, passphrase=SYNC_PASSPHRASE)
        entry = _last(other, audit.CUSTOMER_ERASED)
        assert entry.subject_uuid == made.customer_uuid and json.loads(entry.details) == {"from": "sync import"}
        assert entry.staff_name == "Marco"
        import_bundle(other, bundle, passphrase=SYNC_PASSPHRASE)  # again: nothing new was erased
        with other.reading() as session:
            erased = session.scalars(select(AuditEntry).where(AuditEntry.action == audit.CUSTOMER_ERASED)).all()
        assert len(erased) == 1
    finally:
        other.close()


def test_an_erased_customer_has_no_card_to_stamp_and_gets_none_printed(shop):
    made = customer_with_history(shop)
    with shop.writing() as session:
        erase_customer(session, made.customer_id)
    for action in (lambda s: loyalty.earn(s, made.customer_id, made.program_id),
                   lambda s: loyalty.card_for(s, made.customer_id),
                   lambda s: loyalty.replace_card(s, made.customer_id)):  # fmt: skip
        with pytest.raises(LoyaltyRefused, match="was erased"), shop.writing() as session:
            action(session)
    with shop.reading() as session:
        assert made.customer_id not in loyalty.customers_without_card(session)
        assert made.customer_id not in loyalty.all_customer_ids(session)
        assert made.other_id in loyalty.all_customer_ids(session)
    assert shop.acting == PASSPHRASE_HOLDER
