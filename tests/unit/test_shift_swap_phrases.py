"""What swap and cover messages mean: requests (French and English, a date, a date and
a part of the day or an hour, « demain », « samedi »), cancellations, overrides."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cpts_bot.core.french_datetime import MomentError
from cpts_bot.core.times import PARIS
from cpts_bot.features.cover.phrases import (
    ERROR_OVERRIDE_FORM,
    ERROR_OVERRIDE_SAME,
    SwapCancel,
    SwapOverride,
    SwapPhraseError,
    SwapRequest,
    parse_swap,
)

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS).astimezone(UTC)  # a Tuesday


def paris(text: datetime) -> str:
    return text.astimezone(PARIS).strftime("%d/%m %H:%M")


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("je cherche un remplaçant pour ma garde du 24/12", "24/12 00:00", "25/12 00:00", "day"),
        (
            "Je cherche une remplaçante pour ma garde du 24 décembre",
            "24/12 00:00",
            "25/12 00:00",
            "day",
        ),
        ("qui peut me remplacer demain ?", "02/12 00:00", "03/12 00:00", "day"),
        ("besoin d'un remplaçant samedi", "05/12 00:00", "06/12 00:00", "day"),
        (
            "je cherche un remplaçant pour ma garde de samedi nuit",
            "05/12 20:00",
            "06/12 08:00",
            "part_of_day",
        ),
        ("je ne peux pas assurer ma garde du 24/12 à 20h", "24/12 20:00", "24/12 20:01", "time"),
        ("qui pourrait prendre ma garde du 24/12 20h ?", "24/12 20:00", "24/12 20:01", "time"),
        ("remplacement pour ma garde du 31/12", "31/12 00:00", "01/01 00:00", "day"),
        ("I need cover for my shift tomorrow night", "02/12 20:00", "03/12 08:00", "part_of_day"),
        ("Can someone take my shift on Saturday?", "05/12 00:00", "06/12 00:00", "day"),
        ("looking for a replacement on 24/12", "24/12 00:00", "25/12 00:00", "day"),
    ],
)
def test_requests_name_the_duty(text: str, start: str, end: str, precision: str) -> None:
    found = parse_swap(text, NOW)
    assert isinstance(found, SwapRequest), found
    assert found.when is not None
    assert (paris(found.when.start), paris(found.when.end), found.when.precision) == (
        start,
        end,
        precision,
    )


def test_a_request_without_a_date_is_understood_but_has_no_time() -> None:
    assert parse_swap("je cherche un remplaçant", NOW) == SwapRequest(None)


def test_a_request_with_an_impossible_date_says_so() -> None:
    found = parse_swap("je cherche un remplaçant pour le 31/02", NOW)
    assert isinstance(found, MomentError)
    assert found.detail == "31 février"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("annuler remplacement 3", 3),
        ("annuler ma demande de remplacement", None),
        ("Annuler remplacement n°12", 12),
        ("je ne cherche plus de remplaçant", None),
        ("cancel cover 2", 2),
    ],
)
def test_cancellations(text: str, number: int | None) -> None:
    assert parse_swap(text, NOW) == SwapCancel(number)


def test_overrides_with_names_or_matrix_ids() -> None:
    named = parse_swap("garde du 24/12 nuit : Mme Martin remplace M. Durand", NOW)
    assert isinstance(named, SwapOverride)
    assert (named.replacement, named.replaced) == ("Martin", "Durand")
    assert paris(named.when.start) == "24/12 20:00"
    for text in (
        "garde du 24/12 nuit : @martin:cpts.test remplace @durand:cpts.test",
        "remplacer @durand:cpts.test par @martin:cpts.test le 24/12 nuit",
        "@martin:cpts.test covers @durand:cpts.test on 24/12 night",
    ):
        found = parse_swap(text, NOW)
        assert isinstance(found, SwapOverride), text
        assert (found.replacement, found.replaced) == ("@martin:cpts.test", "@durand:cpts.test")
        assert paris(found.when.start) == "24/12 20:00", text


def test_overrides_that_cannot_be_read_say_what_is_missing() -> None:
    assert parse_swap("garde de demain : Martin remplace Martin", NOW) == SwapPhraseError(
        ERROR_OVERRIDE_SAME
    )
    assert parse_swap("garde sans date : Martin remplace Durand", NOW) == SwapPhraseError(
        ERROR_OVERRIDE_FORM
    )


@pytest.mark.parametrize(
    "text",
    [
        "qui est de garde ce soir à Hyères ?",
        "mes gardes",
        "je prends",
        "garde @alice:cpts.test IDE Hyères 24/12 20h-8h",
        "kiné à domicile Hyères",
        "le remplaçant du Dr Martin est-il joignable ?",
    ],
)
def test_other_messages_are_not_swaps(text: str) -> None:
    assert parse_swap(text, NOW) is None
