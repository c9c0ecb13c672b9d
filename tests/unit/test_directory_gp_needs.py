"""A need in the GP's words: never the whole profession as matching when part of it is
not understood, the patient's age is no activity word, a situation (post-partum) is the
context of a need, and the lay words of common needs are known. Examples of our own."""

from __future__ import annotations

from functools import cache

import pytest
from directory_fixtures import lexicon, places

from cpts_bot.features.directory.models import PracticeSite, Professional
from cpts_bot.features.directory.professional_matcher import DirectoryIndex, SearchResult, search
from cpts_bot.features.directory.query_parser import parse_query

LYON_8 = "69388"
PEOPLE = [
    ("k1", "Arnaud", "70", ("rééducation du genou", "rééducation respiratoire")),
    ("k2", "Berger", "70", ("rééducation pelvi-périnéale",)),
    ("k3", "Colin", "70", ("rééducation de l'épaule",)),
    ("s1", "Dumont", "50", ("rééducation périnéale du post-partum",)),
    ("o1", "Étienne", "91", ("troubles des apprentissages : dyscalculie",)),
    ("o2", "Fabre", "91", ("rééducation de la voix de l'enfant",)),
    ("d1", "Giraud", "95", ("régime sans gluten",)),
    ("d2", "Hubert", "95", ("sportifs de haut niveau",)),
    ("y1", "Joly", "93", ("épuisement professionnel",)),
    ("y2", "Lacroix", "93", ("troubles anxieux",)),
    ("i1", "Mercier", "60", ("pansements complexes au domicile",)),
    ("c1", "Navarro", "40", ("implantologie",)),
    ("y3", "Perrin", "93", ("accompagnement du deuil",)),
]


@cache
def _index() -> DirectoryIndex:
    people = []
    for key, last, profession, declared in PEOPLE:
        site = PracticeSite(commune_insee=LYON_8, commune_name=places().name(LYON_8))
        people.append(
            Professional(
                key=key,
                last_name=last,
                first_name="Alex",
                profession_code=profession,
                sites=(site,),
                declared_activities=declared,
            )
        )
    return DirectoryIndex.build(people, (), lexicon().vocabulary)


def _ask(text: str) -> SearchResult:
    query = parse_query(text, lexicon()).query
    return search(_index(), query, lexicon().vocabulary, lexicon().places, page_size=50)


def _named(result: SearchResult) -> set[str]:
    return set() if result.relaxations else {m.professional.last_name for m in result.matches}


def test_a_known_need_nobody_declares_is_not_answered_by_its_kind_of_care() -> None:
    # Every kiné declares « rééducation »; nobody declares the vestibular one.
    result = _ask("kiné pr rééduc vestibulaire")
    assert result.need_missing and _named(result) == set()


def test_a_need_in_words_nobody_declares_does_not_list_the_profession_as_matching() -> None:
    result = _ask("diététicienne pour une gastroparésie")
    assert result.need_missing and _named(result) == set()
    assert result.relaxations  # the widened list comes after « Personne ne déclare »


def test_a_patient_detail_still_does_not_widen() -> None:
    result = _ask("diététicienne pour une patiente grabataire")
    assert not result.need_missing
    assert _named(result) == {"Giraud", "Hubert"}


def test_words_not_said_as_a_need_do_not_widen() -> None:
    for text in ("Pourriez-vous m'indiquer une diététicienne ?", "une diét pour ma maman"):
        result = _ask(text)
        assert not result.need_missing, text
        assert _named(result) == {"Giraud", "Hubert"}, text


def test_a_word_of_the_profession_s_own_field_is_a_detail_not_a_need() -> None:
    result = _ask("dentiste pour une rage de dents")
    assert not result.need_missing
    assert _named(result) == {"Navarro"}


def test_the_patient_age_is_no_activity_word() -> None:
    result = _ask("orthophoniste pr enfant 9 ans dyscalculique")
    assert result.query.children
    assert _named(result) == {"Étienne"}


@pytest.mark.parametrize(
    ("text", "child"),
    [
        ("sage-femme pour une patiente enceinte de 6 mois", False),
        ("sf pour 8 mois de grossesse", False),
        ("kiné pour une cervicalgie depuis 4 mois", False),
        ("kiné pour une lombalgie il y a 3 ans", False),
        ("kiné pour un nourrisson de 4 mois", True),
        ("mg pour une fillette de 6 ans", True),
        ("psy pour une collégienne harcelée", True),
        ("orthophoniste pour un écolier", True),
    ],
)
def test_a_duration_or_a_pregnancy_term_is_no_child_age(text: str, child: bool) -> None:
    assert parse_query(text, lexicon()).query.children is child


def test_work_distress_is_related_to_mental_health_not_answered_by_it() -> None:
    result = _ask("psy pour souffrance au travail")
    assert {m.professional.last_name for m in result.matches} == {"Joly"}


def test_an_elderly_patient_is_an_age_not_an_activity_to_declare() -> None:
    result = _ask("infirmière pour une personne âgée")
    assert not result.need_missing and not result.query.activities
    assert _named(result) == {"Mercier"}
    falls = parse_query("kiné prévention des chutes du sujet âgé", lexicon()).query
    assert falls.activities == {"falls"}


def test_bereavement_is_not_answered_by_every_mental_health_declaration() -> None:
    result = _ask("psychologue pour un veuf")
    assert {m.professional.last_name for m in result.matches} == {"Perrin"}


def test_pr_before_an_understood_word_is_pour_not_a_title() -> None:
    result = _ask("ortho pr bebe")
    assert result.query.children
    assert all("bebe" not in run.phrase.content_words for run in result.query.free_runs)


def test_after_childbirth_is_the_context_of_the_perineal_need() -> None:
    result = _ask("rééduc du plancher pelvien post-partum, kiné ou sage-femme ?")
    assert _named(result) == {"Berger", "Dumont"}


def test_the_perineal_need_finds_the_pelvic_declaration() -> None:
    assert _named(_ask("un kiné pour le périnée après un accouchement")) == {"Berger"}


def test_a_lay_word_of_a_food_intolerance_finds_the_gluten_free_diet() -> None:
    assert _named(_ask("diét pour intolérance au gluten")) == {"Giraud"}


def test_work_distress_finds_its_declaration_not_every_mental_health_one() -> None:
    result = _ask("psychologue burnout")
    assert {m.professional.last_name for m in result.matches if not m.broader} == {"Joly"}


def test_complex_dressings_answer_a_chronic_wound_second_and_marked() -> None:
    result = _ask("une IDE pour un ulcère variqueux ?")
    assert [(m.professional.last_name, m.broader) for m in result.matches] == [("Mercier", True)]


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("psychologue pour un burnout", "work_distress"),
        ("psychologue souffrance au travail", "work_distress"),
        ("psy apres une fausse couche", "perinatal_grief"),
        ("diet maladie celiaque", "celiac_disease"),
        ("dieteticienne intolerance au lactose", "food_intolerance"),
        ("ergo pour enfant dyspraxique", "neurodevelopmental"),
        ("orthophoniste dyscalculie", "language_assessment"),
        ("mg fibromyalgie", "chronic_pain"),
        ("kine pour une tendinite", "tendinopathy"),
        ("kine fuites urinaires", "perineal_rehab"),
        ("kine pour vppb", "vestibular"),
        ("mg addicto cannabis", "addiction"),
        ("psy hyperphagie", "eating_disorders"),
        ("ide soins de confort fin de vie", "palliative_care"),
        ("psy insomniaque", "sleep"),
        ("psy pour un collegien harcele", "harassment"),
        ("kine apres un avc", "neuro_rehab"),
        ("orthophoniste pour un enfant qui begaye", "language_assessment"),
        ("sage femme pour une ivg", "abortion"),
        ("mg bouffees de chaleur", "menopause"),
        ("sf pour un frottis", "cervical_screening"),
        ("kine bebe tete plate", "plagiocephaly"),
        ("ide pour un patient stomise", "ostomy"),
        ("psy pr idees suicidaires", "suicidal_crisis"),
        ("kine a dom pr bpco", "copd"),
        ("sf pour une maman qui allaite", "postnatal"),
        ("orthoptiste pour un enfant qui louche", "orthoptic_rehab"),
        ("dieteticienne pour un patient denutri", "weight"),
        ("psy pour un joueur pathologique", "addiction"),
        ("pharmacie qui fait les trod", "rapid_tests"),
        ("ide pour mettre les bas de contention", "compression"),
        ("ide pour une gastrostomie", "enteral_feeding"),
        ("ide soins de tracheo", "tracheostomy"),
        ("ide pour la distribution des medicaments", "medication_administration"),
        ("kine apres une prothese de hanche", "orthopaedic_rehab"),
        ("pharmacie qui loue des bequilles", "medical_equipment"),
        ("psychomot enfant agite", "neurodevelopmental"),
    ],
)
def test_lay_words_of_common_needs_name_their_concept(text: str, concept: str) -> None:
    assert concept in parse_query(text, lexicon()).query.activities
