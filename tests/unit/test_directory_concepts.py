"""A need in the GP's words finds the concept the members declared in theirs: a disease
or symptom for a technique, everyday words for care, a narrower or broader term."""

from __future__ import annotations

from concept_fixtures import ask, names, reply_text

from cpts_bot.core.concepts import ConceptKind, ConceptRef
from cpts_bot.core.vocabulary_loader import load_vocabulary


def test_a_symptom_finds_the_technique() -> None:
    assert names(ask("qui peut s'occuper d'un ongle incarné à Lyon 8 ?")) == {"Lopez"}


def test_everyday_words_find_the_declared_care() -> None:
    assert names(ask("mon patient veut arrêter de fumer, un médecin à Lyon 8 ?")) == {"Jacquet"}
    assert names(ask("IDE pour surveiller la tension à Lyon 8")) == {"Marchal"}


def test_a_general_need_finds_who_declares_a_narrower_one() -> None:
    # « plaie » is broader than « plaies chroniques »: those who declare it answer
    result = ask("infirmière pour une plaie à Lyon 8")
    assert names(result) == {"Klein", "Olivier"}
    assert not any(match.broader for match in result.matches)


def test_a_narrower_need_gets_the_broader_declarations_second_and_says_so() -> None:
    # nobody declares « escarre »; « plaies chroniques » is the broader concept
    result = ask("infirmière pour une escarre à Lyon 8")
    assert names(result) == {"Klein", "Olivier"}
    assert all(match.broader for match in result.matches)
    text = reply_text("infirmière pour une escarre à Lyon 8")
    assert "plus large que la demande : plaies chroniques" in text
    assert text.splitlines()[0].startswith("Personne ne déclare « escarre »"), text
    assert "2 déclarent plus large" in text.splitlines()[0]


def test_a_related_concept_is_proposed_not_answered() -> None:
    # hypnosis and sophrology are related: only proposed, never given as doing it
    result = ask("une infirmière qui fait de l'hypnose à Lyon 8")
    assert names(result) == set()


def test_one_person_is_listed_once_whatever_their_lines() -> None:
    result = ask("kiné à Lyon 8")
    keys = [match.professional.key for match in result.matches]
    assert len(keys) == len(set(keys)) == result.total == 3


def test_the_relations_are_consistent() -> None:
    vocabulary = load_vocabulary()
    for concept in vocabulary.of_kind(ConceptKind.ACTIVITY):
        for code in concept.broader:
            assert vocabulary.get(ConceptRef(ConceptKind.ACTIVITY, code)) is not None
        for code in vocabulary.broader(concept.ref):
            assert concept.code in vocabulary.narrower(ConceptRef(ConceptKind.ACTIVITY, code))
            assert code not in vocabulary.narrower(concept.ref), f"cycle {concept.code}-{code}"


def test_children_and_teenagers_declared_in_words_come_first_for_a_child() -> None:
    for text in ("psychologue pour un ado à Lyon 8", "psychologue pour enfant 6 ans à Lyon 8"):
        result = ask(text)
        assert result.query.children
        assert result.matches[0].professional.last_name == "Noel"  # « enfants et adolescents »
        assert names(result) == {"Daumas", "Escoffier", "Ferrand", "Noel"}  # ranked, not filtered
    assert "reçoit les enfants" in reply_text("psychologue pour un ado à Lyon 8").splitlines()[2]


def test_a_declaration_that_only_looks_childish_is_not_for_children() -> None:
    from concept_fixtures import index

    from cpts_bot.features.directory.models import Professional
    from cpts_bot.features.directory.professional_matcher import _sees_children

    surgeon = Professional(
        key="x",
        last_name="X",
        first_name="Y",
        profession_code="10",
        declared_activities=("petite chirurgie",),
    )
    assert not _sees_children(surgeon, load_vocabulary())
    assert index() is not None


def test_cards_holding_a_code_answer_for_the_concept_and_its_narrower_ones() -> None:
    from directory_fixtures import index as coded_index
    from directory_fixtures import lexicon

    from cpts_bot.features.directory.professional_matcher import search
    from cpts_bot.features.directory.query_parser import parse_query

    def found(text: str) -> list[tuple[str, bool]]:
        query = parse_query(text, lexicon()).query
        result = search(coded_index(), query, lexicon().vocabulary, lexicon().places, 20)
        assert not result.relaxations
        return [(match.professional.last_name, match.broader) for match in result.matches]

    # the cards say « wound_care » (plaies et pansements complexes)
    assert found("infirmière pour un pansement à Lyon 8") == [
        ("Benali", False),
        ("François", False),
        ("Petit", False),
    ]
    assert found("IDE pour une escarre Lyon 8") == [
        ("Benali", True),
        ("François", True),
        ("Petit", True),
    ]


def test_everyday_words_of_the_nursing_and_physiotherapy_families() -> None:
    assert names(ask("kiné pour un mal de dos à Bron")) == {"Quentin"}


def test_a_second_need_nobody_declares_is_set_aside_and_named() -> None:
    result = ask("kiné du sport à Bron pour une entorse de cheville")
    assert names(result) == {"Quentin"}
    assert "entorse" in result.unknown_words


def test_a_role_by_its_abbreviation() -> None:
    assert names(ask("une IPA sur Bron ?")) == {"Renard"}


def test_a_general_word_declared_by_some_still_finds_the_narrower_declarations() -> None:
    # « plaie » is declared by Thomas; « ulcères veineux » is a narrower concept: both
    assert names(ask("infirmière pour une plaie à Bron")) == {"Simon", "Thomas"}


def test_nobody_here_declares_the_need_the_broader_declarations_answer_marked() -> None:
    # « escarre »: declared at Lyon 8 (« plaies chroniques » is broader there too), not
    # at Bron; at Bron the broader « plaies complexes » answers, marked, no widening
    result = ask("infirmière pour une escarre à Bron")
    assert not result.relaxations
    assert [(m.professional.last_name, m.broader) for m in result.matches] == [("Thomas", True)]
