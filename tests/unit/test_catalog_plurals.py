"""Counts use the catalogs' plural forms: no « 1 jours », « 1 placées », « 1 sollicités »
in French nor « 1 days » in English. A message that puts a number before a plural noun
must be a plural entry (msgid_plural) read with ``ngettext``."""

from __future__ import annotations

import re

import pytest

from cpts_bot.features.medecin_traitant.figures import MedecinTraitantFigures
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import load_catalog
from cpts_bot.reporting.medecin_traitant_report import render_medecin_traitant_lines

# Placeholders that hold a number of things (the message ids name them so).
COUNTS = {
    "count",
    "days",
    "hours",
    "minutes",
    "asked",
    "answered",
    "placed",
    "received",
    "waiting",
    "offers",
    "total",
    "n",
    "weeks",
    "months",
    "priority",
}
NUMBER_THEN_WORD = re.compile(r"\{(\w+)\}\s+([^\W\d_][\w'-]*)")


def numbers_before_plural_nouns(text: str) -> list[str]:
    """« {days} jours », « {asked} sollicités »: a count then a word in its plural form."""
    return [
        match.group(0)
        for match in NUMBER_THEN_WORD.finditer(text)
        if match.group(1) in COUNTS and match.group(2).lower().endswith(("s", "x"))
    ]


def test_the_check_sees_a_count_before_a_plural_noun() -> None:
    assert numbers_before_plural_nouns("Délai médian de placement : {days} jours") == [
        "{days} jours"
    ]
    assert numbers_before_plural_nouns("({asked} sollicités)") == ["{asked} sollicités"]
    assert numbers_before_plural_nouns("n°{id} pris par {name}, {minutes} min") == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_count_before_a_plural_noun_outside_a_plural_entry(language: str) -> None:
    found = {
        message: numbers_before_plural_nouns(translation)
        for message, translation in load_catalog(language).items()
        if isinstance(translation, str) and numbers_before_plural_nouns(translation)
    }
    assert found == {}, f"{language}: use ngettext and msgid_plural for {found}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_plural_entry_changes_the_noun_after_each_count(language: str) -> None:
    """« {count} patients en attente depuis plus de {days} jours » is a plural entry for
    {count}, not for {days}: a count whose plural noun is the same in the singular form
    (« 1 patient … plus de 1 jours ») needs a plural form of its own."""
    found = {}
    for message, translation in load_catalog(language).items():
        if isinstance(translation, tuple):
            one, *others = translation
            same = [
                said
                for other in others
                for said in numbers_before_plural_nouns(other)
                if said in numbers_before_plural_nouns(one)
            ]
            if same:
                found[message] = same
    assert found == {}, f"{language}: give these counts a plural form of their own: {found}"


def counts_following_the_wrong_count(forms: tuple[str, ...]) -> list[str]:
    """In a plural entry chosen by ``{count}``, another count whose noun changes from one
    form to the next (« dont {priority} prioritaire » / « prioritaires »): that noun
    follows ``{count}``, not its own number, so « 4 patients (dont 1 prioritaires) »."""
    words = [
        {m.group(1): m.group(2) for m in NUMBER_THEN_WORD.finditer(form) if m.group(1) != "count"}
        for form in forms
    ]
    return sorted(
        f"{{{name}}} {'/'.join(w.get(name, '') for w in words)}"
        for name in set().union(*words)
        if name in COUNTS and len({w.get(name) for w in words}) > 1
    )


def test_the_check_sees_a_second_count_agreeing_with_the_first() -> None:
    assert counts_following_the_wrong_count(
        (
            "{count} patient (dont {priority} prioritaire).",
            "{count} patients (dont {priority} prioritaires).",
        )
    ) == ["{priority} prioritaire/prioritaires"]
    assert (
        counts_following_the_wrong_count(
            ("(dont {count} prioritaire)", "(dont {count} prioritaires)")
        )
        == []
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_count_in_a_plural_entry_agrees_with_its_own_number(language: str) -> None:
    found = {
        message: counts_following_the_wrong_count(translation)
        for message, translation in load_catalog(language).items()
        if isinstance(translation, tuple)
        and "{count}" in (message if isinstance(message, str) else message[0])
        and counts_following_the_wrong_count(translation)
    }
    assert found == {}, f"{language}: give these counts a plural entry of their own: {found}"


def test_one_priority_patient_among_several_is_singular() -> None:
    french = Translator("fr")
    summary = french.ngettext(
        "{count} patient waiting for a médecin traitant {priority}.",
        "{count} patients waiting for a médecin traitant {priority}.",
        4,
        priority=french.ngettext("({count} priority)", "({count} priority)", 1),
    )
    assert summary == "4 patients en attente de médecin traitant (dont 1 prioritaire)."


def figures(median_days: float | None) -> MedecinTraitantFigures:
    return MedecinTraitantFigures(
        received=1,
        placed=1,
        waiting_at_end=0,
        cancelled=0,
        median_days_to_placement=median_days,
        by_commune=[],
        by_priority=[],
        gps_with_room=1,
        places_declared=1,
    )


@pytest.mark.parametrize(
    ("language", "days", "expected"),
    [
        ("fr", 1.0, "Délai médian de placement : 1 jour"),
        ("fr", 3.0, "Délai médian de placement : 3 jours"),
        ("fr", 1.5, "Délai médian de placement : 1,5 jours"),
        ("en", 1.0, "Median time to placement: 1 day"),
        ("en", 0.0, "Median time to placement: 0 days"),
        ("en", 2.5, "Median time to placement: 2.5 days"),
    ],
)
def test_the_median_time_to_placement_says_1_jour(
    language: str, days: float, expected: str
) -> None:
    lines = render_medecin_traitant_lines(figures(days), Translator(language))
    assert expected in lines, lines
    assert not any(re.search(r"(?<![\d,.])1 (?:jours|days)\b", line) for line in lines), lines
