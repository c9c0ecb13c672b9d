"""A capitalised word that is both a commune elsewhere and a surname of the directory.

"sage-femme Brunet": Brunet is a commune of the Alpes-de-Haute-Provence and the surname
of a midwife of the territory. With no place word before it ("à Brunet"), and a
profession said whose professionals include that surname, the word names the
professional: the question is a name look-up, not a place outside the territory.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from cpts_bot.core.text_normalizer import tokens
from cpts_bot.features.directory.declared_activity_search import WantedPhrase
from cpts_bot.features.directory.name_lookup import MAX_SURNAME_WORDS, NameIndex
from cpts_bot.features.directory.query_parser import DirectoryQuery
from cpts_bot.features.directory.wanted_words import NamedRun


class _Directory(Protocol):
    names: NameIndex
    by_profession: dict[str, set[int]]


def names_over_lone_places(index: _Directory, query: DirectoryQuery) -> DirectoryQuery:
    """``query`` with the lone outside "places" that are surnames of the asked profession
    read as names."""
    if not query.professions or not any(m.alone for m in query.place_mentions):
        return query
    asked: set[int] = set()
    for code in query.professions:
        asked |= index.by_profession.get(code, set())
    names: list[tuple[str, ...]] = []
    kept = []
    for mention in query.place_mentions:
        key = tuple(tokens(mention.typed))[:MAX_SURNAME_WORDS]
        if mention.alone and index.names.by_surname.get(key, set()) & asked:
            names.append(key)
        else:
            kept.append(mention)
    if not names:
        return query
    runs = tuple(NamedRun(WantedPhrase(key, tuple(True for _ in key))) for key in names)
    return replace(query, place_mentions=tuple(kept), free_runs=query.free_runs + runs)
