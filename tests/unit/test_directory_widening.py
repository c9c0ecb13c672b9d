"""When nobody declares the need, the first line says so and offers what is declared
near it, with counts, before any list of people who do not do it."""

from __future__ import annotations

from concept_fixtures import ask, names, reply_text


def test_a_need_nobody_declares_says_so_first_with_the_closest_and_counts() -> None:
    text = reply_text("kiné qui fait de la méthode McKenzie à Lyon 8")
    first = text.splitlines()[0]
    assert first.startswith("Personne ne déclare « méthode McKenzie »"), text
    assert "les plus proches" in first
    assert "méthode Mézières (1)" in first  # a declared activity near it, with its count


def test_the_widened_list_comes_after_and_names_nobody_as_matching() -> None:
    result = ask("kiné qui fait de la méthode McKenzie à Lyon 8")
    assert result.need_missing
    assert names(result) == set()
    lines = reply_text("kiné qui fait de la méthode McKenzie à Lyon 8").splitlines()
    assert "sans « méthode McKenzie »" in lines[1]  # what was widened is named, never « »


def test_the_closest_are_counted_where_the_gp_asked_first() -> None:
    result = ask("kiné pour la rééducation de la hanche à Lyon 8")
    assert result.need_missing or names(result) == set()
    texts = dict(result.closest)
    assert texts.get("rééducation du genou") == 2  # both Lyon 8 kinés who declare it


def test_a_declared_need_is_not_reported_missing() -> None:
    result = ask("kiné pour rééducation du genou à Lyon 8")
    assert not result.need_missing
    assert names(result) == {"Abadie", "Bertin"}
    assert "Personne" not in reply_text("kiné pour rééducation du genou à Lyon 8")


def test_english_reply_says_nobody_declares() -> None:
    text = reply_text("kiné qui fait de la méthode McKenzie à Lyon 8", "en")
    assert text.startswith("Nobody declares “méthode McKenzie”")


def test_words_nobody_declares_with_only_a_place_do_not_list_everyone_there() -> None:
    result = ask("quelqu'un pour un toilettage canin à Lyon 8 ?")
    assert result.total == 0 and result.need_missing
    first = reply_text("quelqu'un pour un toilettage canin à Lyon 8 ?").splitlines()[0]
    assert first.startswith("Personne ne déclare « toilettage canin »"), first


def test_what_follows_qui_fait_is_a_need_not_a_detail() -> None:
    result = ask("kiné qui pratique le zorglubisme à Lyon 8")
    assert result.need_missing and names(result) == set()


def test_a_patient_detail_nobody_declares_is_still_set_aside() -> None:
    result = ask("infirmière à Lyon 8 pour une patiente alitée")
    assert not result.need_missing
    assert {"Gimenez", "Klein", "Marchal", "Olivier"} <= names(result)
