"""Normalisation of what people type."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpts_bot.domain.text_normalizer import normalize, singular, strip_accents, term_key, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kiné à Lyon 8ème ?", ["kine", "a", "lyon", "8e"]),
        ("kine a lyon 8eme", ["kine", "a", "lyon", "8e"]),
        ("Lyon 8ᵉ", ["lyon", "8e"]),
        ("dans le 8 ème", ["dans", "le", "8e"]),
        ("le 8ieme arrondissement", ["le", "8e", "arrondissement"]),
        ("1er arr.", ["1e", "arr"]),
        ("lyon8", ["lyon", "8"]),
        ("enfant 4ans", ["enfant", "4", "ans"]),
        ("Culoz-Béon", ["culoz", "beon"]),
        ("l'infirmière", ["l", "infirmiere"]),
        ("IDEL/MK, SF!", ["idel", "mk", "sf"]),
        ("Œdème du cœur", ["oedeme", "du", "coeur"]),
        ("ＫＩＮÉ", ["kine"]),
        ("69008", ["69008"]),
        ("", []),
        ("?!…", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_normalize_joins_tokens_with_single_spaces() -> None:
    assert normalize("  Soins   PALLIATIFS à domicile\n") == "soins palliatifs a domicile"


def test_strip_accents_keeps_case_and_letters() -> None:
    assert strip_accents("Hyères Châteaudun Vénissieux") == "Hyeres Chateaudun Venissieux"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("infirmieres", "infirmiere"),
        ("kines", "kine"),
        ("hopitaux", "hopital"),
        ("bureaux", "bureau"),
        ("ans", "ans"),
        ("8e", "8e"),
        ("stress", "stress"),
    ],
)
def test_singular(word: str, expected: str) -> None:
    assert singular(word) == expected


def test_term_key_is_the_same_for_plural_and_singular() -> None:
    assert term_key("Sages-femmes") == term_key("sage femme")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_tokens_are_plain_lowercase_ascii(text: str) -> None:
    for word in tokens(text):
        assert word
        assert word.isascii()
        assert word == word.lower()
        assert word.isalnum()
