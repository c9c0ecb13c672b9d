"""Directory answers as text and HTML, in French and English."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from directory_fixtures import index, lexicon, places
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpts_bot.core.messages import Reply
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.professional_matcher import DirectoryIndex, search
from cpts_bot.features.directory.query_parser import parse_query
from cpts_bot.features.directory.replies import DirectoryReplies
from cpts_bot.i18n import Translator


def renderer(language: str = "fr") -> DirectoryReplies:
    return DirectoryReplies(load_vocabulary(), places(), Translator(language))


def answer(
    text: str, language: str = "fr", page: int = 0, directory: DirectoryIndex | None = None
) -> Reply:
    query = parse_query(text, lexicon()).query
    query = replace(query, page=page)
    result = search(index() if directory is None else directory, query, load_vocabulary(), places())
    return renderer(language).search_reply(result)


def test_answer_first_line_then_matches_with_phone_and_matrix_link() -> None:
    reply = answer("kiné respi à domicile lyon 8")
    lines = reply.text.splitlines()
    assert lines[0] == (
        "1 masseur-kinésithérapeute pour kiné respiratoire, à domicile, Lyon 8e Arrondissement :"
    )
    assert lines[1] == (
        "1. Marie Durand — masseur-kinésithérapeute — Lyon 8e Arrondissement — "
        "04 78 00 00 01 — @marie.durand:cpts.example"
    )
    assert lines[2] == "   ✓ kiné respiratoire, à domicile"
    assert reply.html is not None
    assert '<a href="https://matrix.to/#/@marie.durand:cpts.example">' in reply.html
    assert '<a href="tel:0478000001">04 78 00 00 01</a>' in reply.html


def test_english_rendering() -> None:
    reply = answer("kiné respi à domicile lyon 8", language="en")
    assert reply.text.startswith(
        "1 physiotherapist for respiratory physiotherapy, home visits, Lyon 8e Arrondissement:"
    )


def test_more_line_and_next_page() -> None:
    reply = answer("infirmier")
    assert "4 de plus — écrivez « plus »" in reply.text
    assert reply.text.splitlines()[1].startswith("1. ")
    second = answer("infirmier", page=1)
    assert second.text.splitlines()[1].startswith("6. ")
    assert "de plus" not in second.text
    assert '<ol start="6">' in (second.html or "")


def test_past_the_last_page() -> None:
    reply = answer("kiné respi lyon 8", page=3)
    assert reply.text.startswith("C'est tout")


def test_count_with_breakdown() -> None:
    reply = answer("combien d'infirmiers ?")
    lines = reply.text.splitlines()
    assert lines[0] == "9 professionnels pour infirmier."
    assert lines[1] == "Lyon 8e Arrondissement : 4"
    assert lines[-1] == "Écrivez « plus » pour voir la liste."
    english = answer("combien d'infirmiers ?", language="en")
    assert english.text.splitlines()[0] == "9 professionals for nurse."


def test_singular_count_in_french() -> None:
    assert answer("combien de kiné à Bron").text.startswith("1 professionnel pour")


def test_relaxed_answer_says_what_was_widened() -> None:
    reply = answer("dentiste à domicile chateaudun")
    lines = reply.text.splitlines()
    assert lines[0] == (
        "Personne ne correspond exactement à chirurgien-dentiste, à domicile, Châteaudun."
    )
    assert lines[1] == "En élargissant (sans « à domicile ») : 1 résultat :"
    neighbours = answer("kiné respi à domicile lyon 3")
    assert "communes voisines" in neighbours.text.splitlines()[1]
    assert "(commune voisine)" in neighbours.text


def test_nothing_found_says_what_was_understood_and_tried() -> None:
    reply = answer("kiné à domicile Bron", directory=DirectoryIndex.build([]))
    lines = reply.text.splitlines()
    assert lines[0] == ("Personne dans l'annuaire pour masseur-kinésithérapeute, à domicile, Bron.")
    assert lines[1].startswith("J'ai compris : ")
    assert lines[2].startswith("Essayé aussi : communes voisines")
    assert "coordination" in lines[3]


def test_ambiguous_word_answered_with_every_meaning_and_said() -> None:
    query = parse_query("ortho", lexicon()).query
    result = search(index(), query, load_vocabulary(), places())
    lines = renderer().search_reply(result).text.splitlines()
    assert "« ortho » compris comme : orthophoniste, orthoptiste." in lines[:3]


def test_unknown_words_are_named_not_silently_dropped() -> None:
    query = parse_query("kiné respi à domicile lyon 8 pour une capsulite", lexicon()).query
    result = search(index(), query, load_vocabulary(), places())
    text = renderer().search_reply(result).text
    assert "« capsulite » ne figure dans aucune activité déclarée." in text.splitlines()[:3]


def test_structures_answer() -> None:
    reply = answer("EHPAD Châteaudun")
    assert reply.text.splitlines() == [
        "1 structure pour EHPAD, Châteaudun :",
        "1. EHPAD du Dunois — EHPAD — Châteaudun — 02 37 90 00 02",
    ]
    nearest = answer("EHPAD à Bron")
    assert nearest.text.splitlines()[1] == "Les plus proches :"


def test_see_also_structures_for_an_activity() -> None:
    reply = answer("TND")
    assert reply.text.splitlines()[-1].startswith("Voir aussi : Plateforme TND du Rhône")


def test_children_reason_and_html_escaping() -> None:
    reply = answer("médecin lyon 8 pour un enfant <b>")
    assert "reçoit les enfants" in reply.text
    assert "<b>" not in reply.text
    assert reply.html is not None and "<script" not in reply.html


def test_help_and_nothing_to_continue() -> None:
    assert renderer().help_reply().text.startswith("Demandez-moi qui fait quoi, où")
    assert renderer("en").nothing_to_continue_reply().text.startswith("Nothing to continue")


@settings(
    max_examples=80,
    deadline=timedelta(milliseconds=2000),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(
        st.sampled_from(
            [
                "kiné",
                "ortho",
                "infirmier",
                "à",
                "domicile",
                "Bron",
                "8e",
                "combien",
                "psy",
                "enfant",
                "ehpad",
                "samedi",
                "Porquerolles",
                "TND",
                "plaies",
                "Belley",
                "visio",
                "lyon",
                "😷",
                "MT",
                "plus",
                "x",
            ]
        ),
        max_size=12,
    ),
    st.integers(min_value=0, max_value=30),
    st.sampled_from(["fr", "en"]),
)
def test_any_question_gets_a_non_empty_reply(words: list[str], page: int, language: str) -> None:
    query = parse_query(" ".join(words), lexicon()).query
    query = replace(query, page=page)
    if query.intent in ("find", "count"):
        result = search(index(), query, load_vocabulary(), places())
        reply = renderer(language).search_reply(result)
    else:
        reply = renderer(language).clarification_reply(query)
    assert reply.text.strip()
    assert reply.html


def test_language_reason_and_relaxation_text() -> None:
    reply = answer("médecin qui parle arabe")
    assert "✓ parle arabe" in reply.text
    widened = answer("kiné qui parle anglais à Bron")
    assert widened.text.splitlines()[1] == "En élargissant (sans « parle anglais ») : 1 résultat :"


def test_more_after_a_structures_list_says_that_is_all() -> None:
    assert answer("EHPAD", page=1).text.startswith("C'est tout")


def test_lines_do_not_repeat_what_the_question_fixed() -> None:
    reply = answer("infirmier lyon 8")
    lines = reply.text.splitlines()
    assert lines[0].startswith(f"{lines[0].split()[0]} infirmiers pour Lyon 8e Arrondissement")
    people = [line for line in lines[1:] if line[:1].isdigit()]
    assert len(people) > 1
    assert all("infirmier" not in line and "Lyon 8e" not in line for line in people)
    assert reply.html is not None and 'href="tel:' in reply.html


def test_a_count_of_one_shows_the_person() -> None:
    reply = answer("combien de kinés à Bron ?")
    lines = reply.text.splitlines()
    assert lines[0].startswith("1 professionnel")
    assert "—" in lines[1] and "plus" not in reply.text
    assert reply.html is not None and "tel:" in reply.html
