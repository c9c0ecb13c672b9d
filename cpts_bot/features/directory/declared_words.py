"""Read the words a CPTS directory file uses for activities, modalities and languages.

A CPTS writes "plaies complexes", "domicile", "nouveaux_patients", "anglais", "LSF" as
readily as codes. Modalities and languages are resolved through the vocabulary (its
codes, labels and terms); activities are kept verbatim unless the cell is exactly a
vocabulary code, and linked to concepts when the bot's index is built. Nothing is
refused for being unknown: an unknown language is kept as its normalised word.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from cpts_bot.core.concepts import ConceptKind
from cpts_bot.core.text_normalizer import normalize, term_key
from cpts_bot.core.vocabulary_loader import Vocabulary
from cpts_bot.features.directory.card import ModalityDeclaration
from cpts_bot.features.directory.declared_activity_search import ConceptLinker
from cpts_bot.features.directory.models import Modality


class DeclaredWordsReader:
    """Words of a directory file -> codes, with the vocabulary's terms."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._activity_codes = {
            concept.code for concept in vocabulary.of_kind(ConceptKind.ACTIVITY)
        }
        self._modalities = _lookup(vocabulary, ConceptKind.MODALITY)
        self._languages = _lookup(vocabulary, ConceptKind.LANGUAGE)
        self._linker: ConceptLinker | None = None

    def activity_code(self, item: str) -> str | None:
        """The vocabulary code when ``item`` is exactly one ("wound_care"), else None."""
        code = item.strip().lower()
        return code if code in self._activity_codes else None

    def modality(self, item: str) -> tuple[Modality, ModalityDeclaration] | None:
        """``domicile``, ``home_visits: le mardi``, ``-nouveaux patients`` -> declaration."""
        available = not item.startswith("-")
        name, _, note = item.lstrip("-").partition(":")
        code = self._modalities.get(" ".join(term_key(name.replace("_", " "))))
        if code is None:
            return None
        return Modality(code), ModalityDeclaration(available, note.strip() if available else "")

    def language(self, item: str) -> str:
        """The language code ("anglais" -> "en", "LSF" -> "fsl"), else the word itself."""
        key = " ".join(term_key(item.replace("_", " ")))
        return self._languages.get(key) or normalize(item).replace(" ", "-")

    def unlinked(self, declared_lists: Iterable[object]) -> dict[str, int]:
        """Declared words (as first written) linked to no concept, with their row counts."""
        if self._linker is None:
            self._linker = ConceptLinker(self.vocabulary)
        counts: Counter[str] = Counter()
        spelling: dict[str, str] = {}
        for declared in declared_lists:
            if not isinstance(declared, tuple):
                continue
            for words in declared:
                key = normalize(words)
                spelling.setdefault(key, words)
                counts[key] += 1
        return {
            spelling[key]: count
            for key, count in counts.items()
            if not self._linker.concepts(spelling[key])
        }


def _lookup(vocabulary: Vocabulary, kind: ConceptKind) -> dict[str, str]:
    found: dict[str, str] = {}
    for concept in vocabulary.of_kind(kind):
        names = [concept.code, concept.code.replace("_", " "), *concept.terms]
        names += list(concept.labels.values())
        for name in names:
            key = " ".join(term_key(name))
            if key:
                found.setdefault(key, concept.code)
    return found
