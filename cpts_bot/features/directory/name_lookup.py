"""Find a professional of the territory by name: "Mme Paugam", "dimitri chauveau kiné",
"Dr Fabrice Toussaint", "la pharmacie Le Guen".

The question's free words (:mod:`cpts_bot.features.directory.wanted_words`) are looked up among the
surnames of the directory (whole surnames: "Dubost" does not find "Dubost-Toussaint"),
narrowed by a first name said next to it. A surname counts as a look-up when something
says a person is sought: a title before it, a first name with it, a request for a phone
or an address, or a profession in the question; a run next to an age or "patient" is a
patient's name and is left alone. A close spelling is accepted after a title or a
first name. The index holds the territory's professionals only, so a homonym working
elsewhere is never given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from cpts_bot.core.text_normalizer import tokens
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.directory.wanted_words import NamedRun

MAX_SURNAME_WORDS = 4
TYPO_SCORE = 86.0
MIN_TYPO_LENGTH = 4


@dataclass(frozen=True)
class NameMatch:
    """Who the name designates, and which words of which run named them."""

    positions: frozenset[int]
    words: tuple[tuple[int, int], ...]  # (run index, word index) used by the name
    typed: str
    with_first_name: bool = False  # a first name said with the surname: surely a look-up


@dataclass
class NameIndex:
    """Surnames and first names of the directory, normalised once."""

    by_surname: dict[tuple[str, ...], set[int]] = field(default_factory=dict)
    first_names: list[tuple[str, ...]] = field(default_factory=list)
    surnames: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, professionals: Sequence[Professional]) -> NameIndex:
        index = cls()
        cache: dict[str, tuple[str, ...]] = {}
        for position, person in enumerate(professionals):
            last = cache.get(person.last_name)
            if last is None:
                last = cache[person.last_name] = tuple(tokens(person.last_name))
            first = cache.get(person.first_name)
            if first is None:
                first = cache[person.first_name] = tuple(tokens(person.first_name))
            index.first_names.append(first)
            if last:
                index.by_surname.setdefault(last[:MAX_SURNAME_WORDS], set()).add(position)
        index.surnames = sorted(" ".join(key) for key in index.by_surname)
        return index

    def find(
        self, runs: Sequence[NamedRun], contact: bool, has_profession: bool
    ) -> NameMatch | None:
        """The professionals a run of ``runs`` names, or None."""
        for run_index, run in enumerate(runs):
            if run.patient:
                continue
            found = self._in_run(run, run_index, contact or has_profession)
            if found is not None:
                return found
        return None

    def _in_run(self, run: NamedRun, run_index: int, cued: bool) -> NameMatch | None:
        words = run.phrase.words
        for start in range(len(words)):
            for size in range(min(MAX_SURNAME_WORDS, len(words) - start), 0, -1):
                key = words[start : start + size]
                if size == 1 and not run.phrase.content[start]:
                    continue
                holders = self.by_surname.get(key)
                if not holders:
                    continue
                narrowed, first_at = self._first_name(words, start, size, holders)
                titled = run.after_title and start == 0
                if narrowed or titled or cued:
                    used = range(start, start + size)
                    if first_at is not None:
                        used = range(min(first_at, start), max(first_at + 1, start + size))
                    return NameMatch(
                        frozenset(narrowed or holders),
                        tuple((run_index, i) for i in used),
                        " ".join(words[i] for i in used),
                        bool(narrowed),
                    )
        if run.after_title and words and run.phrase.content[0]:
            return self._close_spelling(run, run_index)
        return None

    def _first_name(
        self, words: tuple[str, ...], start: int, size: int, holders: set[int]
    ) -> tuple[set[int], int | None]:
        for at in (start - 1, start + size):
            if 0 <= at < len(words):
                named = {p for p in holders if words[at] in self.first_names[p]}
                if named:
                    return named, at
        return set(), None

    def _close_spelling(self, run: NamedRun, run_index: int) -> NameMatch | None:
        word = run.phrase.words[0]
        if len(word) < MIN_TYPO_LENGTH:
            return None
        best = process.extractOne(word, self.surnames, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
        if best is None:
            return None
        holders = self.by_surname[tuple(best[0].split(" "))]
        return NameMatch(frozenset(holders), ((run_index, 0),), word)
