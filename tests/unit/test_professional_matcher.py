"""Search over the in-memory directory index: ranking, reasons, pages, relaxation."""

from __future__ import annotations

from directory_fixtures import directory, index, lexicon, places

from cpts_bot.core.concepts import ConceptRef
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.models import Modality, PracticeSite, Professional
from cpts_bot.features.directory.professional_matcher import (
    NEIGHBOUR,
    DirectoryIndex,
    Relaxation,
    SearchResult,
    search,
)
from cpts_bot.features.directory.query_parser import DirectoryQuery, Intent, parse_query


def ask(text: str, page: int = 0) -> SearchResult:
    query = parse_query(text, lexicon()).query
    if page:
        from dataclasses import replace

        query = replace(query, page=page)
    return search(index(), query, load_vocabulary(), places())


def names(result: SearchResult) -> list[str]:
    return [match.professional.last_name for match in result.matches]


def test_exact_match_with_reasons() -> None:
    result = ask("kiné respi à domicile lyon 8")
    assert names(result) == ["Durand"]
    assert result.total == 1
    assert not result.relaxations
    assert result.matches[0].reasons == (
        ConceptRef("profession", "70"),
        ConceptRef("activity", "respiratory_physio"),
        ConceptRef("modality", "home_visits"),
        ConceptRef("place", "69388"),
    )


def test_inactive_professionals_are_not_found() -> None:
    assert "Ancien" not in names(ask("kiné à domicile lyon 8"))


def test_specialty_codes_are_grouped() -> None:
    # SM54 and SM53 are both general practice.
    assert names(ask("généraliste lyon 8")) == ["Lefèvre", "Roux"]


def test_profession_without_specialty_filter_includes_specialists() -> None:
    assert set(names(ask("médecin lyon 8"))) == {"Lefèvre", "Roux", "Fournier", "Girard"}


def test_a_professional_with_two_sites_is_found_at_each_and_shown_at_the_asked_one() -> None:
    result = ask("infirmier plaies lyon 8")
    assert "François" in names(result)
    match = next(m for m in result.matches if m.professional.last_name == "François")
    assert match.site is not None and match.site.commune_insee == "69388"
    assert "François" in names(ask("infirmier lyon 3"))


def test_pages_of_five_and_remaining() -> None:
    first = ask("infirmier")
    assert first.total == 9
    assert len(first.matches) == 5
    assert first.remaining == 4
    second = ask("infirmier", page=1)
    assert len(second.matches) == 4
    assert second.remaining == 0
    assert not set(names(first)) & set(names(second))
    assert names(first) + names(second) == sorted(
        names(first) + names(second), key=lambda n: n.lower()
    )


def test_count_with_breakdown_by_commune() -> None:
    result = ask("combien d'infirmiers ?")
    assert result.total == 9
    breakdown = dict(result.breakdown)
    assert breakdown["69388"] == 4  # Laura François counts in both her communes
    assert breakdown["69383"] == 1
    assert result.breakdown[0] == ("69388", 4)


def test_count_in_a_place() -> None:
    result = ask("combien de kiné à Bron")
    assert result.total == 1
    assert result.breakdown == (("69029", 1),)


def test_nothing_in_the_commune_widens_to_neighbours() -> None:
    result = ask("kiné respi à domicile lyon 3")
    assert result.relaxations == (Relaxation.NEIGHBOURS,)
    assert set(names(result)) == {"Durand", "Muller"}
    assert all(
        ConceptRef(NEIGHBOUR, m.site.commune_insee) in m.reasons for m in result.matches if m.site
    )


def test_nothing_with_the_modality_drops_it_and_says_so() -> None:
    result = ask("dentiste à domicile chateaudun")
    assert result.relaxations == (Relaxation.DROP_MODALITIES,)
    assert result.dropped == (ConceptRef("modality", "home_visits"),)
    assert names(result) == ["Meunier"]


def test_related_professions_when_the_profession_is_absent() -> None:
    result = ask("orthoptiste Bron")
    # No orthoptist in Bron nor its neighbours but one in Lyon 8 (a neighbour).
    assert names(result) == ["Bonnet"]
    assert result.relaxations == (Relaxation.NEIGHBOURS,)
    result = ask("orthoptiste Belley")
    assert result.relaxations in ((Relaxation.RELATED_PROFESSIONS,), (Relaxation.WHOLE_TERRITORY,))


def test_activity_with_another_profession() -> None:
    # Nobody among kinés does wound care; the nurses who do are offered.
    result = ask("kiné plaies complexes à Vénissieux")
    assert result.relaxations == (Relaxation.RELATED_PROFESSIONS,)
    assert names(result) == ["Haddad"]
    assert ConceptRef("profession", "70") in result.dropped


def test_several_relaxations_when_one_is_not_enough() -> None:
    result = ask("pédicure à domicile téléconsultation à Châteaudun")
    assert result.total > 0
    assert len(result.relaxations) >= 1


def test_children_first_when_the_patient_is_a_child() -> None:
    result = ask("médecin lyon 8 pour un enfant")
    assert names(result)[0] == "Fournier"
    assert ConceptRef("children", "") in result.matches[0].reasons


def test_structures_by_type_and_place() -> None:
    result = ask("EHPAD Châteaudun")
    assert [s.structure.name for s in result.structures] == ["EHPAD du Dunois"]
    nearest = ask("EHPAD à Bron")
    assert [s.structure.name for s in nearest.structures] == ["EHPAD Les Tilleuls"]


def test_activity_search_offers_related_structures() -> None:
    result = ask("TND")
    assert result.total == 4
    assert [s.structure.name for s in result.structures] == ["Plateforme TND du Rhône"]


def test_empty_directory_still_answers_with_what_was_tried() -> None:
    empty = DirectoryIndex.build([])
    query = parse_query("kiné à domicile Bron", lexicon()).query
    result = search(empty, query, load_vocabulary(), places())
    assert result.total == 0
    assert not result.found
    assert Relaxation.NEIGHBOURS in result.relaxations


def test_place_only_lists_everyone_there() -> None:
    result = ask("Saint-Fons")
    assert names(result) == ["Da Silva"]


def test_index_counts_active_professionals_only() -> None:
    professionals, _ = directory()
    assert len(index()) == sum(1 for person in professionals if person.active)


def test_modality_filter_is_exact() -> None:
    site = PracticeSite("69388", "Lyon 8e")
    people = [
        Professional("1", "A", "a", "70", sites=(site,), modalities=frozenset({Modality.SATURDAY})),
        Professional("2", "B", "b", "70", sites=(site,)),
    ]
    small = DirectoryIndex.build(people)
    query = DirectoryQuery(
        Intent.FIND, professions=frozenset({"70"}), modalities=frozenset({Modality.SATURDAY})
    )
    result = search(small, query, load_vocabulary(), places())
    assert [m.professional.key for m in result.matches] == ["1"]


def test_language_filter_and_reason() -> None:
    result = ask("médecin qui parle arabe")
    assert names(result) == ["Belkacem"]
    assert ConceptRef("language", "ar") in result.matches[0].reasons


def test_language_is_dropped_last_resort_after_neighbours() -> None:
    result = ask("kiné qui parle anglais à Bron")
    assert result.relaxations == (Relaxation.DROP_LANGUAGES,)
    assert result.dropped == (ConceptRef("language", "en"),)
