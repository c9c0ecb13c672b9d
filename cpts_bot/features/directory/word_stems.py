"""A light French stemmer for matching a question's words with declared activities.

"opération" and "post-opératoires", "rééduc" and "rééducation", "gynéco" and
"gynécologique", "périné" and "périnéale" must meet. A stem is the normalised singular
word without its common derivational ending; two stems match when they are equal or
one is a prefix of the other (the shorter at least :data:`MIN_PREFIX` letters), which
also covers the abbreviations people type ("chimio", "respi", "lymph").
"""

from __future__ import annotations

from functools import lru_cache

from cpts_bot.core.text_normalizer import singular, tokens

MIN_STEM = 4
MIN_PREFIX = 4
# Longest first; a suffix is removed only when MIN_STEM letters remain.
_SUFFIXES = (
    "issements",
    "issement",
    "ications",
    "ication",
    "atrices",
    "ateurs",
    "atoires",
    "atrice",
    "ateur",
    "atoire",
    "ations",
    "ation",
    "ements",
    "ement",
    "iques",
    "ique",
    "istes",
    "iste",
    "ismes",
    "isme",
    "euses",
    "euse",
    "eux",
    "ives",
    "ive",
    "ifs",
    "if",
    "elles",
    "elle",
    "ales",
    "ale",
    "aux",
    "al",
    "ees",
    "ee",
    "es",
    "er",
    "e",
)


@lru_cache(maxsize=8192)  # a question's words are stemmed again at each relaxation step
def stem(word: str) -> str:
    """The stem of one normalised word ("operatoires" -> "oper", "epaule" -> "epaul")."""
    word = singular(word)
    if not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> tuple[str, ...]:
    """The stems of every word of ``text``."""
    return tuple(stem(word) for word in tokens(text))


def stems_match(asked: str, declared: str) -> bool:
    """Whether a question's stem and a declared stem name the same thing."""
    if asked == declared:
        return True
    shorter, longer = sorted((asked, declared), key=len)
    return len(shorter) >= MIN_PREFIX and longer.startswith(shorter)
