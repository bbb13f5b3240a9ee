"""The idle-lock setting and unlocking a till without staff accounts by the shop passphrase."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from desktop.errors import InvalidInput, NotAllowed, WrongPassphrase
from desktop.models import AuditEntry
from desktop.models.staff import PASSPHRASE_HOLDER, Actor
from desktop.services import audit
from desktop.services.shop import shop_settings
from desktop.services.staff import lock, set_idle_lock_minutes, sign_in_with_passphrase
from tests.conftest import PASSPHRASE


def _entries(shop, action: str) -> list[AuditEntry]:
    with shop.reading() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _idle_lock_changes(shop) -> list[AuditEntry]:
    return [e for e in _entries(shop, audit.SETTINGS_CHANGED) if "idle_lock_minutes" in e.details]


def _idle_minutes(shop) -> int:
    with shop.reading() as session:
        return shop_settings(session).idle_lock_minutes


def test_idle_lock_minutes_are_saved_and_audited_by_field_name(shop):
    with shop.writing() as session:
        assert set_idle_lock_minutes(session, 12) == 12
    assert _idle_minutes(shop) == 12
    [entry] = _idle_lock_changes(shop)
    assert json.loads(entry.details) == {"fields": ["idle_lock_minutes"]}
    with shop.writing() as session:
        set_idle_lock_minutes(session, 12)  # unchanged: nothing to record
    assert len(_idle_lock_changes(shop)) == 1


@pytest.mark.parametrize("minutes", [-1, 241, "5", 2.5, True])
def test_idle_lock_minutes_out_of_range_are_refused_naming_the_field(shop, minutes):
    before = _idle_minutes(shop)
    with pytest.raises(InvalidInput) as refused, shop.writing() as session:
        set_idle_lock_minutes(session, minutes)
    assert refused.value.field == "idle_lock_minutes"
    assert "0 to 240" in str(refused.value) and "idle lock" in str(refused.value)
    assert _idle_minutes(shop) == before
    assert not _idle_lock_changes(shop)


def test_only_the_owner_sets_the_idle_lock(shop):
    shop.acting = Actor(role="manager", name="Rui", staff_uuid="u-1")
    with pytest.raises(NotAllowed), shop.writing() as session:
        set_idle_lock_minutes(session, 0)
    shop.acting = PASSPHRASE_HOLDER
    with shop.writing() as session:
        set_idle_lock_minutes(session, 0)
    assert _idle_minutes(shop) == 0


def test_the_shop_passphrase_unlocks_a_till_without_staff(shop):
    lock(shop)
    assert shop.acting is None
    with pytest.raises(WrongPassphrase):
        sign_in_with_passphrase(shop, "not the passphrase")
    assert shop.acting is None
    assert sign_in_with_passphrase(shop, PASSPHRASE) == PASSPHRASE_HOLDER
    assert shop.acting == PASSPHRASE_HOLDER
    [signed_in] = _entries(shop, audit.SIGNED_IN)[-1:]
    assert (signed_in.role, signed_in.staff_uuid) == ("owner", "")
