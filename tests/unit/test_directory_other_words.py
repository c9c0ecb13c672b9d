"""Declared words a question names differently: concepts, languages, names with marks."""

from dataclasses import replace

from directory_fixtures import lexicon, places

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.declared_activity_search import DeclaredActivityIndex, WantedPhrase
from cpts_bot.features.directory.models import PracticeSite, Professional
from cpts_bot.features.directory.name_or_place import names_over_lone_places
from cpts_bot.features.directory.professional_matcher import DirectoryIndex, search
from cpts_bot.features.directory.query_parser import DirectoryQuery, Lexicon, parse_query
from cpts_bot.features.directory.replies import DirectoryReplies
from cpts_bot.features.directory.wanted_words import segmented_tokens
from cpts_bot.i18n import Translator
from cpts_bot.settings import Commune


def person(position: int, declared: tuple[str, ...], profession: str = "60") -> Professional:
    return Professional(
        key=f"cpts:{position}",
        last_name=f"NAME{position}",
        first_name="Anne",
        profession_code=profession,
        sites=(PracticeSite("69388", "Lyon 8e"),),
        declared_activities=declared,
    )


def concept_phrase(concept: str, *words: str) -> WantedPhrase:
    """Words the parser read as the vocabulary activity ``concept`` (the last one)."""
    content = tuple(len(word) >= 3 for word in words)
    concepts = tuple(frozenset({concept}) if word == words[-1] else frozenset() for word in words)
    return WantedPhrase(words, content, concepts)


def test_a_concept_word_nobody_declares_finds_the_concept_s_other_words() -> None:
    people = [
        person(0, ("accompagnement fin de vie",)),
        person(1, ("soins palliatifs",), profession="10"),
        person(2, ("pansements",)),
    ]
    index = DeclaredActivityIndex.build(people, load_vocabulary())
    nurses = {0, 2}
    asked = [concept_phrase("palliative_care", "soins", "palliatifs")]
    assert index.match(asked, nurses, nurses).positions == {0}


def test_a_concept_word_someone_declares_keeps_its_own_sense() -> None:
    people = [
        person(0, ("bégaiement",), profession="91"),
        person(1, ("dyslexie",), profession="91"),
    ]
    index = DeclaredActivityIndex.build(people, load_vocabulary())
    speech = {0, 1}
    asked = [concept_phrase("language_assessment", "begaiement")]
    assert index.match(asked, speech, speech).positions == {0}


def test_a_language_the_vocabulary_lacks_is_searched_as_a_language() -> None:
    vocabulary = load_vocabulary()
    site = (PracticeSite("69388", "Lyon 8e Arrondissement"),)
    people = [
        replace(person(0, ()), profession_code="70", languages=frozenset({"platt"}), sites=site),
        replace(person(1, ()), profession_code="70", languages=frozenset({"de"}), sites=site),
        replace(person(2, ()), profession_code="70", sites=site),
    ]
    index = DirectoryIndex.build(people, (), vocabulary)
    query = parse_query("un kiné qui parle platt à Lyon 8 ?", lexicon()).query
    result = search(index, query, vocabulary, places())
    assert [match.professional.key for match in result.matches] == ["cpts:0"]
    assert result.query.languages == {"platt"} and not result.unknown_words
    text = DirectoryReplies(vocabulary, places(), Translator("fr")).search_reply(result).text
    assert "parle platt" in text.splitlines()[0]
    # a declared language is no surname and no declared activity: "de" (German) is a code
    assert index.language_words == {"platt"}


def test_a_surname_written_with_a_slash_is_looked_up_whole() -> None:
    vocabulary = load_vocabulary()
    site = (PracticeSite("69388", "Lyon 8e Arrondissement"),)
    people = [
        replace(person(0, ()), last_name="K/DOUNA", profession_code="93", sites=site),
        replace(person(1, ()), last_name="DOUNA", profession_code="93", sites=site),
        replace(person(2, ()), profession_code="93", sites=site),
    ]
    index = DirectoryIndex.build(people, (), vocabulary)
    for text in ("le numéro de Mme K/DOUNA, psychologue ?", "k/douna psychologue"):
        result = search(index, parse_query(text, lexicon()).query, vocabulary, places())
        assert [match.professional.key for match in result.matches] == ["cpts:0"], text
    # a slash with spaces, or between numbers, still cuts the question
    assert segmented_tokens("kiné / IDE le 10/12") == (
        ["kine", "ide", "le", "10", "12"],
        {0, 1, 4},
    )


def test_a_general_word_is_implied_by_a_specific_kind_of_it() -> None:
    people = [
        person(0, ("thérapie par pression négative (VAC)",)),
        person(1, ("thérapie par pression négative (VAC)", "pansements complexes")),
        person(2, ("pansements complexes",)),
        person(3, ("pansements post-opératoires", "soins post-opératoires")),
    ]
    index = DeclaredActivityIndex.build(people, load_vocabulary())
    nurses = {0, 1, 2, 3}
    wound = frozenset({"wound_care"})
    vac = WantedPhrase(("pansement", "vac"), (True, True), (wound, wound))
    # VAC is wound care: whoever declares it answers "pansement VAC"
    assert index.match([vac], nurses, nurses).positions == {0, 1}
    # "post-opératoire" is no kind of wound care: both words are still required
    post_op = WantedPhrase(
        ("pansement", "post", "operatoire"), (True, True, True), (wound, frozenset(), frozenset())
    )
    assert index.match([post_op], nurses, nurses).positions == {3}


def test_a_doctor_s_title_names_a_doctor_only_when_no_profession_is_said() -> None:
    dentist = parse_query("Dr Moreau, dentiste : son numéro ?", lexicon()).query
    assert dentist.professions == {"40"}
    pharmacist = parse_query("le docteur Martin pharmacien à Bron", lexicon()).query
    assert pharmacist.professions == {"21"}
    assert parse_query("Dr Moreau", lexicon()).query.professions == {"10"}
    assert parse_query("Dr Durand pédiatre", lexicon()).query.specialties


def test_a_part_of_the_body_is_no_commune_unless_written_as_one() -> None:
    def outside(text: str) -> set[str]:
        query = parse_query(text, lexicon()).query
        return {insee for mention in query.outside_places for insee in mention.outside}

    assert outside("podologue pour une verrue au talon") == set()  # Talon, Nièvre
    assert outside("kiné pour une fracture au bras") == set()  # Bras, Var
    assert outside("IDE pour une plaie au menton") == set()
    assert outside("pédiatre à Menton") == {"06083"}


def test_a_practice_named_by_its_profession_is_that_profession() -> None:
    for text, code in (
        ("cabinet infirmier accessible PMR à Bron", "60"),
        ("un cabinet de kiné à Bron", "70"),
        ("cabinet dentaire à Bron", "40"),
    ):
        query = parse_query(text, lexicon()).query
        assert query.professions == {code}, text
        assert not [run for run in query.free_runs if any(run.phrase.content)], text
    # "au cabinet" after an activity stays a word of the activity
    blood = parse_query("IDE prise de sang au cabinet à Bron", lexicon()).query
    assert "cabinet" in blood.free_runs[0].phrase.words


def test_a_number_is_a_postal_code_before_an_insee_code() -> None:
    communes = [Commune(insee="13001", name="Aix-en-Provence", postal_codes=["13090", "13100"])]
    here = Lexicon.build(load_vocabulary(), PlaceIndex.build(communes))

    def read(text: str) -> tuple[set[str], set[str]]:
        query = parse_query(text, here).query
        return set(query.places), {i for m in query.outside_places for i in m.outside}

    assert read("kiné 13100") == ({"13001"}, set())
    # 13001 is Aix's INSEE code and the postal code of Marseille 1er, outside
    assert read("kiné 13001") == (set(), {"13201"})


def test_a_surname_of_the_asked_profession_wins_over_a_lone_commune_elsewhere() -> None:
    vocabulary = load_vocabulary()
    site = (PracticeSite("69388", "Lyon 8e Arrondissement"),)
    people = [replace(person(0, ()), last_name="BRUNET", profession_code="50", sites=site)]
    index = DirectoryIndex.build(people, (), vocabulary)

    def read(text: str) -> DirectoryQuery:
        return names_over_lone_places(index, parse_query(text, lexicon()).query)

    named = read("sage-femme Brunet")  # Brunet is also a commune of the Alpes-de-Haute-Provence
    assert not named.outside_places
    result = search(index, named, vocabulary, places())
    assert [match.professional.key for match in result.matches] == ["cpts:0"]
    assert read("sage-femme à Brunet").outside_places  # a place word: the commune
    assert read("kiné Brunet").outside_places  # no physiotherapist of that name


def test_other_doctors_specialties_are_known_and_not_confused() -> None:
    def specialties(text: str) -> set[str]:
        return set(parse_query(text, lexicon()).query.specialties)

    assert specialties("un ORL à Bron") == {"ent"}
    assert specialties("neurologue Bron") == {"neurology"}  # not a misspelt "pneumologue"
    assert specialties("endocrino à Bron") == {"endocrinology"}
    assert specialties("gastro-entérologue Bron") == {"gastroenterology"}
    # after another profession, a specialty's word (even misspelt) describes the activity
    assert specialties("kiné rééducation neurologique à Bron") == set()
    vocabulary = load_vocabulary()
    site = (PracticeSite("69388", "Lyon 8e Arrondissement"),)
    people = [
        replace(
            person(0, ()), profession_code="10", specialty_codes=frozenset({"SM34"}), sites=site
        ),
        replace(
            person(1, ()), profession_code="10", specialty_codes=frozenset({"SM41"}), sites=site
        ),
    ]
    index = DirectoryIndex.build(people, (), vocabulary)
    result = search(index, parse_query("ORL Lyon 8", lexicon()).query, vocabulary, places())
    assert [match.professional.key for match in result.matches] == ["cpts:0"]


def test_verbs_of_doing_are_no_activity_words() -> None:
    query = parse_query("un orthophoniste qui s'occupe du bégaiement à Bron", lexicon()).query
    words = [
        w
        for run in query.free_runs
        for w, c in zip(run.phrase.words, run.phrase.content, strict=True)
        if c
    ]
    assert words == ["begaiement"]


def test_the_territory_s_departement_or_region_is_no_language_nor_commune_elsewhere() -> None:
    communes = [
        Commune(insee="97209", name="Fort-de-France", postal_codes=["97200"]),
        Commune(insee="97213", name="Le Lamentin", postal_codes=["97232"]),
        Commune(insee="2B033", name="Bastia", postal_codes=["20200"]),
    ]
    here = Lexicon.build(load_vocabulary(), PlaceIndex.build(communes))

    def read(text: str) -> DirectoryQuery:
        return parse_query(text, here).query

    corsican = read("kiné à Bastia (Corse)")
    assert corsican.places == {"2B033"} and not corsican.languages
    assert read("médecin qui parle corse").languages == {"co"}
    island = read("IDE en Martinique")
    assert island.places == {"97209", "97213"} and not island.outside_places
    assert read("IDE Fort-de-France (Martinique)").places == {"97209"}


def test_a_question_of_unknown_words_only_finds_nobody_and_never_crashes() -> None:
    vocabulary = load_vocabulary()
    site = (PracticeSite("69388", "Lyon 8e Arrondissement"),)
    index = DirectoryIndex.build([replace(person(0, ("pansements",)), sites=site)], (), vocabulary)
    for text in ("Mme Zorglub", "le numéro de Zorglub ?", "combien de zorglub", "Zorglub"):
        result = search(index, parse_query(text, lexicon()).query, vocabulary, places())
        assert result.total == 0 and result.unknown_words == ("zorglub",), text


def test_the_territory_word_frames_the_place_named_with_it() -> None:
    query = parse_query("kiné à Bron, sur le territoire de la CPTS", lexicon()).query
    assert query.places == {"69029"}
    assert len(parse_query("kiné sur le territoire", lexicon()).query.places) > 1
