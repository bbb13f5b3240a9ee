"""The few errors a service raises. Each carries a message fit to show a person.

Services know nothing of Qt, so messages are English templates marked with
``translatable``; the UI passes the template through ``QCoreApplication.translate``
(the empty context, see below) and then fills in the parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# pyside6-lupdate, run with "-tr-function-alias QT_TR_NOOP+=translatable", files these
# messages under the empty context, since they sit outside any Qt class.
TRANSLATION_CONTEXT = ""


def translatable(text: str) -> str:
    """Marks a message for the translators; returns it unchanged."""
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong, as a template plus the values to fill in."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, translate=None) -> str:
        template = translate(self.template) if translate else self.template
        return template.format(**self.params)


class RegularsError(Exception):
    """Base of every error a person may see."""

    def __init__(self, template: str, **params: Any) -> None:
        self.problem = Problem(template, params)
        super().__init__(self.problem.text())

    def text(self, translate=None) -> str:
        return self.problem.text(translate)


class InvalidInput(RegularsError):
    """One or more fields are wrong; nothing was written."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        self.problems = problems
        first_field, first = next(iter(problems.items()))
        super().__init__(first.template, **first.params)
        self.field = first_field

    def describe(self, field_labels: dict[str, str] | None = None, translate=None) -> str:
        lines = []
        for name, problem in self.problems.items():
            label = (field_labels or {}).get(name, name.replace("_", " "))
            lines.append(f"{label}: {problem.text(translate)}")
        return "\n".join(lines)


@dataclass(frozen=True)
class CustomerRef:
    """Who a message is about, as plain values that outlive the session."""

    id: int
    full_name: str


class DuplicateCustomer(RegularsError):
    """The phone or email belongs to someone already; the caller decides what to do."""

    def __init__(self, existing: list[CustomerRef], field_name: str) -> None:
        self.existing = existing
        self.field = field_name
        person = existing[0]
        super().__init__(
            translatable("This {field} already belongs to {name} (customer #{id})."),
            field=field_name,
            name=person.full_name,
            id=person.id,
        )


class NotFound(RegularsError):
    pass


class ShopFileError(RegularsError):
    """The shop file cannot be opened; the message names the file."""


class WrongPassphrase(ShopFileError):
    """The passphrase (or recovery key) does not unlock the shop's key; nothing was changed."""


class WrongRecoveryKey(WrongPassphrase):
    pass


class KeyFileError(ShopFileError):
    """The key file beside the shop file is missing, damaged or from a newer Regulars."""


class ShopFileDamaged(ShopFileError):
    """The key is right, yet the shop file does not open with it."""


class ShopFileInUse(ShopFileError):
    pass


class NotAllowed(RegularsError):
    """The person acting may not do this (their role does not allow it, or the till is locked); nothing was changed."""


class PinRefused(RegularsError):
    """A PIN was wrong, or the account is locked for a while; the message says which and for how long."""
