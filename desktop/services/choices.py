"""Shop-editable lists: reasons people call, and how they heard about the shop.

The starting labels are English and marked for translation: the UI shows them through
the translator, so a Brazilian till reads "Dúvida" for "Question", while labels a shop
types itself are shown as typed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.errors import InvalidInput, NotFound, Problem, translatable
from desktop.models import CHOICE_LISTS, Choice
from desktop.models.base import stable_uuid, utc_now
from desktop.services import audit
from desktop.services.permissions import Permission, require
from desktop.services.text import clean_text, fold

CALL_REASON = "call_reason"
HEARD_FROM = "heard_from"
MAX_LABEL = 80
DEFAULT_CHOICES = {
    CALL_REASON: [
        translatable("Question"),
        translatable("Complaint"),
        translatable("Order"),
        translatable("Other"),
    ],
    HEARD_FROM: [
        translatable("Walking past"),
        translatable("A friend or family member"),
        translatable("Social media"),
        translatable("Search engine or map"),
        translatable("Newspaper, radio or flyer"),
    ],
}


# The starting entries are the same records in every shop file: same UUIDs, and this time as
# their creation and last change, so two tills that sync find nothing to reconcile in them.
SEEDED_AT = datetime(2000, 1, 1)


def choice_uuid(list_name: str, label: str) -> str:
    """The same on every till for the same list and label (case and accents aside).

    So the starting lists, seeded separately in each shop file, and a label two tills add
    on their own, are one record when the tills sync, not two.
    """
    return stable_uuid("choice", list_name, fold(label.strip()))


def _check_list(list_name: str) -> None:
    if list_name not in CHOICE_LISTS:
        raise InvalidInput(
            {"list": Problem(translatable("Choose one of: {choices}."), {"choices": ", ".join(CHOICE_LISTS)})}
        )


def choice_labels(session: Session, list_name: str) -> list[str]:
    """The labels in use, in the shop's order."""
    _check_list(list_name)
    return list(
        session.scalars(
            select(Choice.label)
            .where(Choice.list_name == list_name, Choice.retired.is_(False))
            .order_by(Choice.position, Choice.id)
        )
    )


def _find(session: Session, list_name: str, label: str) -> Choice | None:
    wanted = fold(label.strip())
    for choice in session.scalars(select(Choice).where(Choice.list_name == list_name)):
        if fold(choice.label) == wanted:
            return choice
    return None


def matching_label(session: Session, list_name: str, label: str) -> str | None:
    """The label in use that reads the same as label (case and accents aside), else None."""
    found = _find(session, list_name, label)
    return found.label if found is not None and not found.retired else None


def add_choice(session: Session, list_name: str, label: str) -> Choice:
    """A new entry at the end of the list (or a retired one brought back)."""
    require(session, Permission.SETTINGS)
    _check_list(list_name)
    cleaned = clean_text(label, max_length=MAX_LABEL)
    if isinstance(cleaned, Problem):
        raise InvalidInput({"label": cleaned})
    if not cleaned:
        raise InvalidInput({"label": Problem(translatable("Enter the text of the choice."))})
    existing = _find(session, list_name, cleaned)
    if existing is not None and not existing.retired:
        raise InvalidInput({"label": Problem(translatable("{label} is already in the list."), {"label": existing.label})})
    last = session.scalar(select(func.max(Choice.position)).where(Choice.list_name == list_name)) or 0
    if existing is not None:
        existing.retired, existing.position, existing.updated_at = False, last + 1, utc_now()
        choice = existing
    else:
        choice = Choice(uuid=choice_uuid(list_name, cleaned), list_name=list_name, label=cleaned, position=last + 1)
        session.add(choice)
        session.flush()
    audit.record(session, audit.SETTINGS_CHANGED, subject_kind="choice", subject_uuid=choice.uuid,
                 details={"list": list_name, "added": True})  # fmt: skip
    return choice


def retire_choice(session: Session, list_name: str, label: str) -> Choice:
    """Off the list for new records; records that used it keep the label."""
    require(session, Permission.SETTINGS)
    _check_list(list_name)
    existing = _find(session, list_name, label)
    if existing is None or existing.retired:
        raise NotFound(translatable("{label} is not in the list."), label=label.strip()[:80])
    existing.retired, existing.updated_at = True, utc_now()
    audit.record(session, audit.SETTINGS_CHANGED, subject_kind="choice", subject_uuid=existing.uuid,
                 details={"list": list_name, "retired": True})  # fmt: skip
    return existing
