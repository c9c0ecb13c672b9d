"""Words a professional types for an activity -> the vocabulary's activity code.

"plaies complexes" -> ``wound_care``; "kiné respi" -> ``respiratory_physio``. Exact
terms first (after normalisation and singular), then a close spelling (rapidfuzz over
the few hundred activity terms, never over the directory).
"""

from __future__ import annotations

from collections.abc import Callable

from rapidfuzz import fuzz, process

from cpts_bot.core.concepts import ConceptKind
from cpts_bot.core.text_normalizer import term_key
from cpts_bot.core.vocabulary_loader import Vocabulary

MIN_SCORE = 88.0

ActivityResolver = Callable[[str], tuple[str, str] | None]
"""Words for an activity -> (vocabulary code, label), or None when unknown."""


def vocabulary_activity_resolver(vocabulary: Vocabulary, language: str = "fr") -> ActivityResolver:
    """A resolver over the activities of ``vocabulary``, giving labels in ``language``."""
    by_term: dict[str, tuple[str, str]] = {}
    for concept in vocabulary.of_kind(ConceptKind.ACTIVITY):
        resolved = (concept.code, concept.label(language))
        names = [*concept.terms, *concept.labels.values(), concept.code.replace("_", " ")]
        for name in names:
            key = " ".join(term_key(name))
            if key:
                by_term.setdefault(key, resolved)
    choices = list(by_term)

    def resolve(words: str) -> tuple[str, str] | None:
        key = " ".join(term_key(words))
        if not key:
            return None
        if key in by_term:
            return by_term[key]
        best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        return by_term[best[0]] if best else None

    return resolve
