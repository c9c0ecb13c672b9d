"""Directory questions, as typed on a phone, turned into a typed :class:`DirectoryQuery`.

"kiné respi à domicile lyon 8", "cb d'IDEL à Bron ?", "ortho pour enfant 4 ans",
"et à Vénissieux plutôt ?", "plus". The words are resolved against the vocabularies and
the territory's places (a few thousand terms): exact multi-word matches first, then
rapidfuzz for misspellings. The directory itself is never scanned here.

:func:`parse_query` never raises and reads at most :data:`MAX_TOKENS` words, so its time
is bounded whatever the input. A follow-up ("plus", "et à domicile ?", the answer to a
clarification) reuses the :class:`ConversationContext` the caller passes in; the new
context is returned for the caller to keep.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from rapidfuzz import fuzz, process

from cpts_bot.core.places.context import capitalised_words
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.places.resolver import PlaceMention, PlaceResolver
from cpts_bot.core.text_normalizer import singular, term_key
from cpts_bot.core.vocabulary_loader import (
    ACTIVITY,
    LANGUAGE,
    MODALITY,
    PLACE,
    PROFESSION,
    SPECIALTY,
    STRUCTURE,
    ConceptRef,
    Vocabulary,
)
from cpts_bot.features.directory.models import Modality
from cpts_bot.features.directory.wanted_words import (
    FreeWords,
    NamedRun,
    segmented_tokens,
    typed_forms,
    wanted_runs,
)

MAX_TOKENS = 60
MAX_MORE_WORDS = 4  # "plus", "voir plus", "et les autres ?": a longer message is no "more"
MAX_TERM_WORDS = 6
CHILD_AGE_LIMIT = 18
_INTENT = "intent"
_AMBIGUOUS = "ambiguous"
_CHILDREN = "children"
_FOLLOW_UP = "follow_up"
_MODE = "practice_mode"
_NEGATIONS = frozenset({"pas", "non", "sans", "hors", "not"})
# A doctor's title ("Dr Moreau, dentiste"): a doctor only when no other profession is said.
_DOCTOR_TITLES = frozenset({"dr", "docteur", "doctoresse"})
_CONTACT = "contact"
TERM = "term"  # marks the words of one multi-word activity term in a phrase
_NO_CONSTRAINT = "no_constraint"  # "professionnels", "soignants": every profession
_AGE_UNITS = {
    "an": 12,
    "ans": 12,
    "year": 12,
    "years": 12,
    "yo": 12,
    "mois": 1,
    "month": 1,
    "months": 1,
}

# « depuis 3 mois », « il y a 2 ans » (« ya »), « tous les 6 mois »: a duration.
_DURATION_WORDS = frozenset(
    {"depuis", "pendant", "durant", "dans", "ya", "les", "chaque", "ici", "since", "for", "every"}
)
_PREGNANCY_WORDS = frozenset({"enceinte", "grossesse", "pregnant", "pregnancy"})

MAX_WORD_LENGTH = 48


class Intent(StrEnum):
    """What the question asks for."""

    FIND = "find"
    COUNT = "count"
    HELP = "help"
    CLARIFY = "clarify"
    MORE = "more"
    ON_CALL = "on_call"  # "qui est de garde": answered by the duty feature
    DISPATCH = "dispatch"  # "déclenchement": answered by the dispatch feature
    ALERT = "alert"  # territorial alerts: answered by the alerts feature
    UNKNOWN = "unknown"


HOOK_INTENTS = frozenset({Intent.ON_CALL, Intent.DISPATCH, Intent.ALERT})


@dataclass(frozen=True)
class Clarification:
    """An ambiguous word and the meanings to choose from."""

    term: str
    choices: tuple[ConceptRef, ...]
    then: Intent = Intent.FIND  # what to answer once the choice is made


@dataclass(frozen=True)
class DirectoryQuery:
    """A directory question, resolved to vocabulary codes and INSEE codes.

    ``professions`` includes the professions implied by specialties ("pédiatre" -> 10).
    ``children`` says the patient is a child (the age itself is not kept).
    """

    intent: Intent
    professions: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()
    activities: frozenset[str] = frozenset()
    modalities: frozenset[Modality] = frozenset()
    structure_types: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    children: bool = False
    page: int = 0
    clarification: Clarification | None = None
    follow_up: bool = False
    # Words no vocabulary explained: declared activities or a professional's name.
    free_runs: tuple[NamedRun, ...] = ()
    practice_modes: frozenset[str] = frozenset()  # "L" libéral, "S" salarié
    contact: bool = False  # asks for someone's phone or address
    broadened: tuple[str, ...] = ()  # ambiguous words answered with all their meanings
    typed: tuple[tuple[str, str], ...] = ()  # normalised word -> as typed ("epaule", "épaule")
    # The words that named each modality ("fauteuil roulant"): they may also name an
    # activity ("préconisation de fauteuil roulant").
    modality_words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    place_mentions: tuple[PlaceMention, ...] = ()  # the places named, as understood

    @property
    def outside_places(self) -> tuple[PlaceMention, ...]:
        """The places named that are outside the territory."""
        return tuple(mention for mention in self.place_mentions if mention.outside)

    @property
    def has_subject(self) -> bool:
        """Whether the question says who or what is sought."""
        return bool(self.professions or self.specialties or self.activities or self.structure_types)

    @property
    def has_free_words(self) -> bool:
        return any(any(run.phrase.content) for run in self.free_runs)

    @property
    def has_criteria(self) -> bool:
        return self.has_subject or bool(
            self.modalities
            or self.places
            or self.languages
            or self.practice_modes
            or self.place_mentions
        )


@dataclass(frozen=True)
class ConversationContext:
    """What a follow-up needs from the previous exchange (kept by the caller, in memory)."""

    last_query: DirectoryQuery | None = None
    pending: DirectoryQuery | None = None


@dataclass(frozen=True)
class ParseResult:
    query: DirectoryQuery
    context: ConversationContext


@dataclass
class Lexicon:
    """Every term of the vocabularies and places, keyed by normalised word tuple."""

    vocabulary: Vocabulary
    places: PlaceIndex
    terms: dict[tuple[str, ...], frozenset[ConceptRef]] = field(default_factory=dict)
    fuzzy_words: list[str] = field(default_factory=list)
    fuzzy_phrases: list[str] = field(default_factory=list)
    max_words: int = 1
    place_resolver: PlaceResolver | None = None

    @classmethod
    def build(cls, vocabulary: Vocabulary, places: PlaceIndex) -> Lexicon:
        """Index ``vocabulary`` and ``places`` (built once per territory)."""
        lexicon = cls(vocabulary, places)
        lexicon.place_resolver = places.resolver
        profession_keys: dict[tuple[str, ...], str] = {}
        for concept in vocabulary.concepts.values():
            for term in concept.terms:
                key = term_key(term)
                lexicon._add(key, concept.ref)
                if concept.kind == PROFESSION:
                    profession_keys[key] = concept.code
        # "kine respi" also names the profession: a multi-word term containing a
        # profession word that practises the concept implies that profession.
        for concept in vocabulary.concepts.values():
            if concept.kind not in (ACTIVITY, MODALITY):
                continue
            for term in concept.terms:
                key = term_key(term)
                for size in range(1, len(key)):
                    for start in range(len(key) - size + 1):
                        code = profession_keys.get(key[start : start + size])
                        if code and code in concept.professions:
                            lexicon._add(key, ConceptRef(PROFESSION, code))
        for phrase, refs in vocabulary.phrases.items():
            for ref in refs:
                lexicon._add(term_key(phrase), ref)
        for word in vocabulary.ambiguous:
            lexicon._add(term_key(word), ConceptRef(_AMBIGUOUS, word))
        for intent, words in vocabulary.intents.items():
            lexicon._add_words(words, ConceptRef(_INTENT, intent))
        lexicon._add_words(vocabulary.children_words, ConceptRef(_CHILDREN, ""))
        lexicon._add_words(vocabulary.follow_up_words, ConceptRef(_FOLLOW_UP, ""))
        for mode, words in vocabulary.practice_modes.items():
            lexicon._add_words(words, ConceptRef(_MODE, mode))
        lexicon._add_words(vocabulary.contact_words, ConceptRef(_CONTACT, ""))
        for word in vocabulary.no_constraint_words:
            if term_key(word) not in lexicon.terms:
                lexicon._add(term_key(word), ConceptRef(_NO_CONSTRAINT, ""))
        # "infirmière libérale" names a profession and a mode of practice.
        mode_words = {
            term_key(word)[0]: mode
            for mode, words in vocabulary.practice_modes.items()
            for word in words
            if len(term_key(word)) == 1
        }
        for key in list(lexicon.terms):
            for word in key if len(key) > 1 else ():
                if word in mode_words:
                    lexicon._add(key, ConceptRef(_MODE, mode_words[word]))
        stop = vocabulary.stopwords
        for key, refs in lexicon.terms.items():
            text = " ".join(key)
            if len(text) < 4 or not text.replace(" ", "").isalpha() or text in stop:
                continue
            if all(ref.kind in (_FOLLOW_UP, _CHILDREN, _CONTACT, _NO_CONSTRAINT) for ref in refs):
                continue
            if any(ref.kind == _INTENT and ref.code == "more" for ref in refs):
                continue
            (lexicon.fuzzy_words if len(key) == 1 else lexicon.fuzzy_phrases).append(text)
        return lexicon

    def is_vocabulary(self, key: tuple[str, ...]) -> bool:
        """A term of the vocabularies or a common word: never a place outside the territory."""
        return key in self.terms or (len(key) == 1 and key[0] in self.vocabulary.stopwords)

    def _add(self, key: tuple[str, ...], ref: ConceptRef) -> None:
        if not key or len(key) > MAX_TERM_WORDS:
            return
        self.terms[key] = self.terms.get(key, frozenset()) | {ref}
        self.max_words = max(self.max_words, len(key))

    def _add_words(self, words: Iterable[str], ref: ConceptRef) -> None:
        """Every one of ``words`` (single words or phrases) stands for ``ref``."""
        for word in words:
            self._add(term_key(word), ref)


@dataclass
class _Reading:
    """What was read in one message, before it becomes a query."""

    refs: set[ConceptRef] = field(default_factory=set)
    ambiguous: list[str] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    children: bool = False
    follow_up: bool = False
    numbers: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    adult: bool = False  # an explicit adult age ("84 ans") wins over "fille", "petit"
    modes: set[str] = field(default_factory=set)
    excluded_modes: set[str] = field(default_factory=set)  # "pas des libérales"
    modality_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    contact: bool = False
    runs: list[NamedRun] = field(default_factory=list)
    typed: tuple[tuple[str, str], ...] = ()
    places: list[PlaceMention] = field(default_factory=list)
    title_refs: set[ConceptRef] = field(default_factory=set)  # what "Dr" alone would mean


def parse_query(
    text: str, lexicon: Lexicon, context: ConversationContext | None = None
) -> ParseResult:
    """Understand ``text``: anything unreadable is an UNKNOWN query, never an exception.

    No catch-all here: a bug must surface (in the property tests, and in production once,
    caught by the router, which logs it and apologises)."""
    return _parse(text, lexicon, context or ConversationContext())


def _parse(text: str, lexicon: Lexicon, context: ConversationContext) -> ParseResult:
    reading = _read(text, lexicon)
    if context.pending is not None:
        chosen = _answer_to_clarification(reading, context.pending)
        if chosen is not None:
            query = _apply_choice(context.pending, chosen, lexicon.vocabulary)
            # "orthophoniste à Bron" answers the question and says more.
            said = _to_query(reading, lexicon.vocabulary)
            query = replace(
                query,
                places=said.places or query.places,
                place_mentions=said.place_mentions or query.place_mentions,
                modalities=query.modalities | said.modalities,
                languages=query.languages | said.languages,
                children=query.children or said.children,
            )
            return ParseResult(query, ConversationContext(last_query=query))
    query = _to_query(reading, lexicon.vocabulary)
    query = _with_context(query, reading, context)
    if query.intent == Intent.CLARIFY:
        return ParseResult(query, ConversationContext(context.last_query, pending=query))
    if query.intent in (Intent.FIND, Intent.COUNT):
        return ParseResult(query, ConversationContext(last_query=query))
    return ParseResult(query, context)


def _read(text: str, lexicon: Lexicon) -> _Reading:
    # The bot's own mention ("@cpts-bot:example.org: kiné Bron"), links and e-mail
    # addresses are not words. Plain string tests on bounded chunks: linear time.
    chunks = [chunk[:MAX_WORD_LENGTH] for chunk in text[:4000].split()[: MAX_TOKENS * 2]]
    # "TCC / hypnose": a slash standing alone between two words is an "or".
    chunks = ["ou" if chunk == "/" else chunk for chunk in chunks]
    text = " ".join(chunk for chunk in chunks if not _is_address(chunk))
    words, starts = segmented_tokens(text)
    words = words[:MAX_TOKENS]
    typed = typed_forms(text)
    keys = [singular(word) for word in words]
    reading = _Reading(words=words, typed=typed)
    consumed = [False] * len(keys)
    ages: set[int] = set()
    child_age = False
    for index, word in enumerate(words):
        if word.isdigit() and len(word) <= 3:
            reading.numbers.append(int(word))
            unit = words[index + 1] if index + 1 < len(words) else ""
            if unit in _AGE_UNITS and not _not_an_age(words, index):
                if int(word) * _AGE_UNITS[unit] < CHILD_AGE_LIMIT * 12:
                    child_age = True
                else:
                    reading.adult = True
                consumed[index] = consumed[index + 1] = True
                ages.add(index)
    codes: dict[int, frozenset[str]] = {}
    subjects: set[int] = set()  # positions of profession and specialty words
    specialty_at: dict[ConceptRef, range] = {}
    first_profession: int | None = None
    resolver = lexicon.place_resolver
    if resolver is not None:
        capitals = capitalised_words(text)
        reading.places = resolver.find(keys, consumed, lexicon.is_vocabulary, capitals, words)
    index = 0
    while index < len(keys):
        if consumed[index]:
            index += 1
            continue
        size = min(lexicon.max_words, len(keys) - index)
        while size > 0:
            key = tuple(keys[index : index + size])
            refs = lexicon.terms.get(key)
            if refs and not any(consumed[index : index + size]):
                refs = _leading_follow_up(refs, index, len(keys))
                if size == 1 and keys[index] in _DOCTOR_TITLES:
                    reading.title_refs |= refs
                else:
                    _take(reading, refs, " ".join(words[index : index + size]))
                if (index and words[index - 1] in _NEGATIONS) or words[index - 2 : index - 1] == [
                    "pas"
                ]:
                    reading.excluded_modes |= {ref.code for ref in refs if ref.kind == _MODE}
                _note_activity(refs, range(index, index + size), keys, lexicon, codes)
                for ref in refs:
                    if ref.kind == MODALITY:
                        reading.modality_words[ref.code] = tuple(words[index : index + size])
                    elif ref.kind == SPECIALTY and len(refs) == 1:
                        specialty_at[ref] = range(index, index + size)
                    elif ref.kind == PROFESSION and first_profession is None:
                        first_profession = index
                if any(ref.kind in (PROFESSION, SPECIALTY) for ref in refs):
                    subjects.update(range(index, index + size))
                for position in range(index, index + size):
                    consumed[position] = True
                break
            size -= 1
        index += max(size, 1)
    if resolver is not None:
        stop = lexicon.vocabulary.stopwords
        reading.places += resolver.find_fuzzy(keys, consumed, lambda word: word in stop)
    _fuzzy(reading, lexicon, keys, consumed, codes, specialty_at)
    _specialties_as_words(reading, lexicon.vocabulary, specialty_at, consumed, first_profession)
    if not any(ref.kind in (PROFESSION, SPECIALTY) for ref in reading.refs):
        _take(reading, frozenset(reading.title_refs), "")
    for mention in reading.places:
        reading.refs.update(ConceptRef(PLACE, insee) for insee in mention.communes)
    reading.children = (reading.children and not reading.adult) or child_age
    free = FreeWords(words, [not flag for flag in consumed], codes, starts, ages, subjects)
    titles = frozenset(lexicon.vocabulary.name_titles)
    reading.runs = wanted_runs(free, lexicon.vocabulary.stopwords, titles)
    return reading


def _not_an_age(words: list[str], index: int) -> bool:
    """« depuis 3 mois », « il y a 2 ans », « enceinte de 5 mois », « 7 mois de
    grossesse »: a duration or a term of pregnancy, not the patient's age."""
    before = words[max(0, index - 2) : index]
    after = words[index + 2 : index + 4]
    if (before and before[-1] in _DURATION_WORDS) or before == ["y", "a"]:
        return True
    return bool(_PREGNANCY_WORDS & {*before, *after})


def _specialties_as_words(
    reading: _Reading,
    vocabulary: Vocabulary,
    specialty_at: dict[ConceptRef, range],
    consumed: list[bool],
    first_profession: int | None,
) -> None:
    """ "sage-femme pour un suivi gynéco": with another profession named, a doctor's
    specialty word describes what is sought; it is searched in the declared words."""
    named = {ref.code for ref in reading.refs if ref.kind == PROFESSION}
    if not named or first_profession is None:
        return
    for ref, positions in specialty_at.items():
        start = positions[0]
        # "ophtalmo ou orthoptiste", "orthoptiste ou ophtalmo": two subjects, kept.
        joined = start and reading.words[start - 1] in ("ou", "et")
        if start > first_profession and not joined and not vocabulary.professions_of(ref) & named:
            reading.refs.discard(ref)
            for position in positions:
                consumed[position] = False


def _note_activity(
    refs: frozenset[ConceptRef],
    positions: range,
    keys: list[str],
    lexicon: Lexicon,
    codes: dict[int, frozenset[str]],
) -> None:
    """Words naming an activity concept stay searchable in the declared words."""
    activity = frozenset(ref.code for ref in refs if ref.kind == ACTIVITY)
    # "visites en EHPAD": a structure word may also be a declared activity.
    activity |= {f"{STRUCTURE}:{ref.code}" for ref in refs if ref.kind == STRUCTURE}
    if not activity:
        return
    if len(positions) > 1:
        # One term of several words ("surveiller la tension"): one need, not each word.
        activity |= {f"{TERM}:{positions[0]}"}
    for position in positions:
        alone = lexicon.terms.get((keys[position],), frozenset())
        if not any(ref.kind in (PROFESSION, SPECIALTY) for ref in alone):
            codes[position] = activity


def _leading_follow_up(
    refs: frozenset[ConceptRef], index: int, length: int
) -> frozenset[ConceptRef]:
    """ "et", "aussi" make a follow-up at the start or the end of a message only: in
    "kiné pour entorse et tendinite à Vertou" the question is complete."""
    if index <= 1 or index == length - 1:
        return refs
    return frozenset(ref for ref in refs if ref.kind != _FOLLOW_UP)


def _is_address(chunk: str) -> bool:
    """A Matrix ID, a URL or an e-mail address (bounded chunk, no regular expression)."""
    if "://" in chunk or chunk.startswith("www."):
        return True
    if chunk.startswith("@") and ":" in chunk[2:]:
        return True
    at = chunk.find("@")
    return at > 0 and "." in chunk[at + 2 :]


def _take(reading: _Reading, refs: frozenset[ConceptRef], typed: str) -> None:
    for ref in refs:
        if ref.kind == _INTENT:
            reading.intents.add(ref.code)
        elif ref.kind == _AMBIGUOUS:
            reading.ambiguous.append(ref.code)
        elif ref.kind == _CHILDREN:
            reading.children = True
        elif ref.kind == _FOLLOW_UP:
            reading.follow_up = True
        elif ref.kind == _MODE:
            reading.modes.add(ref.code)
        elif ref.kind == _CONTACT:
            reading.contact = True
        elif ref.kind == _NO_CONSTRAINT:
            pass
        else:
            reading.refs.add(ref)


def _cutoff(text: str) -> float:
    if len(text) <= 4:
        return 90.0  # "sort" must not become "sport"
    if len(text) <= 6:
        return 83.0
    return 80.0


def _take_fuzzy(
    reading: _Reading,
    refs: frozenset[ConceptRef],
    typed: str,
    positions: range,
    codes: dict[int, frozenset[str]],
    specialty_at: dict[ConceptRef, range] | None = None,
) -> None:
    """A close spelling of an activity term ("péritonéale" ~ "périnéale", "autiste" ~
    "autisme") is only a hint: the word itself is searched in the declared activities.
    A specialty so found is noted like an exact one (``specialty_at``)."""
    activity = frozenset(f"fuzzy:{ref.code}" for ref in refs if ref.kind == ACTIVITY)
    _take(reading, frozenset(ref for ref in refs if ref.kind != ACTIVITY), typed)
    if specialty_at is not None and len(refs) == 1 and next(iter(refs)).kind == SPECIALTY:
        specialty_at.setdefault(next(iter(refs)), positions)
    if activity:
        for position in positions:
            codes[position] = activity


def _fuzzy(
    reading: _Reading,
    lexicon: Lexicon,
    keys: list[str],
    consumed: list[bool],
    codes: dict[int, frozenset[str]],
    specialty_at: dict[ConceptRef, range],
) -> None:
    """Misspelt terms; a specialty found so is noted like an exact one (with another
    profession named, "kiné rééducation neurologique" is no neurologist)."""
    stop = lexicon.vocabulary.stopwords
    index = 0
    while index < len(keys):
        if consumed[index]:
            index += 1
            continue
        matched = False
        for size in (3, 2):
            window = keys[index : index + size]
            if len(window) < size or any(consumed[index : index + size]):
                continue
            if not any(len(word) >= 4 and word not in stop and word.isalpha() for word in window):
                continue
            text = " ".join(window)
            best = process.extractOne(
                text, lexicon.fuzzy_phrases, scorer=fuzz.ratio, score_cutoff=90.0
            )
            if best is not None:
                refs = lexicon.terms[tuple(best[0].split(" "))]
                _take_fuzzy(reading, refs, text, range(index, index + size), codes)
                for position in range(index, index + size):
                    consumed[position] = True
                index += size
                matched = True
                break
        if matched:
            continue
        word = keys[index]
        if len(word) >= 4 and word.isalpha() and word not in stop:
            best = _fuzzy_word(word, lexicon)
            if best is not None:
                refs = lexicon.terms[(best[0],)]
                _take_fuzzy(reading, refs, word, range(index, index + 1), codes, specialty_at)
                consumed[index] = True
        index += 1


def _fuzzy_word(word: str, lexicon: Lexicon) -> tuple[str, float, int] | None:
    """The vocabulary word ``word`` is a misspelling of, if any."""
    best = process.extractOne(
        word, lexicon.fuzzy_words, scorer=fuzz.ratio, score_cutoff=_cutoff(word)
    )
    if best is None:
        return None
    if best[0].endswith(word) and not best[0].startswith(word):
        return None  # "consultation" is not a misspelt "teleconsultation"
    if best[0][:1] != word[:1]:
        return None  # a typo keeps the first letter: "sophrologie" is no "néphrologie"
    return best


def _to_query(reading: _Reading, vocabulary: Vocabulary) -> DirectoryQuery:
    refs = set(reading.refs)
    context_professions = _professions_in(refs, vocabulary)
    clarification = None
    broadened: list[str] = []
    for word in reading.ambiguous:
        options = vocabulary.ambiguous.get(word, ())
        fitting = [ref for ref in options if vocabulary.professions_of(ref) & context_professions]
        if any(ref in refs for ref in options):
            continue
        if len(fitting) == 1:
            refs.add(fitting[0])
        elif context_professions and not fitting:
            continue  # "ortho dentaire": the rest of the question says which
        elif all(ref.kind in (PROFESSION, SPECIALTY) for ref in options):
            # "psy", "ortho": every meaning is a profession; answer them all and say so.
            refs.update(fitting or options)
            broadened.append(word)
        elif clarification is None:
            then = Intent.COUNT if "count" in reading.intents else Intent.FIND
            clarification = Clarification(
                word, tuple(fitting) if len(fitting) > 1 else tuple(options), then
            )
    query = _query_from_refs(Intent.FIND, refs, vocabulary, reading.children)
    query = replace(
        query,
        free_runs=tuple(reading.runs),
        practice_modes=frozenset(reading.modes - reading.excluded_modes),
        modality_words=tuple(sorted(reading.modality_words.items())),
        place_mentions=tuple(reading.places),
    )
    intents = reading.intents
    if "dispatch" in intents:
        intent = Intent.DISPATCH
    elif "on_call" in intents:
        intent = Intent.ON_CALL
    elif "alert" in intents and not query.has_subject:
        intent = Intent.ALERT
    elif clarification is not None:
        intent = Intent.CLARIFY
    elif "count" in intents:
        intent = Intent.COUNT
    elif query.has_criteria:
        intent = Intent.FIND
    elif query.has_free_words and (
        reading.contact
        or reading.follow_up
        or any(run.after_title and not run.patient for run in reading.runs)
    ):
        intent = Intent.FIND  # "le numéro de Mme Paugam ?", "Dr Toussaint"
    elif "help" in intents:
        intent = Intent.HELP
    elif "more" in intents and len(reading.words) <= MAX_MORE_WORDS:
        intent = Intent.MORE  # "plus", "la suite" — not "je peux plus y aller"
    else:
        intent = Intent.UNKNOWN
    return replace(
        query,
        intent=intent,
        clarification=clarification,
        follow_up=reading.follow_up,
        free_runs=tuple(reading.runs),
        practice_modes=frozenset(reading.modes - reading.excluded_modes),
        contact=reading.contact,
        broadened=tuple(broadened),
        typed=reading.typed,
        modality_words=tuple(sorted(reading.modality_words.items())),
    )


def _professions_in(refs: set[ConceptRef], vocabulary: Vocabulary) -> frozenset[str]:
    found: set[str] = set()
    for ref in refs:
        if ref.kind in (PROFESSION, SPECIALTY, ACTIVITY):
            found |= vocabulary.professions_of(ref)
    return frozenset(found)


def _query_from_refs(
    intent: Intent, refs: set[ConceptRef], vocabulary: Vocabulary, children: bool
) -> DirectoryQuery:
    professions = {ref.code for ref in refs if ref.kind == PROFESSION}
    specialties = {ref.code for ref in refs if ref.kind == SPECIALTY}
    for code in specialties:
        professions |= vocabulary.professions_of(ConceptRef(SPECIALTY, code))
    return DirectoryQuery(
        intent=intent,
        professions=frozenset(professions),
        specialties=frozenset(specialties),
        activities=frozenset(ref.code for ref in refs if ref.kind == ACTIVITY),
        modalities=frozenset(Modality(ref.code) for ref in refs if ref.kind == MODALITY),
        structure_types=frozenset(ref.code for ref in refs if ref.kind == STRUCTURE),
        places=frozenset(ref.code for ref in refs if ref.kind == PLACE),
        languages=frozenset(ref.code for ref in refs if ref.kind == LANGUAGE),
        children=children,
    )


def _with_context(
    query: DirectoryQuery, reading: _Reading, context: ConversationContext
) -> DirectoryQuery:
    last = context.last_query
    if last is None:
        return query
    if query.intent == Intent.MORE:
        if last.intent == Intent.COUNT:
            # "plus" after a count: the list itself, from the start.
            return replace(last, intent=Intent.FIND, page=0, follow_up=True)
        return replace(last, page=last.page + 1, follow_up=True)
    if query.intent not in (Intent.FIND, Intent.COUNT):
        return query
    intent = Intent.COUNT if query.intent == Intent.COUNT else last.intent
    named_place = bool(query.places or query.place_mentions)
    if not query.has_subject and (
        named_place or query.modalities or query.children or query.languages or query.practice_modes
    ):
        # "et à domicile ?", "à Vénissieux plutôt": same subject, new place or modality.
        return replace(
            last,
            intent=intent,
            places=query.places if named_place else last.places,
            place_mentions=query.place_mentions if named_place else last.place_mentions,
            modalities=last.modalities | query.modalities,
            languages=last.languages | query.languages,
            children=last.children or query.children,
            practice_modes=query.practice_modes or last.practice_modes,
            free_runs=last.free_runs + query.free_runs,
            page=0,
            follow_up=True,
        )
    only_activity = not (query.professions or query.specialties or query.structure_types)
    if reading.follow_up and only_activity and (query.activities or query.has_free_words):
        # "et pour la dyslexie ?": the same question, another activity.
        return replace(
            last,
            intent=intent,
            free_runs=query.free_runs,
            activities=query.activities,
            places=query.places or last.places,
            place_mentions=query.place_mentions or last.place_mentions,
            modalities=last.modalities | query.modalities,
            page=0,
            follow_up=True,
        )
    if not query.has_subject and query.intent == Intent.COUNT and not query.places:
        return replace(last, intent=Intent.COUNT, page=0, follow_up=True)
    if reading.follow_up and query.has_subject and not named_place and last.places:
        # "et les infirmiers ?": a new subject in the same place.
        return replace(
            query, places=last.places, place_mentions=last.place_mentions, follow_up=True
        )
    return query


def _answer_to_clarification(reading: _Reading, pending: DirectoryQuery) -> ConceptRef | None:
    clarification = pending.clarification
    if clarification is None:
        return None
    choices = clarification.choices
    if len(reading.words) <= 3 and reading.numbers and not reading.refs:
        number = reading.numbers[0]
        if 1 <= number <= len(choices):
            return choices[number - 1]
    named = [ref for ref in choices if ref in reading.refs]
    if len(named) == 1:
        return named[0]
    return None


def _apply_choice(
    pending: DirectoryQuery, chosen: ConceptRef, vocabulary: Vocabulary
) -> DirectoryQuery:
    intent = pending.clarification.then if pending.clarification else Intent.FIND
    professions = set(pending.professions) | set(vocabulary.professions_of(chosen))
    specialties = set(pending.specialties)
    activities = set(pending.activities)
    if chosen.kind == SPECIALTY:
        specialties.add(chosen.code)
    elif chosen.kind == ACTIVITY:
        activities.add(chosen.code)
    return replace(
        pending,
        intent=intent,
        professions=frozenset(professions),
        specialties=frozenset(specialties),
        activities=frozenset(activities),
        page=0,
        clarification=None,
        follow_up=True,
    )


def concept_refs(query: DirectoryQuery, vocabulary: Vocabulary) -> list[ConceptRef]:
    """The concepts of ``query``, in a stable order (for "what I understood")."""
    refs: list[ConceptRef] = []
    implied: set[str] = set()
    for code in sorted(query.specialties):
        refs.append(ConceptRef(SPECIALTY, code))
        implied |= vocabulary.professions_of(ConceptRef(SPECIALTY, code))
    refs += [
        ConceptRef(PROFESSION, code) for code in sorted(query.professions) if code not in implied
    ]
    refs += [ConceptRef(ACTIVITY, code) for code in sorted(query.activities)]
    refs += [ConceptRef(STRUCTURE, code) for code in sorted(query.structure_types)]
    refs += [ConceptRef(MODALITY, str(code)) for code in sorted(query.modalities)]
    refs += [ConceptRef(LANGUAGE, code) for code in sorted(query.languages)]
    refs += [ConceptRef(PLACE, code) for code in sorted(query.places)]
    return refs
