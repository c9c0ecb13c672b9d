"""A professional's card: what the CPTS adds to the national data, and how it changes.

Pure values. A change to a card is computed here (old card + edit -> new card and the
list of field changes); storing it and logging who made it is the repository's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from cpts_bot.features.directory.models import Modality

PHONE_DIGITS = re.compile(r"^0[1-9]\d{8}$")
Key = TypeVar("Key", bound=str)
Value = TypeVar("Value")


@dataclass(frozen=True)
class ModalityDeclaration:
    """A declared modality: yes (with an optional note such as "le mardi") or an explicit no."""

    available: bool
    note: str = ""

    def as_text(self) -> str:
        if not self.available:
            return "no"
        return f"yes: {self.note}" if self.note else "yes"


@dataclass(frozen=True, eq=True)
class Card:
    """The CPTS data of one professional. ``activities`` maps activity code -> label."""

    phone: str | None = None
    matrix_id: str | None = None
    activities: Mapping[str, str] = field(default_factory=dict)
    modalities: Mapping[Modality, ModalityDeclaration] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    declared: tuple[str, ...] = ()  # activities in the CPTS's own words, verbatim

    def available_modalities(self) -> frozenset[Modality]:
        return frozenset(m for m, d in self.modalities.items() if d.available)


@dataclass(frozen=True)
class FieldChange:
    """One change of one field: ``old`` and ``new`` as plain text, None when absent."""

    field: str
    old: str | None
    new: str | None


def card_changes(old: Card, new: Card) -> list[FieldChange]:
    """Every field that differs between ``old`` and ``new``, in a stable order."""
    changes: list[FieldChange] = []
    if old.phone != new.phone:
        changes.append(FieldChange("phone", old.phone, new.phone))
    if old.matrix_id != new.matrix_id:
        changes.append(FieldChange("matrix_id", old.matrix_id, new.matrix_id))
    changes += _entry_changes("activity", old.activities, new.activities, _activity_text)
    changes += _entry_changes("modality", old.modalities, new.modalities, _modality_text)
    for words in [item for item in old.declared if item not in new.declared]:
        changes.append(FieldChange("declared", words, None))
    for words in [item for item in new.declared if item not in old.declared]:
        changes.append(FieldChange("declared", None, words))
    for language in sorted(old.languages ^ new.languages):
        changes.append(
            FieldChange(
                f"language:{language}",
                language if language in old.languages else None,
                language if language in new.languages else None,
            )
        )
    return changes


def _entry_changes(
    name: str,
    old: Mapping[Key, Value],
    new: Mapping[Key, Value],
    text: Callable[[Key, Value], str],
) -> list[FieldChange]:
    """The entries of one mapping field that differ, as ``name:key`` and ``text`` of the value."""
    changes: list[FieldChange] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before != after:
            changes.append(
                FieldChange(
                    f"{name}:{key}",
                    text(key, before) if before is not None else None,
                    text(key, after) if after is not None else None,
                )
            )
    return changes


def _activity_text(code: str, label: str) -> str:
    return label or code


def _modality_text(_: Modality, declaration: ModalityDeclaration) -> str:
    return declaration.as_text()


def with_modality(card: Card, modality: Modality, declaration: ModalityDeclaration) -> Card:
    modalities = dict(card.modalities)
    modalities[modality] = declaration
    return replace(card, modalities=modalities)


def with_activity(card: Card, code: str, label: str) -> Card:
    activities = dict(card.activities)
    activities[code] = label
    return replace(card, activities=activities)


def without_activity(card: Card, code: str) -> Card:
    activities = {key: value for key, value in card.activities.items() if key != code}
    return replace(card, activities=activities)


def normalize_phone(text: str) -> str | None:
    """A French phone number as ``04 78 00 00 00``; None when ``text`` is not one.

    Accepts spaces, dots, dashes, and the ``+33`` / ``0033`` prefixes.
    """
    digits = re.sub(r"[\s.\-/()]", "", text.strip().replace("(0)", ""))
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    if not PHONE_DIGITS.match(digits):
        return None
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
