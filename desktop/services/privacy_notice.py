"""The shop's privacy notice: versioned text, so each consent names what the customer was shown."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, Problem, translatable
from desktop.models import PrivacyNotice, Shop
from desktop.paths import resources_dir
from desktop.services import audit
from desktop.services.permissions import Permission, require
from desktop.services.text import clean_text

MAX_NOTICE = 8000


def default_notice_text(shop_name: str, *, backup_keep: int | None = None, retention_years: int | None = None) -> str:
    """The starting notice (desktop/resources/privacy_notices/en.txt) with the shop's name and settings in it.

    backup_keep and retention_years default to a new shop's (the Shop model's defaults).
    """
    shop = Shop.__table__.c
    backup_keep = shop.backup_keep.default.arg if backup_keep is None else backup_keep
    retention_years = shop.retention_years.default.arg if retention_years is None else retention_years
    template = (resources_dir() / "privacy_notices" / "en.txt").read_text(encoding="utf-8")
    return (
        template.replace("{shop_name}", shop_name)
        .replace("{backups_kept}", str(backup_keep))
        .replace("{retention_period}", f"{retention_years} year" if retention_years == 1 else f"{retention_years} years")
        .strip()
    )


def current_notice(session: Session) -> PrivacyNotice:
    notice = session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1)).first()
    if notice is None:
        raise NotFound(translatable("This shop has no privacy notice yet."))
    return notice


def notice_version_exists(session: Session, version: int) -> bool:
    return session.scalar(select(func.count()).where(PrivacyNotice.version == version)) > 0


def publish_notice(session: Session, text: str) -> PrivacyNotice:
    """A new version; earlier versions stay, because consents point at them."""
    require(session, Permission.SETTINGS)
    cleaned = clean_text(text, max_length=MAX_NOTICE, multiline=True)
    if isinstance(cleaned, Problem):
        raise InvalidInput({"notice": cleaned})
    if not cleaned:
        raise InvalidInput({"notice": Problem(translatable("Write the privacy notice's text."))})
    latest = session.scalar(select(func.max(PrivacyNotice.version))) or 0
    notice = PrivacyNotice(version=latest + 1, text=cleaned)
    session.add(notice)
    session.flush()
    audit.record(session, audit.SETTINGS_CHANGED, subject_kind="privacy_notice", subject_uuid=notice.uuid,
                 details={"fields": ["privacy_notice"], "version": notice.version})  # fmt: skip
    return notice
