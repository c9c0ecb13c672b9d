"""The patient's usual professional named in a dispatch request, and who that is.

« son IDE habituelle est Mme Martin », « infirmière habituelle : Paul Durand »,
« kiné référent : @paul:cpts.example », « IDE habituelle : 81012345678 » (an RPPS
number, as on the card). The mention is a profession word (or « professionnel »,
« soignant ») followed by « habituel(le) » or « référent(e) », then the person, up to
the end of the clause (a comma, a semicolon, a new line). In English the keyword comes
first: « usual nurse: Mrs Martin », « the patient's regular physio is @paul:cpts.example ».
Pure: text in, values out;
the name is looked up among the directory's professionals with
:class:`~cpts_bot.features.directory.name_lookup.NameIndex`, as a directory question would be.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from cpts_bot.core.profession_words import find_profession, profession_code
from cpts_bot.core.text_normalizer import fold, tokens
from cpts_bot.features.directory.declared_activity_search import WantedPhrase
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.directory.name_lookup import NameIndex
from cpts_bot.features.directory.wanted_words import NamedRun

_KEYWORD = re.compile(r"(?<![a-z])(?:habituel(?:le)?|referente?)s?(?![a-z])")
_GENERIC = frozenset({"professionnel", "professionnelle", "soignant", "soignante"})
_BEFORE = re.compile(r"(?:(?<![a-z])(?:son|sa|leur|le|la|l')\s*)?(\S+(?:[\s-]\S+)?)\s+$")
_ARTICLE = re.compile(r"(?:(?<![a-z])(?:son|sa|leur|le|la|l')\s*)$")
_LINK = re.compile(
    r"\s*(?:(?:du|de\s+la|de\s+l')\s*(?:patiente?|malade)\s*)?"
    r"(?:(?:est|c'est|sera|is|will\s+be|:|=|->)\s*)?(?:(?:le|la)\s+)?"
)
# « usual nurse », « the patient's regular GP »; a generic word names no profession.
_ENGLISH_KEYWORD = re.compile(
    r"(?<![a-z])(?:(?:the\s+)?patient'?s\s+|(?:his|her|their)\s+)?(?:usual|regular)\s+"
    r"(?=(?P<generic>(?:professional|carer|caregiver)(?![a-z]))?)"
)
# The end of the person's clause; « M. Durand », « Dr. X »: a title's dot is not one.
# « … Mme Martin patient : Mme D. »: the patient's details are never part of the name.
_END = re.compile(
    r"[,;\n(]|//|(?<!\bm)(?<!\bdr)(?<!\bpr)(?<!\bmme)(?<!\bmlle)\.(?:\s|$)"
    r"|(?<![a-z])(?:patiente?|details?|infos?\s+patiente?|prive)\s*:"
)
MATRIX_ID = re.compile(r"@[a-z0-9._=\-/+]+:[a-z0-9.\-]+(?::\d+)?")
_RPPS = re.compile(r"(?<!\d)8?(\d{11})(?!\d)")
_TITLES = frozenset(
    {"mme", "madame", "m", "mr", "monsieur", "mlle", "mademoiselle", "dr", "docteur", "pr"}
    | {"mrs", "ms", "miss", "prof"}
)
NOBODY_WORDS = frozenset(
    {"personne", "aucun", "aucune", "non", "sans", "tous", "tout le monde"}
    | {"nobody", "none", "no one", "no", "everyone", "anyone"}
)


@dataclass(frozen=True)
class UsualMention:
    """Who the request names as usual professional, as typed, and where."""

    typed: str
    start: int
    end: int
    profession: str | None = None  # the profession word before « habituel(le) »


def _profession_before(prefix: str) -> tuple[str, int] | None:
    """The profession word ending ``prefix`` (normalised) and where its clause starts."""
    match = _BEFORE.search(prefix)
    if match is None:
        return None
    words = match.group(1)
    candidates = [(words, match.start(1))]
    for separators in (r"\s", r"[\s']", r"[\s'-]"):
        last = re.split(separators, words)[-1]
        if last != words:
            candidates.append((last, match.end(1) - len(last)))
    for word, start in candidates:
        code = profession_code(word)
        if code is not None or word in _GENERIC:
            article = _ARTICLE.search(prefix[:start])
            return (code or ""), article.start() if article else start
    return None


def _person_after(text: str, folded: str, start: int) -> tuple[str, int]:
    """The person named from ``start`` to the end of the clause, and that end."""
    link = _LINK.match(folded, start)
    who_start = link.end() if link else start
    end_match = _END.search(folded, who_start)
    who_end = end_match.start() if end_match else len(text)
    return text[who_start:who_end].strip(), who_end


def _english_mention(text: str, folded: str) -> UsualMention | None:
    """« usual nurse: Mrs Martin »: the keyword, then the profession, then the person."""
    for keyword in _ENGLISH_KEYWORD.finditer(folded):
        after = folded[keyword.end() :]
        found = find_profession(after)
        generic = keyword.group("generic")
        if found is not None and found.start == 0:
            code, words_end = found.code, found.end
        elif generic is not None:
            code, words_end = None, len(generic)
        else:
            continue
        typed, end = _person_after(text, folded, keyword.end() + words_end)
        if typed:
            return UsualMention(typed, keyword.start(), end, code)
    return None


def find_usual_mention(text: str) -> UsualMention | None:
    """The usual professional named in ``text``, or None."""
    folded = fold(text, keep_positions=True)
    for keyword in _KEYWORD.finditer(folded):
        found = _profession_before(folded[: keyword.start()])
        if found is None:
            continue
        code, start = found
        typed, end = _person_after(text, folded, keyword.end())
        if typed:
            return UsualMention(typed, start, end, code or None)
    return _english_mention(text, folded)


def says_nobody(text: str) -> bool:
    """« personne », « aucun »: the request has no usual professional after all."""
    return re.sub(r"[!.\s]+$", "", fold(text, keep_positions=True).strip()) in NOBODY_WORDS


def resolve_usual(typed: str, candidates: Sequence[Professional]) -> tuple[Professional, ...]:
    """The ``candidates`` ``typed`` names: a Matrix ID, an RPPS number or a name (one:
    found; several: ambiguous; none: unknown)."""
    matrix_id = MATRIX_ID.search(typed.lower())
    if matrix_id:
        wanted = matrix_id.group(0)
        return tuple(p for p in candidates if (p.matrix_id or "").lower() == wanted)
    rpps = _RPPS.search(typed)
    if rpps:
        return tuple(p for p in candidates if p.key == "8" + rpps.group(1))
    words = tokens(typed)
    titled = bool(words) and words[0] in _TITLES
    while words and words[0] in _TITLES:
        words = words[1:]
    if not words:
        return ()
    index = NameIndex.build(candidates)
    match = index.find([_run(words, titled)], contact=False, has_profession=True)
    if match is None:
        # A close spelling of one of the words ("Martn"), the last (the surname) first.
        for position in reversed(range(len(words))):
            match = index.find([_run(words[position:], True)], False, True)
            if match is not None:
                break
    if match is None:
        return ()
    return tuple(candidates[position] for position in sorted(match.positions))


def _run(words: Sequence[str], titled: bool) -> NamedRun:
    return NamedRun(WantedPhrase(tuple(words), tuple(True for _ in words)), after_title=titled)
