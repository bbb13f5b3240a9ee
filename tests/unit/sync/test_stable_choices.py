"""The starting choice lists are the same records in every shop file, old ones included after the upgrade."""

from __future__ import annotations

from sqlalchemy import text

from desktop.db import migrate
from desktop.db.engine import open_shop_file
from desktop.services.choices import (
    DEFAULT_CHOICES,
    HEARD_FROM,
    SEEDED_AT,
    add_choice,
    choice_uuid,
)
from tests.sync_helpers import new_till
from tests.unit.db.test_migrations import PASSPHRASE, _old_shop_file, _passphrase_engine


def choices(database) -> list[tuple]:
    with database.reading() as session:
        return session.execute(
            text("SELECT uuid, list_name, label, position, created_at, updated_at FROM choices ORDER BY uuid")
        ).all()


def test_two_new_shop_files_seed_the_same_choices(shop, till_b):
    assert choices(shop) == choices(till_b)
    seeded = {(row.list_name, row.label): row for row in choices(shop)}
    for list_name, labels in DEFAULT_CHOICES.items():
        for label in labels:
            row = seeded[(list_name, label)]
            assert row.uuid == choice_uuid(list_name, label)
            assert row.created_at.startswith(str(SEEDED_AT.date()))


def test_a_label_added_on_two_tills_is_one_record(shop, shop_template, tmp_path):
    other = new_till(shop_template, tmp_path, "other")
    try:
        for database, typed in ((shop, "Rádio Local"), (other, "radio local")):
            with database.writing() as session:
                add_choice(session, HEARD_FROM, typed)
        uuids = [{row.uuid for row in choices(database) if row.label.lower().startswith("r")} for database in
                 (shop, other)]
        assert uuids[0] == uuids[1] == {choice_uuid(HEARD_FROM, "radio local")}
    finally:
        other.close()


def test_an_older_file_gets_the_shared_uuids_and_times(tmp_path):
    path = tmp_path / "old.regulars"
    _old_shop_file(path)
    engine = _passphrase_engine(path)
    try:
        migrate.upgrade(engine, path, target="0005")
        with engine.begin() as conn:  # as 0004 seeded them before: random UUIDs, the time of the upgrade
            for row_id, in conn.execute(text("SELECT id FROM choices")).all():
                conn.execute(text("UPDATE choices SET uuid = lower(hex(randomblob(16))),"
                                  " created_at = '2025-05-05 10:00:00.000000', updated_at = '2025-05-05 10:00:00.000000'"
                                  " WHERE id = :id"), {"id": row_id})
            conn.execute(text("UPDATE choices SET retired = 1, updated_at = '2025-06-01 00:00:00.000000'"
                              " WHERE label = 'Other'"))
    finally:
        engine.dispose()
    database = open_shop_file(path, PASSPHRASE)
    try:
        rows = {row.label: row for row in choices(database)}
    finally:
        database.close()
    for list_name, labels in DEFAULT_CHOICES.items():
        for label in labels:
            assert rows[label].uuid == choice_uuid(list_name, label)
    assert rows["Question"].created_at == rows["Question"].updated_at == "2000-01-01 00:00:00.000000"
    assert rows["Other"].updated_at == "2025-06-01 00:00:00.000000"  # changed by the shop: its own times stay
