"""The words of a question the vocabularies did not explain, grouped into phrases.

After professions, places, modalities, languages, ages and intent words are read, what
is left ("pour des pansements après une opération de la hanche", "Mme Paugam",
"méthode McKenzie") may name a declared activity or a professional. The words are cut
into runs at every understood word and at punctuation; each run keeps its short words
(for synonyms such as "prise de sang") and flags the words that may be constraints.
A run that follows a title ("Dr", "Mme", "M.") is marked, and so is a run near an age or
the word "patient": a patient's name is a detail, not someone to look up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from cpts_bot.core.text_normalizer import tokens
from cpts_bot.features.directory.declared_activity_search import WantedPhrase

MIN_CONTENT_LENGTH = 3
# "hypnose ou sophrologie", "TCC / hypnose" (a spaced slash is read as "ou"), "kiné ou
# ostéo": the words on either side are alternatives, not all required.
ALTERNATIVE_WORDS = frozenset({"ou", "or"})
# "pr une prise de sang": « pr » before an article is « pour », not « Professeur ».
_ARTICLES = frozenset({"un", "une", "le", "la", "les", "des", "du", "l", "d", "mon", "ma", "mes"})
# A title that is also an SMS word: « pr » is « Professeur » only before a free word.
_SMS_TITLES = frozenset({"pr"})
PATIENT_WINDOW = 4
# "pour Mme Dupont", "ma patiente Mme X", "chez M. Y": the person named is the patient.
_PATIENT_WORDS = frozenset(
    {"patient", "patiente", "patients", "patientes", "mon", "ma", "pour", "chez"}
)
# A slash between two letters joins a name ("K/DOUNA", a Réunion surname); elsewhere
# ("kiné / IDE", "10/12") it cuts the clause.
_BREAKS = re.compile(r"(?:[,;:?!()\[\]\n+|]|(?<![^\W\d_])/|/(?![^\W\d_]))+")


@dataclass(frozen=True)
class NamedRun:
    """A run of free words, with what surrounds it (for name look-up)."""

    phrase: WantedPhrase
    after_title: bool = False
    patient: bool = False


def segmented_tokens(text: str) -> tuple[list[str], set[int]]:
    """The words of ``text`` (as :func:`tokens`) and the indexes starting a new clause."""
    words: list[str] = []
    starts: set[int] = set()
    for segment in _BREAKS.split(text):
        found = tokens(segment)
        if found:
            starts.add(len(words))
            words.extend(found)
    return words, starts


_LETTERS = re.compile(r"[^\W\d_]+")
MAX_TYPED = 80


def typed_forms(text: str) -> tuple[tuple[str, str], ...]:
    """Each normalised word with its spelling as typed, to quote the user's own words."""
    forms: dict[str, str] = {}
    for word in _LETTERS.findall(text[:4000])[:MAX_TYPED]:
        found = tokens(word)
        if len(found) == 1:
            forms.setdefault(found[0], word)
    return tuple(forms.items())


@dataclass(frozen=True)
class FreeWords:
    """The question's words and what the reader made of each."""

    words: list[str]
    free: list[bool]  # not explained by a vocabulary, a place or an age
    codes: dict[int, frozenset[str]]  # words named by an activity concept: its codes
    starts: set[int]  # clause starts
    ages: set[int]  # positions of an age ("67 ans")
    subjects: set[int] = field(default_factory=set)  # positions of profession words


def wanted_runs(
    free_words: FreeWords, stopwords: frozenset[str], titles: frozenset[str]
) -> list[NamedRun]:
    """Runs of free words, with the flags name look-up needs."""
    words, free = free_words.words, free_words.free
    runs: list[NamedRun] = []
    current: list[int] = []
    after_title = False
    either = False  # the next run is an alternative ("hypnose ou sophrologie")

    def close() -> None:
        nonlocal current, after_title, either
        if current:
            run = _run(free_words, current, stopwords, after_title)
            if either:
                run = replace(run, phrase=replace(run.phrase, alternative=True))
                either = False
            runs.append(run)
        current, after_title = [], False

    for index, word in enumerate(words):
        if index in free_words.starts:
            close()
        if word in ALTERNATIVE_WORDS and free[index] and index + 1 < len(words):
            close()
            either = True
            continue
        if word in titles and index + 1 < len(words) and _title_before(words, free, index):
            close()
            after_title = True
            continue
        if free[index] or index in free_words.codes:
            current.append(index)
        elif after_title and not current and word.isalpha():
            current.append(index)  # "Mme Petit": a surname that is also a word
        else:
            title = after_title and not current
            close()
            after_title = title
            either = either and _still_either(runs, free_words.subjects, index, word)
    close()
    return runs


def _title_before(words: list[str], free: list[bool], index: int) -> bool:
    """Whether the title word at ``index`` introduces a name: « pr » (SMS for « pour »)
    before an article or an understood word (« pr enfant 7 ans », « pr kiné ») is no
    « Professeur »."""
    following = words[index + 1]
    if following in _ARTICLES:
        return False
    return words[index] not in _SMS_TITLES or free[index + 1]


def _still_either(runs: list[NamedRun], subjects: set[int], index: int, word: str) -> bool:
    """After « ou », an understood word: whether the next run is still an alternative.

    « ostéo ou kiné »: the words before « ou » are the profession's alternative (marked
    so); « kiné du sport ou kiné pour la cheville »: the profession said again, the runs
    on either side are alternatives."""
    if index not in subjects:
        return word in ALTERNATIVE_WORDS
    if any(position < index for position in subjects if position not in (index,)):
        return True  # the same subject said again
    if runs:
        runs[-1] = replace(runs[-1], phrase=replace(runs[-1].phrase, alternative=True))
    return False


def _run(
    free_words: FreeWords, indexes: list[int], stopwords: frozenset[str], after_title: bool
) -> NamedRun:
    words = free_words.words
    content = tuple(_is_content(words[index], stopwords) for index in indexes)
    concepts = tuple(free_words.codes.get(index, frozenset()) for index in indexes)
    first, last = indexes[0], indexes[-1]
    near_age = any(last < age <= last + PATIENT_WINDOW for age in free_words.ages)
    after_patient = any(
        words[position] in _PATIENT_WORDS for position in range(max(0, first - 2), first)
    )
    phrase = WantedPhrase(tuple(words[index] for index in indexes), content, concepts)
    return NamedRun(phrase, after_title, near_age or after_patient)


def _is_content(word: str, stopwords: frozenset[str]) -> bool:
    if len(word) < MIN_CONTENT_LENGTH or not word.isalpha():
        return False
    return word not in stopwords and (word[:-1] if word.endswith("s") else word) not in stopwords
