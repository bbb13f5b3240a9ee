"""Schema upgrades through Alembic: an old shop file opened by a newer Regulars upgrades in place."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from desktop.errors import ShopFileError, translatable

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, path: Path, target: str = "head") -> None:
    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)
    current = current_revision(engine)
    known = {rev.revision for rev in scripts.walk_revisions()}
    if current is not None and current not in known:
        raise ShopFileError(
            translatable("{path} was saved by a newer version of Regulars. Update Regulars to open it."),
            path=str(path),
        )
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, target)
