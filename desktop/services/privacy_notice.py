"""The shop's privacy notice: versioned text, so each consent names what the customer was shown."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, Problem, translatable
from desktop.models import PrivacyNotice
from desktop.paths import resources_dir
from desktop.services.text import clean_text

MAX_NOTICE = 8000


def default_notice_text(shop_name: str) -> str:
    """The starting notice (resources/privacy_notices/en.txt) with the shop's name in it."""
    template = (resources_dir() / "privacy_notices" / "en.txt").read_text(encoding="utf-8")
    return template.replace("{shop_name}", shop_name).strip()


def current_notice(session: Session) -> PrivacyNotice:
    notice = session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1)).first()
    if notice is None:
        raise NotFound(translatable("This shop has no privacy notice yet."))
    return notice


def notice_version_exists(session: Session, version: int) -> bool:
    return session.scalar(select(func.count()).where(PrivacyNotice.version == version)) > 0


def publish_notice(session: Session, text: str) -> PrivacyNotice:
    """A new version; earlier versions stay, because consents point at them."""
    cleaned = clean_text(text, max_length=MAX_NOTICE, multiline=True)
    if isinstance(cleaned, Problem):
        raise InvalidInput({"notice": cleaned})
    if not cleaned:
        raise InvalidInput({"notice": Problem(translatable("Write the privacy notice's text."))})
    latest = session.scalar(select(func.max(PrivacyNotice.version))) or 0
    notice = PrivacyNotice(version=latest + 1, text=cleaned)
    session.add(notice)
    session.flush()
    return notice
