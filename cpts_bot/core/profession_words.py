"""Professions named in a message or a file (dispatch requests, rota lines and questions,
report labels), read from the one vocabulary (``vocabulary/professions.yaml``).

The words are those of the profession concepts, plus those of a specialty that names its
profession (« MG », « généraliste ») and of an ambiguous word, taken for its first
profession (« psy », « ortho »). A title before a name (« Dr Martin ») is not a profession.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cpts_bot.core.concepts import ConceptKind, ConceptRef
from cpts_bot.core.text_normalizer import fold, term_key
from cpts_bot.core.vocabulary_loader import Vocabulary, load_vocabulary

# What may surround a profession word given alone: "infirmier(e)", "IDE.".
_INCLUSIVE = re.compile(r"[\W_]*(?:\((?:e|s|es|ne)\))?[\W_]*")


@dataclass(frozen=True)
class Found:
    """What was found in a text, with the span (in the text) of the words that named it."""

    code: str
    start: int
    end: int


@dataclass(frozen=True)
class _Words:
    by_key: dict[tuple[str, ...], str]
    pattern: re.Pattern[str]


def _profession_of(vocabulary: Vocabulary, refs: tuple[ConceptRef, ...]) -> str | None:
    for ref in refs:
        professions = sorted(vocabulary.professions_of(ref))
        if professions:
            return professions[0]
    return None


@cache
def _words() -> _Words:
    vocabulary = load_vocabulary()
    titles = {term_key(word) for word in vocabulary.name_titles}
    by_key: dict[tuple[str, ...], str] = {}
    for concept in vocabulary.concepts.values():
        if concept.kind == ConceptKind.PROFESSION:
            by_key[(concept.code,)] = concept.code
        if concept.kind == ConceptKind.PROFESSION or concept.names_profession:
            code = _profession_of(vocabulary, (concept.ref,))
            for term in concept.terms:
                if code and term_key(term) not in titles:
                    by_key.setdefault(term_key(term), code)
    for word, refs in vocabulary.ambiguous.items():
        code = _profession_of(vocabulary, refs)
        if code:
            by_key.setdefault(term_key(word), code)
    # Each word of a term may be typed in the plural ("sages-femmes", "infirmières").
    alternatives = sorted(
        (r"[\s\-']+".join(re.escape(word) + "(?:s|x)?" for word in key))
        for key in by_key
        if not key[0].isdigit()
    )
    alternatives.sort(key=len, reverse=True)  # the longest term first
    pattern = re.compile(r"(?<![a-z0-9@:])(" + "|".join(alternatives) + r")(?![a-z0-9])")
    return _Words(by_key, pattern)


def profession_code(word: str) -> str | None:
    """The code of one profession word ("IDE", "kinés", "infirmier(e)", "60"), or None."""
    code = _words().by_key.get(term_key(word))
    found = None if code else find_profession(word)
    if found is not None and _INCLUSIVE.fullmatch(word[: found.start] + word[found.end :]):
        code = found.code
    return code


def find_profession(text: str) -> Found | None:
    """The first profession named in ``text``, with its span in ``text``."""
    words = _words()
    for match in words.pattern.finditer(fold(text, keep_positions=True)):
        code = words.by_key.get(term_key(match.group(1)))
        if code:
            return Found(code, match.start(1), match.end(1))
    return None


def profession_label(code: str, language: str) -> str:
    """The short name of a profession in ``language`` (« IDE », « kiné »); the code
    itself when the vocabulary does not know it."""
    concept = load_vocabulary().get(ConceptRef(ConceptKind.PROFESSION, code))
    return concept.label(language, short=True) if concept else code
