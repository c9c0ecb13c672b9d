"""What a vocabulary is made of: the kinds of concept, a reference to one concept
(``profession:60``), and a concept with its labels and the words that name it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class ConceptKind(StrEnum):
    """What a concept is; the value is the word stored in references (``profession:60``)
    and in the vocabulary files."""

    PROFESSION = "profession"
    SPECIALTY = "specialty"
    ACTIVITY = "activity"
    MODALITY = "modality"
    STRUCTURE = "structure"
    PLACE = "place"
    LANGUAGE = "language"


class ConceptRef(NamedTuple):
    """A reference to one concept: ``("profession", "60")``, ``("place", "69388")``."""

    kind: str  # a ConceptKind, or one of the query parser's own marks ("intent", "children")
    code: str

    @classmethod
    def parse(cls, text: str) -> ConceptRef:
        kind, _, code = text.partition(":")
        if kind not in list(ConceptKind) or not code:
            raise ValueError(f"{text!r} is not a concept reference such as profession:60")
        return cls(ConceptKind(kind), code)

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


@dataclass(frozen=True)
class Concept:
    """One concept of a vocabulary with its labels and the words that name it."""

    kind: ConceptKind
    code: str
    labels: dict[str, str]
    plurals: dict[str, str]
    terms: tuple[str, ...]
    # The name used in dispatch, rota and report lines (« IDE »), when it differs.
    shorts: dict[str, str] = field(default_factory=dict)
    # A specialty whose words name its profession in a request (« un MG »).
    names_profession: bool = False
    professions: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    children: bool = False
    context: bool = False  # the patient's situation (« post-partum »), beside another need
    related: tuple[ConceptRef, ...] = ()
    broader: tuple[str, ...] = ()  # more general concepts of the same kind (codes)
    links: tuple[str, ...] = ()  # words tying a declared activity to it, not read in questions

    @property
    def ref(self) -> ConceptRef:
        return ConceptRef(self.kind, self.code)

    def label(self, language: str, plural: bool = False, short: bool = False) -> str:
        """The name of the concept in ``language`` (French if missing); ``short``: the
        name dispatch, rota and report lines use (« IDE » rather than « infirmier »)."""
        labels = self.plurals if plural and self.plurals else self.labels
        if short and self.shorts:
            labels = self.shorts
        return labels.get(language) or labels.get("fr") or self.code
