"""Search the activities professionals declared in their own words.

A CPTS file says "plaies complexes", "Prises de sang au cabinet", "méthode McKenzie". The
question's words that are not a profession, a place, a modality or a patient detail come
here as :class:`WantedPhrase` values (runs of words between understood ones and
punctuation). Each word finds the declared activities that contain it — same stem or a
prefix of at least four letters ("rééduc", "chimio"), a close spelling for typos — and,
through a synonym group (``synonyms.yaml``), those that contain another member.

Matching, per phrase: a professional must cover at least one of the phrase's words, and
among those the ones covering the most words win ("rééduc de l'épaule" prefers
"Rééducation de l'épaule" to "rééducation respiratoire"). A word no professional of the
asked profession declares (a patient detail: "hanche", "alitée") is set aside and named
in the reply, never silently used or dropped. A professional must match every phrase.

Everything the search needs is computed once in :meth:`DeclaredActivityIndex.build`:
the distinct declared texts, their stems, who declared each, the synonym groups and
vocabulary concepts each text contains. A question then touches only a few hundred
distinct stems, never the directory.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, combinations

from rapidfuzz import fuzz, process

from cpts_bot.core.concepts import ConceptKind
from cpts_bot.core.text_normalizer import tokens
from cpts_bot.core.vocabulary_loader import Vocabulary
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.directory.word_stems import MIN_PREFIX, stem, stems_match

TYPO_SCORE = 85.0
MIN_TYPO_LENGTH = 5
MIN_DECLARED_PREFIX = 5
MAX_COMBINED_WORDS = 6  # up to this many words, the best coverage is found with set operations


@dataclass(frozen=True)
class WantedPhrase:
    """Words of the question that may name an activity, in the order typed.

    ``words`` keeps every normalised word of the run (short words too, so that a
    synonym such as "prise de sang" is recognised); ``content`` flags the words that
    count as constraints; ``concepts`` the vocabulary activity codes that named a word.
    """

    words: tuple[str, ...]
    content: tuple[bool, ...]
    concepts: tuple[frozenset[str], ...] = ()
    # "hypnose ou sophrologie", "TCC / hypnose": an alternative to the phrase before it
    # (to the profession named before it when it comes first: "kiné ou ostéo").
    alternative: bool = False

    @property
    def content_words(self) -> list[str]:
        return [word for word, keep in zip(self.words, self.content, strict=True) if keep]


@dataclass(frozen=True)
class ActivityOutcome:
    """What the declared words gave for a question."""

    positions: frozenset[int]  # professionals matching every phrase
    used: tuple[str, ...]  # the question's words used as constraints
    unknown: tuple[str, ...]  # words no professional of the asked kind declares
    index: DeclaredActivityIndex | None = field(default=None, repr=False, compare=False)
    matched: frozenset[int] = frozenset()
    weight: dict[int, int] = field(
        default_factory=dict, repr=False, compare=False
    )  # declared texts the used words name
    wider: tuple[str, ...] = ()  # words answered by a broader or related declaration

    def texts(self, position: int) -> tuple[str, ...]:
        """The declared activities of ``position`` that matched, verbatim (for the reply)."""
        if self.index is None or position not in self.positions:
            return ()
        mine = [
            text_id
            for text_id in self.index.per_person.get(position, ())
            if text_id in self.matched
        ]
        best = max((self.weight.get(text_id, 0) for text_id in mine), default=0)
        # The activities that answer best (most of the question's words), not every
        # activity sharing one word with it.
        return tuple(self.index.texts[t] for t in mine if self.weight.get(t, 0) == best)


@dataclass
class DeclaredActivityIndex:
    """Declared activities of the directory, folded once."""

    texts: list[str] = field(default_factory=list)  # verbatim, first spelling seen
    text_stems: list[tuple[str, ...]] = field(default_factory=list)
    holders: list[set[int]] = field(default_factory=list)
    by_stem: dict[str, set[int]] = field(default_factory=dict)
    sorted_stems: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # distinct normalised words, for typos
    word_stem: dict[str, str] = field(default_factory=dict)
    groups: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)
    group_texts: list[set[int]] = field(default_factory=list)
    concept_texts: dict[str, set[int]] = field(default_factory=dict)
    concept_holders: dict[str, set[int]] = field(default_factory=dict)  # who declares them
    code_holders: dict[str, set[int]] = field(default_factory=dict)
    per_person: dict[int, tuple[int, ...]] = field(default_factory=dict)
    stem_holders: dict[str, set[int]] = field(default_factory=dict)  # who declares a stem
    group_holders: list[set[int]] = field(default_factory=list)
    # Synonym group members by their first four letters: (group, member stems).
    members_by_key: dict[str, list[tuple[int, tuple[str, ...]]]] = field(default_factory=dict)
    generic: frozenset[str] = frozenset()  # stems of words naming a kind of care only
    need_cues: frozenset[str] = frozenset()  # "fait", "pratique": what follows is a need
    # Declared texts of the concepts above or beside a concept ("plaies chroniques" for
    # "escarre"): answered second, and said so.
    broader_texts: dict[str, set[int]] = field(default_factory=dict)
    # Concept code -> the codes under it (itself included) / above it, for the cards that
    # hold codes rather than words ("wound_care" answers "pansement").
    narrower_codes: dict[str, frozenset[str]] = field(default_factory=dict)
    # Declared texts of the concepts under a concept only ("Ulcères veineux" for "plaie"):
    # always answer for it, even when someone declares the word itself.
    narrower_texts: dict[str, set[int]] = field(default_factory=dict)
    broader_codes: dict[str, frozenset[str]] = field(default_factory=dict)
    # Concepts of the patient's situation (« post-partum », « grossesse »): beside another
    # need in the same phrase they are its context, not a second need.
    context_codes: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls, professionals: Sequence[Professional], vocabulary: Vocabulary
    ) -> DeclaredActivityIndex:
        """Fold the declared activities of ``professionals`` (positions as in the list)."""
        index = cls()
        ids: dict[tuple[str, ...], int] = {}
        seen: dict[str, int] = {}  # the same spelling is folded once
        for position, person in enumerate(professionals):
            mine: list[int] = []
            for text in person.declared_activities:
                text_id = seen.get(text)
                if text_id is None:
                    key = tuple(tokens(text))
                    if not key:
                        continue
                    text_id = ids.get(key)
                    if text_id is None:
                        text_id = ids[key] = index._add_text(text, key)
                    seen[text] = text_id
                index.holders[text_id].add(position)
                mine.append(text_id)
            if mine:
                index.per_person[position] = tuple(mine)
            for code in person.activities:
                index.code_holders.setdefault(code, set()).add(position)
        index.generic = frozenset(
            stem(word) for term in vocabulary.generic_care_words for word in tokens(term)
        )
        index.need_cues = frozenset(
            stem(word) for term in vocabulary.need_cue_words for word in tokens(term)
        )
        index.sorted_stems = sorted(index.by_stem)
        index.words = sorted(index.word_stem)
        for word_stem, text_ids in index.by_stem.items():
            index.stem_holders[word_stem] = index.holders_of(text_ids)
        index._link(vocabulary)
        return index

    def _add_text(self, text: str, key: tuple[str, ...]) -> int:
        text_id = len(self.texts)
        self.texts.append(text)
        folded = tuple(stem(word) for word in key)
        self.text_stems.append(folded)
        self.holders.append(set())
        for word, word_stem in zip(key, folded, strict=True):
            self.by_stem.setdefault(word_stem, set()).add(text_id)
            self.word_stem[word] = word_stem
        return text_id

    def _link(self, vocabulary: Vocabulary) -> None:
        for number, group in enumerate(vocabulary.synonyms):
            members = tuple(folded for folded in (_stems(word) for word in group) if folded)
            self.groups.append(members)
            texts = self._texts_with_any(members)
            self.group_texts.append(texts)
            self.group_holders.append(self.holders_of(texts))
            if texts:
                for member in members:
                    self.members_by_key.setdefault(member[0][:MIN_PREFIX], []).append(
                        (number, member)
                    )
        self.context_codes = frozenset(
            concept.code for concept in vocabulary.of_kind(ConceptKind.ACTIVITY) if concept.context
        )
        own: dict[str, set[int]] = {}
        for concept in vocabulary.of_kind(ConceptKind.ACTIVITY):
            words = (*concept.terms, *concept.links)
            terms = tuple(folded for folded in (_stems(term) for term in words) if folded)
            own[concept.code] = self._texts_with_any(terms)
        for concept in vocabulary.of_kind(ConceptKind.ACTIVITY):
            self.narrower_codes[concept.code] = vocabulary.narrower(concept.ref)
            self.broader_codes[concept.code] = vocabulary.broader(concept.ref)
        for concept in vocabulary.of_kind(ConceptKind.ACTIVITY):
            # A concept's declarations are its own and those of every narrower concept.
            found = set().union(
                *(own.get(code, set()) for code in vocabulary.narrower(concept.ref))
            )
            if found:
                self.concept_texts[concept.code] = found
                self.concept_holders[concept.code] = self.holders_of(found)
            wider = set().union(*(own.get(code, set()) for code in vocabulary.broader(concept.ref)))
            if wider - found:
                self.broader_texts[concept.code] = wider - found
            below = found - own.get(concept.code, set())
            if below:
                self.narrower_texts[concept.code] = below

    def _texts_with_any(self, members: Iterable[tuple[str, ...]]) -> set[int]:
        found: set[int] = set()
        for member in members:
            candidates = self._texts_with_stem(member[0])
            for text_id in candidates:
                if _contains(self.text_stems[text_id], member):
                    found.add(text_id)
        return found

    def _stems_like(self, asked: str) -> list[str]:
        """Declared stems matching ``asked`` (equal, or one a prefix of the other)."""
        found = [asked] if asked in self.by_stem else []
        if len(asked) >= MIN_PREFIX:
            start = bisect.bisect_left(self.sorted_stems, asked)
            for declared in self.sorted_stems[start:]:
                if not declared.startswith(asked):
                    break
                if declared != asked:
                    found.append(declared)
            # A declared word shorter than the asked one ("lymph" for "lymphatique") must
            # carry most of it: "oral" is not "oralité".
            shortest = max(MIN_DECLARED_PREFIX, int(len(asked) * 0.6 + 0.5))
            found += [
                asked[:size] for size in range(shortest, len(asked)) if asked[:size] in self.by_stem
            ]
        return found

    def _texts_with_stem(self, asked: str) -> set[int]:
        """Texts holding a word whose stem matches ``asked`` (equal or prefix)."""
        found: set[int] = set()
        for declared in self._stems_like(asked):
            found |= self.by_stem[declared]
        return found

    def stems_for_word(self, word: str) -> list[str]:
        """Declared stems a question word names: its stem, else a close spelling."""
        found = self._stems_like(stem(word))
        if found or len(word) < MIN_TYPO_LENGTH or not word.isalpha():
            return found
        best = process.extractOne(word, self.words, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
        return [self.word_stem[best[0]]] if best else []

    def texts_for_word(self, word: str) -> set[int]:
        """Declared texts a question word names."""
        found: set[int] = set()
        for declared in self.stems_for_word(word):
            found |= self.by_stem[declared]
        return found

    def holders_of(self, text_ids: Iterable[int]) -> set[int]:
        result: set[int] = set()
        for text_id in text_ids:
            result |= self.holders[text_id]
        return result

    def match(
        self,
        phrases: Sequence[WantedPhrase],
        scope: set[int] | None,
        candidates: set[int] | None,
    ) -> ActivityOutcome:
        """Professionals of ``candidates`` (None: everyone) matching every phrase.

        ``scope`` (the asked profession, whatever the place) decides which words are
        constraints: a word nobody in the scope declares is set aside as unknown.
        """
        phrases = [_without_context(phrase, self.context_codes) for phrase in phrases]
        used: list[str] = []
        unknown: list[str] = []
        wider: list[str] = []
        result: set[int] | None = None
        matched: set[int] = set()
        weight: dict[int, int] = {}
        readings = [
            [(phrase, self._required(phrase, scope, used, unknown, wider)) for phrase in group]
            for group in _alternatives(phrases)
        ]
        anyone = any(_declared(req, scope) for group in readings for _, req in group if req)
        for group in readings:
            base = candidates if result is None else result
            found_any: set[int] | None = None
            for _phrase, required in group:
                if required is None:
                    continue
                if anyone and required and not _declared(required, scope):
                    # A second need nobody declares ("entorse" beside "kiné du sport"):
                    # set aside and named, not a reason to answer nobody.
                    _set_aside(required, used, unknown)
                    continue
                found = (
                    _best_covering(required, base, _rarest(required, scope)) if required else set()
                )
                found_any = found if found_any is None else found_any | found
                _weigh(required, matched, weight)
            if found_any is not None:
                result = found_any
        if result is None and candidates is None:
            # Words nobody declares, and nothing else to select from: nobody ("Mme
            # Zorglub", "combien de zorglub"), the words named as unknown.
            return ActivityOutcome(frozenset(), tuple(used), tuple(unknown), self)
        positions = frozenset(candidates if result is None else result)  # type: ignore[arg-type]
        return ActivityOutcome(
            positions, tuple(used), tuple(unknown), self, frozenset(matched), weight, tuple(wider)
        )

    def _required(
        self,
        phrase: WantedPhrase,
        scope: set[int] | None,
        used: list[str],
        unknown: list[str],
        wider: list[str],
    ) -> list[tuple[str, set[int], set[int]]] | None:
        """The phrase's words that are constraints (None: none; empty: a need nobody
        declares, "méthode McKenzie" where only the kind of care is declared)."""
        required = []
        missing = []
        for word, (texts, holders, named) in self._phrase_covers(phrase, scope, wider).items():
            in_scope = holders if scope is None else holders & scope
            if in_scope or named:
                required.append((word, texts, holders))
                used.append(word)
            else:
                missing.append(word)
        unknown += missing
        required = _unmet_need(self._without_implied(required, phrase, scope), scope, self)
        if missing and all(stem(item[0]) in self.generic for item in required):
            # "méthode McKenzie", "qui fait la méthode Zorglub": the phrase asks for a
            # kind of care, and what says which is declared by nobody.
            if required or any(stem(word) in self.need_cues for word in phrase.words):
                return []
        return required or None

    def _phrase_covers(
        self, phrase: WantedPhrase, scope: set[int] | None = None, wider: list[str] | None = None
    ) -> dict[str, tuple[set[int], set[int], bool]]:
        """For each content word: (declared texts it names, who declares it, whether a
        vocabulary activity named it: then it is a constraint even if nobody has it).

        A word of a vocabulary concept that nobody in ``scope`` declares as such finds
        the declared texts linked to that concept ("soins palliatifs" finds
        "accompagnement fin de vie"); a word someone declares keeps its own sense."""
        extra = self._synonym_groups(phrase)
        covers: dict[str, tuple[set[int], set[int], bool]] = {}
        # one word naming a concept is the whole need (not "pansement VAC")
        pairs = zip(phrase.content, phrase.concepts, strict=False)
        alone = sum(bool(keep and codes) for keep, codes in pairs) == 1
        for position, word in enumerate(phrase.words):
            if not phrase.content[position]:
                continue
            stems_found = self.stems_for_word(word)
            texts = set().union(*(self.by_stem[item] for item in stems_found))
            holders = set().union(*(self.stem_holders[item] for item in stems_found))
            for number in extra.get(position, ()):
                texts |= self.group_texts[number]
                holders |= self.group_holders[number]
            concepts = phrase.concepts[position] if phrase.concepts else frozenset()
            for code in concepts:
                holders = holders | self.coded(self.narrower_codes.get(code, frozenset({code})))
                if alone:  # "une plaie": the concept's narrower declarations answer too
                    below = self.narrower_texts.get(code, set())
                    texts, holders = texts | below, holders | self.holders_of(below)
            if concepts and not (holders if scope is None else holders & scope):
                texts, holders = self._concept_cover(concepts, texts, holders)
            if concepts and not (holders if scope is None else holders & scope):
                texts, holders = self._broader_cover(concepts, texts, holders)
                if holders and wider is not None:
                    wider.append(word)
            named = any(":" not in code for code in concepts)  # not a structure word
            if word in covers:
                texts, holders = covers[word][0] | texts, covers[word][1] | holders
                named = named or covers[word][2]
            covers[word] = (texts, holders, named)
        return self._by_concept_term(phrase, covers, scope)

    def _synonym_groups(self, phrase: WantedPhrase) -> dict[int, set[int]]:
        """Word position -> the synonym groups a run of words starting there names."""
        phrase_stems = tuple(stem(word) for word in phrase.words)
        extra: dict[int, set[int]] = {}
        for start, first in enumerate(phrase_stems):
            key = first[:MIN_PREFIX]
            for number, member in self.members_by_key.get(key, ()):
                if _occurs_at(phrase_stems, member, start):
                    for offset in range(len(member)):
                        extra.setdefault(start + offset, set()).add(number)
        return extra

    def _by_concept_term(
        self,
        phrase: WantedPhrase,
        covers: dict[str, tuple[set[int], set[int], bool]],
        scope: set[int] | None,
    ) -> dict[str, tuple[set[int], set[int], bool]]:
        """Words that together name one concept ("surveiller la tension", "arrêter de
        fumer") are one need: whoever declares the concept (or a narrower one) covers
        them, not whoever shares one of their words ("surveillance post-opératoire")."""
        if not phrase.concepts:
            return covers
        groups: dict[str, tuple[frozenset[str], list[str]]] = {}
        for word, codes, keep in zip(phrase.words, phrase.concepts, phrase.content, strict=True):
            marks = [code for code in codes if code.startswith("term:")]
            concepts = frozenset(code for code in codes if ":" not in code)
            if keep and marks and concepts:
                groups.setdefault(marks[0], (concepts, []))[1].append(word)
        for codes, words in groups.values():
            words = list(dict.fromkeys(words))
            texts = set().union(*(self.concept_texts.get(code, set()) for code in codes))
            holders = self.holders_of(texts)
            if len(words) < 2 or not (holders if scope is None else holders & scope):
                continue
            for word in words[1:]:
                covers.pop(word, None)
            covers[words[0]] = (texts, holders, True)
        return covers

    def _without_implied(
        self,
        required: list[tuple[str, set[int], set[int]]],
        phrase: WantedPhrase,
        scope: set[int] | None,
    ) -> list[tuple[str, set[int], set[int]]]:
        """``required`` without the general words another word of the phrase implies.

        In "pansement VAC" the therapy is a kind of wound care: "pansement" names the
        concept (wound_care) every declared text of "VAC" is linked to, so the people
        declaring VAC answer, whether or not they also wrote "pansements".
        """
        if len(required) < 2 or not phrase.concepts:
            return required
        concepts: dict[str, frozenset[str]] = {}
        for word, codes in zip(phrase.words, phrase.concepts, strict=True):
            concepts[word] = concepts.get(word, frozenset()) | codes

        def share(item: tuple[str, set[int], set[int]]) -> int:
            return len(item[2] if scope is None else item[2] & scope)

        kept = []
        for item in required:
            linked = [self.concept_texts.get(code, set()) for code in concepts.get(item[0], ())]
            implied = any(
                other is not item
                and other[1]
                and 0 < share(other) < share(item)  # the more specific word
                and any(other[1] <= texts for texts in linked if texts)
                for other in required
            )
            if not implied:
                kept.append(item)
        return kept or required

    def _broader_cover(
        self, concepts: frozenset[str], texts: set[int], holders: set[int]
    ) -> tuple[set[int], set[int]]:
        """Nobody declares the concept nor a narrower one: the declarations above or
        beside it ("plaies chroniques" for "escarre")."""
        for code in concepts:
            if ":" in code:
                continue
            wider = self.broader_texts.get(code, set())
            texts = texts | wider
            holders = holders | self.holders_of(wider)
            holders = holders | self.coded(self.broader_codes.get(code, frozenset()))
        return texts, holders

    def coded(self, codes: Iterable[str]) -> set[int]:
        """Who holds any of the activity ``codes`` on their card."""
        found: set[int] = set()
        for code in codes:
            found |= self.code_holders.get(code, set())
        return found

    def _concept_cover(
        self, concepts: frozenset[str], texts: set[int], holders: set[int]
    ) -> tuple[set[int], set[int]]:
        """``texts`` and ``holders`` widened to the declared texts linked to ``concepts``."""
        for code in concepts:
            linked = self.concept_texts.get(code)
            if linked:
                texts = texts | linked
                holders = holders | self.concept_holders[code]
        return texts, holders


def _weigh(
    required: list[tuple[str, set[int], set[int]]], matched: set[int], weight: dict[int, int]
) -> None:
    """Note the declared texts the used words name (shown as why each person matches)."""
    for _word, word_texts, _holders in required:
        matched |= word_texts
        for text_id in word_texts:
            weight[text_id] = weight.get(text_id, 0) + 1


def _declared(required: list[tuple[str, set[int], set[int]]], scope: set[int] | None) -> bool:
    """Whether anyone in ``scope`` declares one of the ``required`` words."""
    return any(holders if scope is None else holders & scope for _w, _t, holders in required)


def _set_aside(
    required: list[tuple[str, set[int], set[int]]], used: list[str], unknown: list[str]
) -> None:
    for word, _texts, _holders in required:
        if word in used:
            used.remove(word)
        unknown.append(word)


def _alternatives(phrases: Sequence[WantedPhrase]) -> list[list[WantedPhrase]]:
    """The phrases in groups of alternatives: every group must match, one of its phrases
    is enough ("TCC / hypnose", "hypnose ou sophrologie")."""
    groups: list[list[WantedPhrase]] = []
    for phrase in phrases:
        if phrase.alternative and groups:
            groups[-1].append(phrase)
        else:
            groups.append([phrase])
    return groups


def _rarest(required: list[tuple[str, set[int], set[int]]], scope: set[int] | None) -> set[int]:
    """Who declares the phrase's most specific word (the one fewest of the asked
    profession declare): "vestibulaire" in "rééducation vestibulaire"."""

    def share(item: tuple[str, set[int], set[int]]) -> int:
        holders = item[2]
        return len(holders) if scope is None else len(holders & scope)

    declared = [item for item in required if share(item)]  # a word nobody has: no guide
    if not declared:
        return set().union(*(item[2] for item in required))
    return min(declared, key=share)[2]


def _best_covering(
    required: list[tuple[str, set[int], set[int]]],
    candidates: set[int] | None,
    rarest: set[int],
) -> set[int]:
    """The candidates (None: everyone) covering the most required words, at least one.

    Set operations first (they run in C): everyone covering every word, when anyone
    does; then the best partial coverage.
    """
    covering = [
        holders if candidates is None else holders & candidates
        for _word, _texts, holders in required
    ]
    every = set.intersection(*covering)
    if every or len(covering) == 1:
        return every
    # Nobody covers every word: the best partial coverage among those who cover the most
    # specific one ("rééducation" alone does not answer "rééducation vestibulaire").
    covering = [found & rarest for found in covering]
    if len(covering) <= MAX_COMBINED_WORDS:
        for size in range(len(covering) - 1, 0, -1):
            found: set[int] = set()
            for group in combinations(covering, size):
                found |= set.intersection(*group)
            if found:
                return found
        return set()
    score = Counter(chain.from_iterable(covering))
    if not score:
        return set()
    best = max(score.values())
    return {position for position, value in score.items() if value == best}


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in tokens(text))


def _contains(haystack: tuple[str, ...], member: tuple[str, ...]) -> bool:
    return any(True for _ in _occurrences(haystack, member))


def _occurs_at(haystack: tuple[str, ...], member: tuple[str, ...], start: int) -> bool:
    if start + len(member) > len(haystack):
        return False
    return all(stems_match(part, haystack[start + offset]) for offset, part in enumerate(member))


def _occurrences(haystack: tuple[str, ...], member: tuple[str, ...]) -> Iterable[int]:
    size = len(member)
    for start in range(len(haystack) - size + 1):
        if all(stems_match(member[offset], haystack[start + offset]) for offset in range(size)):
            yield start


class ConceptLinker:
    """Which vocabulary concepts and synonym groups a declared activity names."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        # Terms by the first letters of their first stem: a text is compared only with
        # the terms that can start at one of its words (two stems that match share them).
        self._terms: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for concept in vocabulary.of_kind(ConceptKind.ACTIVITY):
            for term in (*concept.terms, *concept.links, *concept.labels.values()):
                self._add(f"activity:{concept.code}", term)
        for number, group in enumerate(vocabulary.synonyms):
            for word in group:
                self._add(f"synonyms:{number}", word)

    def _add(self, name: str, term: str) -> None:
        folded = _stems(term)
        if folded:
            self._terms.setdefault(folded[0][:MIN_PREFIX], []).append((name, folded))

    def concepts(self, text: str) -> frozenset[str]:
        """The concepts ``text`` names ("activity:wound_care", "synonyms:3")."""
        folded = _stems(text)
        keys = {word[:MIN_PREFIX] for word in folded}
        return frozenset(
            name
            for key in keys
            for name, term in self._terms.get(key, ())
            if _contains(folded, term)
        )


def _without_context(phrase: WantedPhrase, context: frozenset[str]) -> WantedPhrase:
    """« rééduc du périnée post-partum »: the words naming only the patient's situation
    are no constraint when another concept of the phrase says the need."""
    if not phrase.concepts or not context:
        return phrase
    needs = [{code for code in codes if ":" not in code} for codes in phrase.concepts]
    if not any(keep and codes - context for keep, codes in zip(phrase.content, needs, strict=True)):
        return phrase
    content = tuple(
        keep and not (codes and codes <= context)
        for keep, codes in zip(phrase.content, needs, strict=True)
    )
    return replace(phrase, content=content)


def _unmet_need(
    required: list[tuple[str, set[int], set[int]]],
    scope: set[int] | None,
    index: DeclaredActivityIndex,
) -> list[tuple[str, set[int], set[int]]]:
    """« rééduc du périnée » when nobody declares the périnée: the need is the named
    word, not « rééducation » (a kind of care every kiné declares). Only the words
    nobody covers are kept, so the answer says nobody declares them and widens."""
    uncovered = [item for item in required if not (item[2] if scope is None else item[2] & scope)]
    if not uncovered or len(uncovered) == len(required):
        return required
    if all(stem(item[0]) in index.generic for item in required if item not in uncovered):
        return uncovered
    return required
