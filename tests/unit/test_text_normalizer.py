"""Normalisation of what people type."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpts_bot.core.text_normalizer import (
    fold,
    normalize,
    singular,
    term_key,
    token_spans,
    tokens,
)


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


def test_fold_lowers_and_strips_accents() -> None:
    assert fold("Hyères Châteaudun Vénissieux") == "hyeres chateaudun venissieux"
    assert fold("Œdème d’Ørsted 8ᵉ") == "oedeme d'orsted 8e"


@pytest.mark.parametrize("text", ["Œdème d’Hyères", "ＫＩＮÉ ﬁn 8ᵉ", "İstanbul ß", "après-demain"])
def test_fold_can_keep_positions(text: str) -> None:
    folded = fold(text, keep_positions=True)
    assert len(folded) == len(text)
    assert folded == folded.lower()
    assert fold("Après-demain à l’hôpital", keep_positions=True) == "apres-demain a l'hopital"


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


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_token_spans_point_into_the_text(text: str) -> None:
    spans = token_spans(text)
    ends = [0]
    for word, start, end in spans:
        assert word and ends[-1] <= start < end <= len(text)
        ends.append(end)


@given(st.text(alphabet="abcdeéèàôç 0123456789-'’", max_size=60))
@settings(max_examples=300)
def test_token_spans_read_the_words_tokens_reads(text: str) -> None:
    assert [word for word, _, _ in token_spans(text)] == tokens(text)


def test_token_spans_cover_what_was_typed() -> None:
    text = "IDE à Lyon 8ème, Cœur"
    assert [text[start:end] for _, start, end in token_spans(text)] == [
        "IDE", "à", "Lyon", "8ème", "Cœur",
    ]  # fmt: skip
