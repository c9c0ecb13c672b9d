"""Normalise what people type: lower case, no accents, no punctuation, ordinals unified.

"Kiné à Lyon 8ème ?" and "kine a lyon 8e" normalise to the same tokens, so the
vocabularies only need one spelling of each term.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters NFKD does not decompose into a base letter plus a combining mark.
_SPECIAL_LETTERS = str.maketrans(
    {
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
        "ß": "ss",
        "ø": "o",
        "Ø": "o",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "ı": "i",
    }
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
# "8e", "8eme", "8ieme", "8em", "8è", "1er", "1ere", "2nd": one ordinal form "<n>e".
_ORDINAL = re.compile(r"^(\d{1,2})(?:e|eme|ieme|em|er|ere|nd|nde|d)$")
_ORDINAL_SPLIT = re.compile(r"^(\d{1,2})\s+(?:e|eme|ieme|er|ere)$")


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


# Every reader of a message folds it again (a directory question was folded 33 times on
# its way through the router): the pure functions below are memoised.
_MEMO = 4096


@lru_cache(maxsize=_MEMO)
def fold(text: str, *, keep_positions: bool = False) -> str:
    """The one folding of the bot: lower case, no diacritics, typographic apostrophes as
    "'" ("Kiné d’Hyères" -> "kine d'hyeres").

    By default ligatures and compatibility forms are expanded ("Œdème" -> "oedeme",
    "8ᵉ" -> "8e", "ＫＩＮÉ" -> "kine"). With ``keep_positions`` the result has one
    character for each character of ``text`` (a character that would become several
    keeps its first one, "œ" -> "o"), so spans found in it map back to ``text``.
    """
    if keep_positions:
        return "".join(_fold_char(char) for char in text)
    plain = _strip_accents(text.casefold().translate(_SPECIAL_LETTERS)).casefold()
    return plain.translate(_APOSTROPHES)


@lru_cache(maxsize=_MEMO)
def _fold_char(char: str) -> str:
    lowered = char.lower()
    if len(lowered) != 1:
        lowered = char
    lowered = lowered.translate(_APOSTROPHES).translate(_SPECIAL_LETTERS)[:1]
    base = unicodedata.normalize("NFKD", lowered)[:1] or lowered
    return base.lower() if len(base.lower()) == 1 else base


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with single spaces."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """The words of ``text``: lower case, no accents, letters and digits only.

    Ordinals take one form ("8ème", "8eme", "8ᵉ", "8 ème" -> "8e"); digits are kept;
    digits glued to letters are split ("lyon8" -> "lyon", "8"), except ordinals.
    """
    return list(_tokens(text))


@lru_cache(maxsize=_MEMO)
def _tokens(text: str) -> tuple[str, ...]:
    plain = fold(text)
    raw = [word for word in _NON_WORD.split(plain) if word]
    result: list[str] = []
    for word in raw:
        result.extend(_split_word(word))
    return tuple(_join_split_ordinals(result))


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as :func:`tokens` reads them, each with where it was typed
    (``text[start:end]``), so that a caller can blank out what it understood."""
    folded = fold(text, keep_positions=True)
    spans: list[tuple[str, int, int]] = []
    for raw in re.finditer(r"[a-z0-9]+", folded):
        if raw.group(0).isalpha():
            # The full folding of what was typed ("cœur" -> "coeur"), one word.
            typed = text[raw.start() : raw.end()]
            spans.extend((word, raw.start(), raw.end()) for word in tokens(typed)[:1])
            continue
        for part in _word_parts(raw.group(0)):
            spans.append((part[0], raw.start() + part[1], raw.start() + part[2]))
    joined: list[tuple[str, int, int]] = []
    for word, start, end in spans:
        if (
            joined
            and joined[-1][0].isdigit()
            and len(joined[-1][0]) <= 2
            and _ORDINAL_SPLIT.match(f"{joined[-1][0]} {word}")
        ):
            joined[-1] = (joined[-1][0] + "e", joined[-1][1], end)
        else:
            joined.append((word, start, end))
    return joined


def _word_parts(word: str) -> list[tuple[str, int, int]]:
    """:func:`_split_word` with each part's span in ``word``."""
    if _ORDINAL.match(word) or word.isdigit():
        return [(_split_word(word)[0], 0, len(word))]
    parts = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[a-z]+|\d+", word)]
    out: list[tuple[str, int, int]] = []
    index = 0
    while index < len(parts):
        part, start, end = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        if part.isdigit() and following and _ORDINAL.match(part + following[0]):
            out.append((part + "e", start, following[2]))
            index += 2
            continue
        out.append((part, start, end))
        index += 1
    return out


def _split_word(word: str) -> list[str]:
    ordinal = _ORDINAL.match(word)
    if ordinal:
        return [ordinal.group(1) + "e"]
    if word.isalpha() or word.isdigit():
        return [word]
    # Mixed letters and digits: "lyon8" -> lyon 8, "8eme" handled above, "4ans" -> 4 ans.
    parts = re.findall(r"[a-z]+|\d+", word)
    out: list[str] = []
    for index, part in enumerate(parts):
        following = parts[index + 1] if index + 1 < len(parts) else ""
        if part.isdigit() and following and _ORDINAL.match(part + following):
            out.append(part + "e")
            parts[index + 1] = ""
        elif part:
            out.append(part)
    return out


def _join_split_ordinals(words: list[str]) -> list[str]:
    """ "8 eme" (typed with a space) becomes "8e"."""
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if (
            word.isdigit()
            and len(word) <= 2
            and index + 1 < len(words)
            and _ORDINAL_SPLIT.match(f"{word} {words[index + 1]}")
        ):
            out.append(word + "e")
            index += 2
            continue
        out.append(word)
        index += 1
    return out


@lru_cache(maxsize=_MEMO)
def singular(word: str) -> str:
    """A crude French/English singular, applied alike to vocabulary terms and to text.

    Only used as a matching key, so it needs to be consistent rather than correct:
    "infirmieres" -> "infirmiere", "hopitaux" -> "hopital", "kines" -> "kine".
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("eaux"):
        return word[:-1]
    if word.endswith("aux") and len(word) > 4:
        return word[:-3] + "al"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def term_key(text: str) -> tuple[str, ...]:
    """The matching key of a vocabulary term: its singular tokens."""
    return tuple(singular(word) for word in tokens(text))


# ------------------------------------------------------------------ phone French

# Words as people type them on a phone (folded), and what they stand for.
_LOOSE_WORDS = {
    "c": "c'est",
    "cest": "c'est",
    "ki": "qui",
    "koi": "quoi",
    "ke": "que",
    "d": "de",
    "we": "week-end",
    "wk": "week-end",
    "weekend": "week-end",
    "dem1": "demain",
    "dm1": "demain",
    "dmain": "demain",
    "2main": "demain",
    "auj": "aujourd'hui",
    "ajd": "aujourd'hui",
    "tt": "tout",
    "ts": "tous",
    "tte": "toute",
    "tlm": "tout le monde",
    "pr": "pour",
    "ds": "dans",
    "ss": "sans",
    "av": "avec",
    "qqn": "quelqu'un",
    "qqun": "quelqu'un",
    "qq1": "quelqu'un",
    "nvx": "nouveaux",
    "nx": "nouveaux",
    "nv": "nouveau",
    "nvelle": "nouvelle",
    "nvle": "nouvelle",
    "nvl": "nouvelle",
    "mt": "médecin traitant",
    "pt": "patient",
    "pte": "patiente",
    "sam": "samedi",
    "dim": "dimanche",
    "ven": "vendredi",
    "rdv": "rendez-vous",
    "chui": "je suis",
    "jsuis": "je suis",
}
# « jpeux », « j'peux », « jcherche »: the subject glued to a common verb.
_GLUED_SUBJECT = re.compile(
    r"^j'?(peux|pourrai|pourrais|cherche|veux|voudrais|suis|fais|prends|ai|serai|vais)$"
)
# Politeness and apologies: they carry nothing a command reads.
_POLITE = re.compile(
    r"\b(?:svp|stp|s'?il\s+(?:te|vous)\s+pla[iî]t|merci(?:\s+d'avance)?|d[eé]sol[eé]e?s?|dsl)\b"
    r"[\s,.!]*",
    re.I,
)
_WORD = re.compile(r"[\w'-]+")


def loosen(text: str) -> str:
    """``text`` with the loose forms of phone French spelt out (« c ki de garde dem1 stp »
    -> « c'est qui de garde demain »): SMS abbreviations, a subject glued to its verb,
    politeness removed. Words it does not know keep their spelling, accents and case."""

    def spell(match: re.Match[str]) -> str:
        word = match.group(0)
        folded = fold(word)
        if folded in _LOOSE_WORDS:
            return _LOOSE_WORDS[folded]
        glued = _GLUED_SUBJECT.match(folded)
        return f"je {glued.group(1)}" if glued else word

    spelt = _WORD.sub(spell, _POLITE.sub(" ", text))
    return " ".join(spelt.split()).strip(" ,")
