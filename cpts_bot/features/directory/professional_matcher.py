"""Find the professionals (and structures) a :class:`DirectoryQuery` asks for.

:class:`DirectoryIndex` is built once from the directory (dicts of sets of positions
keyed by profession, savoir-faire code, activity, modality and commune); a search
intersects the sets of the resolved codes, so it never scans the directory. Results are
ranked, carry the reasons they match, and come a page (5) at a time. When nothing
matches, the search relaxes the question step by step (a wider area, without the
modality, related professions, without the activity, the whole territory) and says what
it relaxed: the answer is never an empty "no result".
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from cpts_bot.core.concepts import ConceptKind, ConceptRef
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.places.resolver import POSTAL
from cpts_bot.core.text_normalizer import normalize, singular, tokens
from cpts_bot.core.vocabulary_loader import Vocabulary, load_vocabulary
from cpts_bot.features.directory.closest_activities import closest_declared
from cpts_bot.features.directory.declared_activity_search import (
    ActivityOutcome,
    DeclaredActivityIndex,
    WantedPhrase,
)
from cpts_bot.features.directory.declared_languages import (
    declared_language_words,
    with_declared_languages,
)
from cpts_bot.features.directory.models import Modality, PracticeSite, Professional, Structure
from cpts_bot.features.directory.name_lookup import NameIndex, NameMatch
from cpts_bot.features.directory.name_or_place import names_over_lone_places
from cpts_bot.features.directory.query_parser import DirectoryQuery
from cpts_bot.features.directory.unmet_need import need_not_understood

PAGE_SIZE = 5
DENSE_SHARE = 64  # a candidate set larger than 1/64 of the directory is walked in rank order
NEIGHBOUR = "neighbour"  # reason kind: practises in a neighbouring commune
CHILDREN = "children"  # reason kind: sees children (paediatrics or a children's activity)
MAX_RELATED_STRUCTURES = 2


class Relaxation(StrEnum):
    """How a question was widened when nothing matched it as asked."""

    NEIGHBOURS = "neighbours"
    DROP_MODALITIES = "drop_modalities"
    DROP_LANGUAGES = "drop_languages"
    RELATED_PROFESSIONS = "related_professions"
    DROP_ACTIVITIES = "drop_activities"
    WHOLE_TERRITORY = "whole_territory"


@dataclass(frozen=True)
class Match:
    """One professional found, the site that matched and why it matches."""

    professional: Professional
    site: PracticeSite | None
    reasons: tuple[ConceptRef, ...]
    declared: tuple[str, ...] = ()  # the declared activities that matched, verbatim
    broader: bool = False  # answers by a broader or related declaration (listed second)


@dataclass(frozen=True)
class StructureMatch:
    structure: Structure
    reasons: tuple[ConceptRef, ...]


@dataclass(frozen=True)
class SearchResult:
    """The answer to a query: one page of matches, the total, what was relaxed."""

    query: DirectoryQuery
    matches: tuple[Match, ...]
    total: int
    page: int
    page_size: int = PAGE_SIZE
    relaxations: tuple[Relaxation, ...] = ()
    dropped: tuple[ConceptRef, ...] = ()  # what the relaxations took out of the question
    related: tuple[ConceptRef, ...] = ()  # professions offered instead of the one asked
    breakdown: tuple[tuple[str, int], ...] = ()  # (commune INSEE, count), largest first
    structures: tuple[StructureMatch, ...] = ()
    structures_total: int = 0
    name: NameMatch | None = None  # the question named someone
    activity: ActivityOutcome | None = None  # what the declared words gave
    # Nobody declares the need: the closest declared activities and how many declare them.
    closest: tuple[tuple[str, int], ...] = ()
    closest_elsewhere: bool = False  # counted outside the asked profession or place
    only_broader: bool = False  # every answer declares a broader concept, none the need
    need_missing: bool = False

    @property
    def unknown_words(self) -> tuple[str, ...]:
        """Words that may be constraints and that no declared activity holds."""
        return self.activity.unknown if self.activity is not None else ()

    @property
    def remaining(self) -> int:
        """How many matches come after this page."""
        return max(0, self.total - (self.page + 1) * self.page_size)

    @property
    def found(self) -> bool:
        return self.total > 0 or bool(self.structures)


@dataclass
class _Criteria:
    professions: frozenset[str]
    specialties: frozenset[str]
    activities: frozenset[str]
    modalities: frozenset[Modality]
    places: frozenset[str]
    languages: frozenset[str] = frozenset()
    neighbours: frozenset[str] = frozenset()
    related: tuple[ConceptRef, ...] = ()
    phrases: tuple[WantedPhrase, ...] = ()
    modes: frozenset[str] = frozenset()
    named: frozenset[int] | None = None  # positions a name look-up gave
    # Postal codes naming part of a commune the CPTS covers in part: that part only.
    postal: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class DirectoryIndex:
    """The directory in memory, indexed by every code a query can resolve to."""

    professionals: list[Professional] = field(default_factory=list)
    structures: list[Structure] = field(default_factory=list)
    by_profession: dict[str, set[int]] = field(default_factory=dict)
    by_specialty: dict[str, set[int]] = field(default_factory=dict)
    by_activity: dict[str, set[int]] = field(default_factory=dict)
    by_modality: dict[str, set[int]] = field(default_factory=dict)
    by_commune: dict[str, set[int]] = field(default_factory=dict)
    by_language: dict[str, set[int]] = field(default_factory=dict)
    rank: list[int] = field(default_factory=list)
    order: list[int] = field(default_factory=list)  # positions by rank
    structures_by_type: dict[str, set[int]] = field(default_factory=dict)
    structures_by_commune: dict[str, set[int]] = field(default_factory=dict)
    structures_by_activity: dict[str, set[int]] = field(default_factory=dict)
    declared: DeclaredActivityIndex = field(default_factory=DeclaredActivityIndex)
    names: NameIndex = field(default_factory=NameIndex)
    children: set[int] = field(default_factory=set)  # who sees children
    by_commune_mode: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    by_postal: dict[tuple[str, str], set[int]] = field(default_factory=dict)  # (INSEE, code)
    language_words: frozenset[str] = frozenset()  # declared languages the vocabulary lacks

    @classmethod
    def build(
        cls,
        professionals: Iterable[Professional],
        structures: Iterable[Structure] = (),
        vocabulary: Vocabulary | None = None,
    ) -> DirectoryIndex:
        """Index the active professionals and structures."""
        index = cls()
        index.professionals = [person for person in professionals if person.active]
        vocabulary = vocabulary or load_vocabulary()
        index.declared = DeclaredActivityIndex.build(index.professionals, vocabulary)
        index.names = NameIndex.build(index.professionals)
        index.language_words = declared_language_words(index.professionals, vocabulary)
        index.children = _declared_for_children(index.declared, vocabulary)
        for position, person in enumerate(index.professionals):
            if _sees_children(person, vocabulary, declared=False):
                index.children.add(position)
            for site in person.sites:
                key = (site.commune_insee, site.mode)
                index.by_commune_mode.setdefault(key, set()).add(position)
                postal = (site.commune_insee, site.postal_code)
                index.by_postal.setdefault(postal, set()).add(position)
        for position, person in enumerate(index.professionals):
            index.by_profession.setdefault(person.profession_code, set()).add(position)
            for code in person.specialty_codes:
                index.by_specialty.setdefault(code, set()).add(position)
            for code in person.activities:
                index.by_activity.setdefault(code, set()).add(position)
            for modality in person.modalities:
                index.by_modality.setdefault(str(modality), set()).add(position)
            for insee in person.communes:
                index.by_commune.setdefault(insee, set()).add(position)
            for language in person.languages:
                index.by_language.setdefault(language, set()).add(position)
        names: dict[str, str] = {}  # many people share a name: normalise each once

        def name_key(name: str) -> str:
            if name not in names:
                names[name] = normalize(name)
            return names[name]

        order = sorted(
            range(len(index.professionals)),
            key=lambda position: (
                name_key(index.professionals[position].last_name),
                name_key(index.professionals[position].first_name),
                index.professionals[position].key,
            ),
        )
        index.rank = [0] * len(order)
        index.order = order
        for rank, position in enumerate(order):
            index.rank[position] = rank
        index.structures = [structure for structure in structures if structure.active]
        for position, structure in enumerate(index.structures):
            index.structures_by_type.setdefault(structure.structure_type, set()).add(position)
            index.structures_by_commune.setdefault(structure.site.commune_insee, set()).add(
                position
            )
            for code in structure.activities:
                index.structures_by_activity.setdefault(code, set()).add(position)
        return index

    def __len__(self) -> int:
        return len(self.professionals)


def search(
    index: DirectoryIndex,
    query: DirectoryQuery,
    vocabulary: Vocabulary,
    places: PlaceIndex,
    page_size: int = PAGE_SIZE,
) -> SearchResult:
    """Answer ``query``: ranked matches of page ``query.page``, or a relaxed answer."""
    query = with_declared_languages(names_over_lone_places(index, query), index.language_words)
    if query.outside_places and not query.places:
        # Only places outside the territory: nobody here, and no widening to the territory.
        return SearchResult(query, (), 0, query.page, page_size)
    structures, structures_total = _search_structures(index, query, places)
    if query.structure_types and not (query.professions or query.specialties or query.activities):
        return SearchResult(
            query,
            (),
            0,
            query.page,
            page_size,
            structures=structures,
            structures_total=structures_total,
        )
    criteria, name = _criteria(index, query, vocabulary)
    criteria.postal = _postal_parts(query, places)
    asked = criteria
    candidates, activity = _constrained(index, criteria, vocabulary)
    relaxations: tuple[Relaxation, ...] = ()
    if not candidates and criteria.modalities and query.modality_words:
        criteria, candidates, activity = _modality_as_activity(
            index, query, criteria, vocabulary, (candidates, activity)
        )
    if not candidates and name is not None and criteria.places:
        # Someone named elsewhere in the territory than the commune said: still them.
        criteria = replace(criteria, places=frozenset())
        candidates, activity = _constrained(index, criteria, vocabulary)
    wider = _wider(index, criteria)
    second: set[int] = set()
    only_broader = bool(
        activity and activity.wider and not set(activity.used) - set(activity.wider)
    )
    if not candidates and any(wider):
        # Nobody here declares the need nor a narrower one: the broader declarations,
        # marked, before any widening ("escarre" -> « soins de plaies chroniques »).
        candidates = _second_tier(index, criteria, set(), vocabulary, wider)
        only_broader = bool(candidates)
    if _need_unknown(criteria, activity):
        # Nothing but a place (or nothing) and words nobody declares: not everyone there.
        candidates = set()
    elif not candidates and _has_constraints(criteria):
        relaxations, criteria, candidates = _relax(index, criteria, vocabulary, places)
        wider = (set(), frozenset())
    dropped = _dropped(query, criteria)
    missing = _need_missing(asked, relaxations, candidates)
    closest, elsewhere = _closest(index, asked, vocabulary) if missing else ((), False)
    if candidates and any(wider) and query.intent != "count":
        second = _second_tier(index, criteria, candidates, vocabulary, wider)
    page = max(0, query.page)
    top = _top(index, candidates, criteria, query, (page + 1) * page_size, vocabulary)
    if second and len(top) < (page + 1) * page_size:
        top += _first_by_rank(index, second, (page + 1) * page_size - len(top))
    matches = tuple(
        _with_declared(
            _match(index.professionals[position], criteria, query, vocabulary),
            index,
            activity,
            position,
            wider,
            vocabulary,
        )
        for position in top[page * page_size :]
    )
    candidates = candidates | second
    breakdown = _breakdown(index, candidates, criteria) if query.intent == "count" else ()
    if query.activities and not structures:
        structures, structures_total = _structures_for_activities(index, query.activities)
    return SearchResult(
        query=query,
        matches=matches,
        total=len(candidates),
        page=page,
        page_size=page_size,
        relaxations=relaxations,
        dropped=dropped,
        related=criteria.related,
        breakdown=breakdown,
        structures=structures,
        structures_total=structures_total,
        name=name,
        activity=activity,
        closest=closest,
        closest_elsewhere=elsewhere,
        need_missing=missing,
        only_broader=only_broader and bool(candidates) and not relaxations,
    )


def _wider(index: DirectoryIndex, criteria: _Criteria) -> tuple[set[int], frozenset[str]]:
    """Declared texts and card codes of the concepts above the need's ("plaies
    chroniques" for "ulcère variqueux")."""
    asked = set(criteria.activities) | {
        code for phrase in criteria.phrases for codes in phrase.concepts for code in codes
    }
    texts: set[int] = set()
    codes: set[str] = set()
    for code in asked:
        if ":" not in code:
            texts |= index.declared.broader_texts.get(code, set())
            codes |= index.declared.broader_codes.get(code, frozenset())
    return texts, frozenset(codes)


def _second_tier(
    index: DirectoryIndex,
    criteria: _Criteria,
    found: set[int],
    vocabulary: Vocabulary,
    wider: tuple[set[int], frozenset[str]],
) -> set[int]:
    """Who declares a broader concept of the need, in the same profession, place and
    modalities: listed after those who declare the concept itself, and marked so."""
    texts, codes = wider
    holders = index.declared.holders_of(texts) | index.declared.coded(codes)
    if not holders:
        return set()
    base = _candidates(index, replace(criteria, phrases=(), activities=frozenset()), vocabulary)
    return (holders & base) - found


def _with_declared(
    match: Match,
    index: DirectoryIndex,
    activity: ActivityOutcome | None,
    position: int,
    wider: tuple[set[int], frozenset[str]],
    vocabulary: Vocabulary,
) -> Match:
    """The match with the declared activities that answer it; a broader declaration
    (listed second, or the only answer when nobody declares the need) is marked."""
    texts = activity.texts(position) if activity else ()
    mine = index.declared.per_person.get(position, ())
    broader = [index.declared.texts[t] for t in mine if t in wider[0]]
    person = index.professionals[position]
    if not texts and not (activity and set(activity.used) - set(activity.wider)):
        # a card holding a broader code ("wound_care" for "escarre"), unless its label
        # says the very word asked ("pansement" in « plaies et pansements complexes »)
        asked = {singular(word) for word in (activity.used if activity else ())}
        for code in sorted(person.activities & wider[1]):
            label = vocabulary.label(ConceptRef(ConceptKind.ACTIVITY, code), "fr")
            if asked & {singular(word) for word in tokens(label)}:
                return replace(match, declared=())
            broader.append(label)
    if broader and (not texts or set(texts) <= set(broader)):
        return replace(match, declared=tuple(broader), broader=True)
    return replace(match, declared=texts)


def _need_unknown(criteria: _Criteria, activity: ActivityOutcome | None) -> bool:
    """The question names no one and nothing but words nobody declares ("qqn pour
    enlever des fils au Lamentin"): answering with everyone of the place would list
    people who do not do it."""
    said = (
        criteria.professions
        or criteria.specialties
        or criteria.activities
        or criteria.modalities
        or criteria.languages
        or criteria.named is not None
    )
    return bool(activity and activity.unknown and not activity.used and not said)


def _need_missing(
    asked: _Criteria, relaxations: tuple[Relaxation, ...], candidates: set[int]
) -> bool:
    """Whether the answer could not keep the activity asked (nobody declares it)."""
    wants = bool(asked.activities or asked.phrases)
    return wants and (
        Relaxation.DROP_ACTIVITIES in relaxations
        or (Relaxation.RELATED_PROFESSIONS in relaxations and bool(asked.activities))
        or not candidates
    )


def _closest(
    index: DirectoryIndex, asked: _Criteria, vocabulary: Vocabulary
) -> tuple[tuple[tuple[str, int], ...], bool]:
    """The declared activities nearest the need: counted among the asked profession in
    the asked place, else the profession anywhere, else anyone."""
    subject = _subject(index, asked, vocabulary)
    area = asked.places | asked.neighbours
    here = _union(index.by_commune.get(insee, set()) for insee in area) if area else None
    scopes: list[set[int] | None] = []
    if subject is not None and here is not None:
        scopes.append(subject & here)
    if subject is not None:
        scopes.append(subject)
    if here is not None:
        scopes.append(here)
    scopes.append(None)
    return closest_declared(index.declared, asked.phrases, asked.activities, vocabulary, scopes)


def _criteria(
    index: DirectoryIndex, query: DirectoryQuery, vocabulary: Vocabulary
) -> tuple[_Criteria, NameMatch | None]:
    """The constraints of ``query``; a named professional replaces the other filters.

    A name that designates nobody of the asked profession is not a look-up.
    """
    name = None
    if query.free_runs:
        name = index.names.find(
            query.free_runs, query.contact, bool(query.professions or query.specialties)
        )
    if name is not None and not (name.with_first_name or query.contact):
        # "Mme Castagnet : quel kiné fait la rééduc de l'épaule ?": a search with declared
        # activities in it, and a surname without a first name, is about a patient.
        if _declared_words_besides(index, query, name):
            name = None
    if name is not None and (query.professions or query.specialties):
        subject = _subject(
            index,
            _Criteria(query.professions, query.specialties, frozenset(), frozenset(), frozenset()),
            vocabulary,
        )
        if subject is not None and not name.positions & subject:
            name = None
    if name is not None:
        return (
            _Criteria(
                query.professions,
                query.specialties,
                frozenset(),
                frozenset(),
                query.places,
                named=name.positions,
            ),
            name,
        )
    return (
        _Criteria(
            query.professions,
            query.specialties,
            query.activities,
            query.modalities,
            query.places,
            query.languages,
            phrases=tuple(run.phrase for run in query.free_runs if any(run.phrase.content)),
            modes=query.practice_modes,
        ),
        None,
    )


def _modality_as_activity(
    index: DirectoryIndex,
    query: DirectoryQuery,
    criteria: _Criteria,
    vocabulary: Vocabulary,
    found: tuple[set[int], ActivityOutcome | None],
) -> tuple[_Criteria, set[int], ActivityOutcome | None]:
    """Words read as a modality that nobody matches may name a declared activity:
    "préconisation de fauteuil roulant" is an occupational therapist's activity, not
    wheelchair access. Tried before any widening; kept only when it finds someone."""
    for code, words in query.modality_words:
        if Modality(code) not in criteria.modalities:
            continue
        phrase = WantedPhrase(words, tuple(len(word) >= 3 for word in words))
        other = replace(
            criteria,
            modalities=criteria.modalities - {Modality(code)},
            phrases=(*criteria.phrases, phrase),
        )
        candidates, activity = _constrained(index, other, vocabulary)
        if candidates and activity is not None and set(words) & set(activity.used):
            return other, candidates, activity
    return criteria, *found


def _declared_words_besides(index: DirectoryIndex, query: DirectoryQuery, name: NameMatch) -> bool:
    """Whether the question has declared-activity words other than the name's."""
    used = set(name.words)
    for run_index, run in enumerate(query.free_runs):
        for word_index, word in enumerate(run.phrase.words):
            if (run_index, word_index) in used or not run.phrase.content[word_index]:
                continue
            if index.declared.texts_for_word(word):
                return True
    return False


def _has_constraints(criteria: _Criteria) -> bool:
    return bool(
        criteria.professions
        or criteria.specialties
        or criteria.activities
        or criteria.modalities
        or criteria.places
        or criteria.languages
    )


def _union(sets: Iterable[set[int]]) -> set[int]:
    items = [item for item in sets if item]
    if len(items) == 1:
        return items[0]
    result: set[int] = set()
    for item in items:
        result |= item
    return result


def _subject(index: DirectoryIndex, criteria: _Criteria, vocabulary: Vocabulary) -> set[int] | None:
    if criteria.related:
        return _union(_positions_of(index, ref) for ref in criteria.related)
    if not criteria.professions and not criteria.specialties:
        return None
    implied: set[str] = set()
    parts: list[set[int]] = []
    for specialty in criteria.specialties:
        ref = ConceptRef(ConceptKind.SPECIALTY, specialty)
        implied |= vocabulary.professions_of(ref)
        parts.append(_positions_of(index, ref, vocabulary))
    for profession in criteria.professions - implied:
        parts.append(index.by_profession.get(profession, set()))
    return _union(parts)


def _positions_of(
    index: DirectoryIndex, ref: ConceptRef, vocabulary: Vocabulary | None = None
) -> set[int]:
    if ref.kind == ConceptKind.PROFESSION:
        return index.by_profession.get(ref.code, set())
    if ref.kind == ConceptKind.SPECIALTY:
        concept = vocabulary.get(ref) if vocabulary else None
        codes = concept.codes if concept and concept.codes else (ref.code,)
        return _union(index.by_specialty.get(code, set()) for code in codes)
    return set()


def _candidates(index: DirectoryIndex, criteria: _Criteria, vocabulary: Vocabulary) -> set[int]:
    return _constrained(index, criteria, vocabulary)[0]


def _constrained(
    index: DirectoryIndex, criteria: _Criteria, vocabulary: Vocabulary
) -> tuple[set[int], ActivityOutcome | None]:
    """Who meets ``criteria``, and what the declared words gave (None when not asked)."""
    if criteria.phrases and criteria.phrases[0].alternative and _has_subject(criteria):
        return _either(index, criteria, vocabulary)
    subject = _subject(index, criteria, vocabulary)
    everyone = not _narrowed(criteria, subject)
    if everyone and criteria.phrases:
        # Nothing but declared words: no need to list the whole directory first.
        outcome = index.declared.match(criteria.phrases, subject, None)
        if outcome.used or outcome.unknown:
            return set(outcome.positions), outcome
    found = _coded(index, criteria, subject)
    if criteria.modes and found:
        found = _in_mode(index, found, criteria)
    if not criteria.phrases:
        return found, None
    outcome = index.declared.match(criteria.phrases, subject, found)
    if _need_not_understood(criteria, outcome, vocabulary):
        return set(), outcome
    return set(outcome.positions), outcome


def _need_not_understood(
    criteria: _Criteria, outcome: ActivityOutcome, vocabulary: Vocabulary
) -> bool:
    """The only need is words nobody declares (see :mod:`unmet_need`)."""
    if outcome.used or criteria.modalities or criteria.languages or criteria.activities:
        return False
    subjects = [ConceptRef(ConceptKind.PROFESSION, code) for code in criteria.professions]
    subjects += [ConceptRef(ConceptKind.SPECIALTY, code) for code in criteria.specialties]
    terms = [term for ref in subjects for term in getattr(vocabulary.get(ref), "terms", ())]
    cues = frozenset(word for cue in vocabulary.need_cue_words for word in cue.split())
    return need_not_understood(criteria.phrases, outcome.unknown, terms, cues)


def _has_subject(criteria: _Criteria) -> bool:
    return bool(criteria.professions or criteria.specialties)


def _either(
    index: DirectoryIndex, criteria: _Criteria, vocabulary: Vocabulary
) -> tuple[set[int], ActivityOutcome | None]:
    """ "kiné ou ostéo": the profession, or anyone who declares the words after "ou"."""
    first, *rest = criteria.phrases
    plain = replace(criteria, phrases=(), activities=frozenset())
    other = replace(
        criteria,
        professions=frozenset(),
        specialties=frozenset(),
        phrases=(replace(first, alternative=False), *rest),
    )
    found, _ = _constrained(index, plain, vocabulary)
    declared, outcome = _constrained(index, other, vocabulary)
    return found | declared, outcome


def _narrowed(criteria: _Criteria, subject: set[int] | None) -> bool:
    """Whether anything but declared words narrows the directory."""
    searched = {
        code.rpartition(":")[2]
        for phrase in criteria.phrases
        for codes in phrase.concepts
        for code in codes
    }
    return bool(
        subject is not None
        or criteria.named is not None
        or criteria.activities - searched
        or criteria.modalities
        or criteria.languages
        or criteria.places
        or criteria.neighbours
        or criteria.modes
    )


def _in_mode(index: DirectoryIndex, found: set[int], criteria: _Criteria) -> set[int]:
    """Those with a site in the asked mode of practice (in the asked area, when one is).

    A site whose mode is unknown (a CPTS's own entry) is not excluded.
    """
    area = criteria.places | criteria.neighbours
    modes = {*criteria.modes, ""}
    in_mode: set[int] = set()
    for (insee, mode), positions in index.by_commune_mode.items():
        if mode in modes and (not area or insee in area):
            in_mode |= positions
    return found & in_mode


def _activity_holders(index: DirectoryIndex, code: str) -> set[int]:
    """Who holds the concept or a narrower one on their card, or declares it in words."""
    holders = index.declared.coded(index.declared.narrower_codes.get(code, frozenset({code})))
    texts = index.declared.concept_texts.get(code)
    return holders | index.declared.holders_of(texts) if texts else holders


def _coded(index: DirectoryIndex, criteria: _Criteria, subject: set[int] | None) -> set[int]:
    constraints: list[set[int]] = []
    if subject is not None:
        constraints.append(subject)
    if criteria.named is not None:
        constraints.append(set(criteria.named))
    searched = {
        code.rpartition(":")[2]
        for phrase in criteria.phrases
        for codes in phrase.concepts
        for code in codes
    }
    for activity in criteria.activities - searched:
        constraints.append(_activity_holders(index, activity))
    for modality in criteria.modalities:
        constraints.append(index.by_modality.get(str(modality), set()))
    for language in criteria.languages:
        constraints.append(index.by_language.get(language, set()))
    area = criteria.places | criteria.neighbours
    if area:
        constraints.append(_area_positions(index, area, criteria.postal))
    if not constraints:
        return set(range(len(index.professionals)))
    constraints.sort(key=len)
    result = constraints[0]
    for other in constraints[1:]:
        if not result:
            break
        result = result & other
    return result if len(constraints) > 1 else set(result)


def _area_positions(
    index: DirectoryIndex, area: frozenset[str], postal: dict[str, frozenset[str]]
) -> set[int]:
    """Who works in ``area``; a commune named by the postal code of its covered part
    (« dans le 31500 ») is that part only."""
    parts = [
        index.by_commune.get(insee, set())
        if insee not in postal
        else _union(index.by_postal.get((insee, code), set()) for code in postal[insee])
        for insee in area
    ]
    return _union(parts)


def _postal_parts(query: DirectoryQuery, places: PlaceIndex) -> dict[str, frozenset[str]]:
    """INSEE -> postal codes named, for communes covered in part named by a code."""
    resolver = places.resolver
    partial = resolver.partial if resolver is not None else {}
    found: dict[str, set[str]] = {}
    for mention in query.place_mentions:
        if mention.kind == POSTAL:
            for insee in mention.communes & partial.keys():
                found.setdefault(insee, set()).add(mention.typed)
    return {insee: frozenset(codes) for insee, codes in found.items()}


def _relaxed(
    criteria: _Criteria, step: Relaxation, vocabulary: Vocabulary, places: PlaceIndex
) -> _Criteria | None:
    """``criteria`` widened by ``step``, or None when the step does not apply."""
    if step == Relaxation.NEIGHBOURS:
        neighbours = places.neighbours(criteria.places)
        return replace(criteria, neighbours=neighbours) if neighbours else None
    if step == Relaxation.DROP_MODALITIES:
        return replace(criteria, modalities=frozenset()) if criteria.modalities else None
    if step == Relaxation.DROP_LANGUAGES:
        return replace(criteria, languages=frozenset()) if criteria.languages else None
    if step == Relaxation.RELATED_PROFESSIONS:
        if criteria.activities and (criteria.professions or criteria.specialties):
            # Anyone who does the activity, whatever the profession asked for.
            return replace(criteria, professions=frozenset(), specialties=frozenset())
        related: list[ConceptRef] = []
        subjects = [
            ConceptRef(ConceptKind.SPECIALTY, code) for code in sorted(criteria.specialties)
        ]
        subjects += [
            ConceptRef(ConceptKind.PROFESSION, code) for code in sorted(criteria.professions)
        ]
        for ref in subjects:
            concept = vocabulary.get(ref)
            if concept:
                related += [item for item in concept.related if item not in related]
        return replace(criteria, related=tuple(related)) if related else None
    if step == Relaxation.DROP_ACTIVITIES:
        if (criteria.activities or criteria.phrases) and (
            criteria.professions or criteria.specialties
        ):
            return replace(criteria, activities=frozenset(), phrases=())
        return None
    if step == Relaxation.WHOLE_TERRITORY:
        if criteria.places:
            return replace(criteria, places=frozenset(), neighbours=frozenset())
        return None
    return None


def _relax(
    index: DirectoryIndex, criteria: _Criteria, vocabulary: Vocabulary, places: PlaceIndex
) -> tuple[tuple[Relaxation, ...], _Criteria, set[int]]:
    """The smallest widening of ``criteria`` that finds someone: one step, else several."""
    steps = list(Relaxation)
    for step in steps:
        widened = _relaxed(criteria, step, vocabulary, places)
        if widened is not None:
            found = _candidates(index, widened, vocabulary)
            if found:
                return (step,), widened, found
    applied: list[Relaxation] = []
    current = criteria
    for step in steps:
        widened = _relaxed(current, step, vocabulary, places)
        if widened is None:
            continue
        applied.append(step)
        current = widened
        found = _candidates(index, current, vocabulary)
        if found:
            return tuple(applied), current, found
    return tuple(applied), current, set()


def _dropped(query: DirectoryQuery, criteria: _Criteria) -> tuple[ConceptRef, ...]:
    dropped = [
        *_refs(ConceptKind.MODALITY, query.modalities - criteria.modalities),
        *_refs(ConceptKind.LANGUAGE, query.languages - criteria.languages),
        *_refs(ConceptKind.ACTIVITY, query.activities - criteria.activities),
        *_refs(ConceptKind.PLACE, query.places - criteria.places),
    ]
    if criteria.related or (
        query.activities and not criteria.professions and not criteria.specialties
    ):
        dropped += _refs(ConceptKind.SPECIALTY, query.specialties)
        if not query.specialties:
            dropped += _refs(ConceptKind.PROFESSION, query.professions)
    return tuple(dropped)


def _refs(kind: ConceptKind, codes: Iterable[str]) -> list[ConceptRef]:
    """References to ``codes`` of ``kind``, in code order."""
    return [ConceptRef(kind, str(code)) for code in sorted(codes)]


def _declared_for_children(declared: DeclaredActivityIndex, vocabulary: Vocabulary) -> set[int]:
    """Who declares an activity for children in words, read once per distinct text."""
    words = vocabulary.children_declared
    texts = [
        text_id
        for text_id, text in enumerate(declared.texts)
        if words & {singular(word) for word in tokens(text)}
    ]
    return declared.holders_of(texts)


def _sees_children(person: Professional, vocabulary: Vocabulary, declared: bool = True) -> bool:
    """A paediatrician, a children's activity concept, or children and teenagers
    declared in words (« enfants et adolescents », « suivi du nourrisson »)."""
    if "SM40" in person.specialty_codes:
        return True
    for code in person.activities:
        concept = vocabulary.get(ConceptRef(ConceptKind.ACTIVITY, code))
        if concept is not None and concept.children:
            return True
    if not declared:
        return False
    words = vocabulary.children_declared
    return any(
        words & {singular(word) for word in tokens(text)} for text in person.declared_activities
    )


def _first_by_rank(index: DirectoryIndex, candidates: set[int], count: int) -> list[int]:
    """The ``count`` first candidates by name: a walk down the ranked directory when they
    are many (it stops after ``count``), a heap when they are few."""
    if len(candidates) * DENSE_SHARE > len(index.order):
        found: list[int] = []
        for position in index.order:
            if position in candidates:
                found.append(position)
                if len(found) == count:
                    break
        return found
    return heapq.nsmallest(count, candidates, key=index.rank.__getitem__)


def _top(
    index: DirectoryIndex,
    candidates: set[int],
    criteria: _Criteria,
    query: DirectoryQuery,
    count: int,
    vocabulary: Vocabulary,
) -> list[int]:
    """The ``count`` best candidates: in the asked place first, children's fit, by name."""
    rank = index.rank
    if not criteria.neighbours and not query.children:
        return _first_by_rank(index, candidates, count)
    if not criteria.neighbours:
        # Those who see children first: set operations, then the usual order.
        first = _first_by_rank(index, candidates & index.children, count)
        if len(first) < count:
            rest = candidates - index.children
            first += _first_by_rank(index, rest, count - len(first))
        return first
    near = criteria.places

    def key(position: int) -> tuple[int, int]:
        person = index.professionals[position]
        score = 0
        if near and person.communes & near:
            score -= 4
        if query.children and position in index.children:
            score -= 2
        return score, rank[position]

    return heapq.nsmallest(count, candidates, key=key)


def _match(
    person: Professional, criteria: _Criteria, query: DirectoryQuery, vocabulary: Vocabulary
) -> Match:
    reasons: list[ConceptRef] = []
    matched_specialty = False
    for code in sorted(query.specialties):
        concept = vocabulary.get(ConceptRef(ConceptKind.SPECIALTY, code))
        codes = concept.codes if concept and concept.codes else (code,)
        if person.specialty_codes & set(codes):
            reasons.append(ConceptRef(ConceptKind.SPECIALTY, code))
            matched_specialty = True
    if not matched_specialty:
        reasons.append(ConceptRef(ConceptKind.PROFESSION, person.profession_code))
    reasons += _refs(ConceptKind.ACTIVITY, query.activities & person.activities)
    reasons += _refs(ConceptKind.MODALITY, query.modalities & person.modalities)
    reasons += _refs(ConceptKind.LANGUAGE, query.languages & person.languages)
    if query.children and _sees_children(person, vocabulary):
        reasons.append(ConceptRef(CHILDREN, ""))
    site = _best_site(person, criteria)
    if site is not None and (criteria.places or criteria.neighbours):
        kind = ConceptKind.PLACE if site.commune_insee in criteria.places else NEIGHBOUR
        reasons.append(ConceptRef(kind, site.commune_insee))
    return Match(person, site, tuple(reasons))


def _best_site(person: Professional, criteria: _Criteria) -> PracticeSite | None:
    for area in (criteria.places, criteria.neighbours):
        for site in person.sites:
            if site.commune_insee in area:
                return site
    return person.sites[0] if person.sites else None


def _breakdown(
    index: DirectoryIndex, candidates: set[int], criteria: _Criteria
) -> tuple[tuple[str, int], ...]:
    area = (criteria.places | criteria.neighbours) or frozenset(index.by_commune)
    counts = []
    for insee in area:
        count = len(candidates & index.by_commune.get(insee, set()))
        if count:
            counts.append((insee, count))
    counts.sort(key=lambda item: (-item[1], item[0]))
    return tuple(counts)


def _search_structures(
    index: DirectoryIndex, query: DirectoryQuery, places: PlaceIndex
) -> tuple[tuple[StructureMatch, ...], int]:
    if not query.structure_types:
        return (), 0
    of_type = _union(index.structures_by_type.get(code, set()) for code in query.structure_types)
    found: set[int] = set()
    for area in (query.places, query.places | places.neighbours(query.places)):
        if area:
            found = of_type & _union(
                index.structures_by_commune.get(insee, set()) for insee in area
            )
            if found:
                break
    if not found:
        found = set(of_type)
    return _structure_matches(index, found, query.places), len(found)


def _structures_for_activities(
    index: DirectoryIndex, activities: frozenset[str]
) -> tuple[tuple[StructureMatch, ...], int]:
    found = _union(index.structures_by_activity.get(code, set()) for code in activities)
    matches = _structure_matches(index, set(found), frozenset())[:MAX_RELATED_STRUCTURES]
    return matches, len(found)


def _structure_matches(
    index: DirectoryIndex, positions: set[int], places: frozenset[str]
) -> tuple[StructureMatch, ...]:
    ordered = sorted(
        positions,
        key=lambda position: (
            index.structures[position].site.commune_insee not in places,
            normalize(index.structures[position].name),
        ),
    )
    result = []
    for position in ordered[:PAGE_SIZE]:
        structure = index.structures[position]
        reasons = [ConceptRef(ConceptKind.STRUCTURE, structure.structure_type)]
        if places:
            reasons.append(
                ConceptRef(
                    ConceptKind.PLACE if structure.site.commune_insee in places else NEIGHBOUR,
                    structure.site.commune_insee,
                )
            )
        result.append(StructureMatch(structure, tuple(reasons)))
    return tuple(result)
