"""Languages a CPTS file declares that the vocabulary does not know ("platt", "malgache").

The import keeps such a language as its normalised word (see ``declared_words``). A
question naming it ("un kiné qui parle platt ?") is then a language constraint, like
"anglais", not a word set aside: :func:`with_declared_languages` moves it from the free
words to the query's languages before the search.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from cpts_bot.core.concepts import ConceptKind, ConceptRef
from cpts_bot.core.vocabulary_loader import Vocabulary
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.directory.query_parser import DirectoryQuery

MIN_LANGUAGE_WORD = 3


def declared_language_words(
    professionals: Iterable[Professional], vocabulary: Vocabulary
) -> frozenset[str]:
    """The one-word languages professionals declare that are not vocabulary codes."""
    words: set[str] = set()
    for person in professionals:
        for language in person.languages:
            if (
                len(language) >= MIN_LANGUAGE_WORD
                and language.isalpha()
                and vocabulary.get(ConceptRef(ConceptKind.LANGUAGE, language)) is None
            ):
                words.add(language)
    return frozenset(words)


def with_declared_languages(query: DirectoryQuery, words: frozenset[str]) -> DirectoryQuery:
    """``query`` with its free words that name a declared language read as languages."""
    if not words or not query.free_runs:
        return query
    found: set[str] = set()
    runs = []
    for run in query.free_runs:
        phrase = run.phrase
        content = list(phrase.content)
        for position, word in enumerate(phrase.words):
            if content[position] and word in words:
                found.add(word)
                content[position] = False
        runs.append(replace(run, phrase=replace(phrase, content=tuple(content))))
    if not found:
        return query
    return replace(query, languages=query.languages | found, free_runs=tuple(runs))
