"""Lists are ORs: « hypnose ou sophrologie », « TCC / hypnose », « kiné ou ostéo »."""

from __future__ import annotations

from concept_fixtures import ask, names, reply_text
from directory_fixtures import lexicon

from cpts_bot.features.directory.query_parser import parse_query


def test_two_activities_joined_by_ou_are_either() -> None:
    result = ask("hypnose ou sophrologie à Lyon 8 ?")
    assert names(result) == {"Daumas", "Escoffier"}


def test_a_slash_between_two_activities_is_an_or() -> None:
    result = ask("psychologue TCC / hypnose / sophrologie Lyon 8")
    assert names(result) == {"Daumas", "Escoffier"}


def test_an_or_list_reads_as_or_in_the_reply() -> None:
    first = reply_text("hypnose ou sophrologie à Lyon 8 ?").splitlines()[0]
    assert "hypnose ou sophrologie" in first


def test_a_profession_or_an_activity_is_either() -> None:
    # every kiné of Lyon 8, and anyone who declares osteopathy
    assert names(ask("kiné ou ostéo à Lyon 8 ?")) == {"Abadie", "Bertin", "Hamel"}


def test_two_professions_joined_by_ou_are_both_answered() -> None:
    query = parse_query("kiné ou ostéo ou infirmière à Lyon 8", lexicon()).query
    assert {"60", "70"} <= query.professions


def test_a_misspelt_word_keeps_its_first_letter() -> None:
    # « sophrologie » is no misspelt « néphrologie »
    query = parse_query("sophrologie à Lyon 8", lexicon()).query
    assert not query.specialties


def test_without_ou_every_phrase_is_still_required() -> None:
    # « hypnose, sophrologie » (a comma): both phrases must match; nobody declares both
    assert names(ask("psychologue hypnose, sophrologie à Lyon 8")) == set()


def test_an_activity_or_a_profession_in_either_order() -> None:
    assert names(ask("ostéo ou kiné à Lyon 8 ?")) == {"Abadie", "Bertin", "Hamel"}


def test_the_same_profession_said_on_both_sides_of_ou() -> None:
    assert names(ask("kiné du sport ou kiné pour des œdèmes à Bron")) == {"Carle", "Quentin"}
