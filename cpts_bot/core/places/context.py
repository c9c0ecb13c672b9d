"""The words around a name that make it a place: "à", "sur", "près de", a capital.

Many French commune names are ordinary words or people's names ("Place", "Moulins",
"Laval"): whether a word of a question is a place depends on what surrounds it. These
rules are generic; nothing here knows a particular place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cpts_bot.core.text_normalizer import singular, tokens

Blocked = Callable[[tuple[str, ...]], bool]

# The words after which a one-word name is taken for a commune outside the territory.
PLACE_PREPOSITIONS = frozenset(
    singular(word)
    for word in (
        *("a", "au", "aux", "sur", "dans", "vers", "pres", "proche", "autour", "cote"),
        *("secteur", "commune", "ville", "in", "near", "around"),
    )
)
# "près de Aubagne", "du côté de Nantes", "la commune de Cholet".
BEFORE_DE = frozenset(
    singular(word)
    for word in ("pres", "proche", "autour", "cote", "alentour", "commune", "ville", "secteur")
)
_WORD_PARTS = re.compile(r"[\W_]+")
# Titles and "de" before a capitalised word: a person's name more likely than a place.
_NOT_BEFORE_A_PLACE = frozenset(
    singular(word)
    for word in (
        *("dr", "docteur", "pr", "professeur", "mme", "madame", "m", "mr", "monsieur"),
        *("mlle", "mademoiselle", "de", "du", "d", "des", "chez", "nom", "appelle"),
    )
)


@dataclass
class QuestionWords:
    """The words of a question as the resolver reads them."""

    keys: list[str]
    consumed: list[bool]
    blocked: Blocked
    capitals: list[bool] | None = None
    words: list[str] | None = None

    def typed(self, start: int, size: int) -> list[str]:
        """The words as typed at ``start`` ([] when unknown)."""
        if self.words is None or len(self.words) != len(self.keys):
            return []
        return self.words[start : start + size]

    def after_preposition(self, start: int) -> bool:
        return after_preposition(self.keys, start)

    def standalone(self, start: int) -> bool:
        """ "pédiatre Aubagne": a capitalised word of 4 letters or more, alone (not "Julie
        Laval"), not first, not after a title ("Dr Laval") or "de" ("cabinet de Laval")."""
        if not self.capitalised(start, start + 1) or len(self.keys[start]) < 4:
            return False
        before = self.keys[start - 1]
        if before in _NOT_BEFORE_A_PLACE or self.capitalised(start - 1, start):
            return False
        return not (start + 1 < len(self.keys) and self.capitalised(start + 1, start + 2))

    def capitalised(self, start: int, end: int) -> bool:
        """A word of ``start:end`` typed with a capital, not the message's first word."""
        if self.capitals is None or len(self.capitals) != len(self.keys):
            return False
        return any(self.capitals[position] for position in range(max(start, 1), end))


def capitalised_words(text: str) -> list[bool]:
    """One flag a word of ``tokens(text)``: typed with a capital letter ("à Moulins"),
    acronyms aside."""
    flags: list[bool] = []
    for part in _WORD_PARTS.split(text):
        if part:
            # "Aubagne", not an acronym such as "TROD" or "EHPAD".
            title = part[:1].isupper() and not (len(part) > 1 and part.isupper())
            flags += [title] * len(tokens(part))
    return flags


def after_preposition(keys: list[str], start: int) -> bool:
    before = keys[start - 1] if start else ""
    if before in PLACE_PREPOSITIONS:
        return True
    return before in ("de", "du", "d") and start >= 2 and keys[start - 2] in BEFORE_DE
