"""The CPTS directory file in its own words: import, re-import, search, vocabulary file."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from directory_fixtures import lexicon, places

from cpts_bot.core.vocabulary_extension import (
    VocabularyFileError,
    extend_vocabulary,
    load_cpts_vocabulary,
)
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.declared_activity_search import DeclaredActivityIndex, WantedPhrase
from cpts_bot.features.directory.models import Modality, PracticeSite, Professional
from cpts_bot.features.directory.name_lookup import NameIndex
from cpts_bot.features.directory.professional_matcher import DirectoryIndex, search
from cpts_bot.features.directory.query_parser import parse_query
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.directory.wanted_words import NamedRun
from cpts_bot.importers.directory_csv import import_directory_csv
from cpts_bot.settings import check_config, load_rooms_config
from cpts_bot.storage.database import Database

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
FILE = (
    "id,last_name,first_name,profession_code,commune_insee,activities,modalities,languages\n"
    "ide-1,MARTIN,Anne,60,69388,plaies complexes;Prises de sang au cabinet;massage shiatsu,"
    "domicile;nouveaux_patients;le mercredi,anglais;LSF;comorien\n"
    "ide-2,LEROY,Paul,60,69388,prélèvements à domicile;wound_care,acces_pmr,\n"
)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


async def test_words_are_kept_verbatim_and_reimport_changes_nothing(
    tmp_path: Path, database: Database
) -> None:
    path = tmp_path / "directory.csv"
    path.write_text(FILE, encoding="utf-8")
    vocabulary = load_vocabulary()
    first = await import_directory_csv(database, path, NOW, vocabulary=vocabulary)
    assert not first.rejected
    assert first.unlinked == {"le mercredi": 1, "massage shiatsu": 1}
    assert any("massage shiatsu" in line for line in first.lines())
    async with database.transaction() as connection:
        anne = await DirectoryRepository(connection).get_professional("cpts:ide-1")
        paul = await DirectoryRepository(connection).get_professional("cpts:ide-2")
    assert anne is not None and paul is not None
    assert anne.declared_activities == (
        "plaies complexes",
        "Prises de sang au cabinet",
        "massage shiatsu",
        "le mercredi",
    )
    assert anne.modalities == {Modality.HOME_VISITS, Modality.NEW_PATIENTS}
    assert anne.languages == {"en", "fsl", "zdj"}
    assert paul.activities == {"wound_care"} and paul.modalities == {Modality.WHEELCHAIR_ACCESS}
    second = await import_directory_csv(database, path, NOW, vocabulary=vocabulary)
    assert second.cards_changed == 0 and second.field_changes == 0


def person(position: int, declared: tuple[str, ...], **fields: object) -> Professional:
    base = Professional(
        key=f"cpts:{position}",
        last_name=str(fields.get("last_name", f"NAME{position}")),
        first_name=str(fields.get("first_name", "Anne")),
        profession_code=str(fields.get("profession", "60")),
        sites=(PracticeSite("69388", "Lyon 8e"),),
        declared_activities=declared,
    )
    return base


def phrase(*words: str) -> WantedPhrase:
    return WantedPhrase(words, tuple(len(word) >= 3 for word in words))


def test_declared_words_found_by_stem_typo_and_synonym() -> None:
    people = [
        person(0, ("Prises de sang au cabinet",)),
        person(1, ("prélèvements à domicile",)),
        person(2, ("Rééducation de l'épaule",), profession="70"),
        person(3, ("rééducation respiratoire",), profession="70"),
        person(4, ("orthonyxie",), profession="80"),
    ]
    index = DeclaredActivityIndex.build(people, load_vocabulary())
    everyone = set(range(len(people)))
    blood = index.match([phrase("prise", "de", "sang")], None, everyone)
    assert blood.positions == {0, 1}  # synonym group: prélèvement
    shoulder = index.match([phrase("reeduc", "de", "l", "epaule")], None, everyone)
    assert shoulder.positions == {2}  # covers the most words
    nail = index.match([phrase("ongle", "incarne")], None, everyone)
    assert nail.positions == {4}
    typo = index.match([phrase("orthonixie")], None, everyone)
    assert typo.positions == {4}
    detail = index.match([phrase("epaule", "droite", "capsulite")], None, everyone)
    assert detail.positions == {2} and set(detail.unknown) == {"droite", "capsulite"}


def test_name_lookup_whole_surnames_first_names_titles() -> None:
    people = [
        person(0, (), last_name="TOUSSAINT", first_name="Fabrice", profession="10"),
        person(1, (), last_name="DUBOST-TOUSSAINT", first_name="Gaëlle"),
        person(2, (), last_name="LE GUEN", first_name="Marie", profession="93"),
    ]
    names = NameIndex.build(people)

    def run(*words: str, title: bool = False, patient: bool = False) -> NamedRun:
        return NamedRun(phrase(*words), after_title=title, patient=patient)

    found = names.find([run("fabrice", "toussaint")], contact=False, has_profession=False)
    assert found is not None and found.positions == {0}
    assert names.find([run("dubost")], contact=True, has_profession=True) is None
    guen = names.find([run("le", "guen", title=True)], contact=False, has_profession=False)
    assert guen is not None and guen.positions == {2}
    typo = names.find([run("toussant", title=True)], contact=False, has_profession=False)
    assert typo is not None and typo.positions == {0}
    assert names.find([run("toussaint", patient=True)], contact=True, has_profession=True) is None


def test_cpts_vocabulary_file_adds_synonyms_terms_and_concepts() -> None:
    base = load_vocabulary()
    data = {
        "synonyms": [["TROD", "test rapide d'orientation diagnostique"]],
        "terms": {"language:ar": ["darija"]},
        "activities": [
            {"code": "feldenkrais_method", "terms": ["feldenkrais", "methode feldenkrais"]}
        ],
    }
    extended = extend_vocabulary(base, data, "cpts-vocabulary.yaml")
    assert extended.synonyms[-1] == ("TROD", "test rapide d'orientation diagnostique")
    assert "darija" in extended.concepts[("language", "ar")].terms
    assert ("activity", "feldenkrais_method") in extended.concepts
    with pytest.raises(VocabularyFileError, match=r"cpts-vocabulary\.yaml: unknown key"):
        extend_vocabulary(base, {"synonym": []}, "cpts-vocabulary.yaml")
    with pytest.raises(VocabularyFileError, match="language:xx is not a concept"):
        extend_vocabulary(base, {"terms": {"language:xx": ["a"]}}, "cpts-vocabulary.yaml")
    assert replace(base) == base


def test_vocabulary_file_is_read_relative_to_the_rooms_file_and_checked(tmp_path: Path) -> None:
    rooms = (Path(__file__).resolve().parents[1] / "data" / "devset_rooms.yaml").read_text(
        encoding="utf-8"
    )
    (tmp_path / "rooms.yaml").write_text(rooms + "vocabulary_file: mots.yaml\n", "utf-8")
    (tmp_path / "mots.yaml").write_text("synonyms:\n  - [TROD, test rapide]\n", "utf-8")
    config = load_rooms_config(tmp_path / "rooms.yaml")
    assert config.vocabulary_file == tmp_path / "mots.yaml"
    assert load_cpts_vocabulary(config.vocabulary_file).synonyms[-1] == ("TROD", "test rapide")
    (tmp_path / "mots.yaml").write_text("synonyms:\n  - [seul]\n", "utf-8")
    problems = check_config(None, tmp_path / "rooms.yaml")
    assert any(p.key == "vocabulary_file" and "two words" in p.message for p in problems)


def _kines() -> DirectoryIndex:
    shoulder = person(0, ("Rééducation de l'épaule",), last_name="BERNARD", profession="70")
    namesake = person(1, ("rééducation respiratoire",), last_name="CASTAGNET", profession="70")
    return DirectoryIndex.build([shoulder, namesake], (), load_vocabulary())


def _ask(text: str, directory: DirectoryIndex) -> list[str]:
    query = parse_query(text, lexicon()).query
    result = search(directory, query, load_vocabulary(), places())
    return [match.professional.last_name for match in result.matches]


def test_a_patient_named_like_a_professional_is_not_looked_up() -> None:
    directory = _kines()
    assert _ask("Mme Castagnet : quel kiné fait la rééduc de l'épaule ?", directory) == ["BERNARD"]
    assert _ask("kiné lyon 8 pour Mme Castagnet", directory) == ["BERNARD", "CASTAGNET"]
    assert _ask("le numéro de Mme Castagnet, kiné", directory) == ["CASTAGNET"]
    assert _ask("Anne Castagnet kiné épaule", directory) == ["CASTAGNET"]


def test_mode_of_practice_filters_on_the_site_in_the_place_asked() -> None:
    def nurse(position: int, *sites: tuple[str, str]) -> Professional:
        return replace(
            person(position, (), last_name=f"NURSE{position}"),
            sites=tuple(PracticeSite(insee, "", mode=mode) for insee, mode in sites),
        )

    directory = DirectoryIndex.build(
        [
            nurse(0, ("69388", "L")),
            nurse(1, ("69388", "S")),
            nurse(2, ("69388", "S"), ("69029", "L")),  # libérale at Bron, salariée here
            nurse(3, ("69388", "")),  # mode unknown (a CPTS's own entry): not excluded
        ],
        (),
        load_vocabulary(),
    )
    assert _ask("infirmière libérale lyon 8", directory) == ["NURSE0", "NURSE3"]
    assert _ask("IDE salariées, pas des libérales, lyon 8", directory) == [
        "NURSE1",
        "NURSE2",
        "NURSE3",
    ]


def test_a_generic_word_alone_does_not_answer_a_specific_request() -> None:
    people = [
        person(0, ("rééducation respiratoire",), profession="70"),
        person(1, ("rééducation de l'épaule",), profession="70"),
        person(2, ("rééducation vestibulaire",), profession="70"),
    ]
    index = DeclaredActivityIndex.build(people, load_vocabulary())
    kines = {0, 1, 2}
    asked = [phrase("reeducation", "vestibulaire")]
    assert index.match(asked, kines, kines).positions == {2}
    # Where nobody does vestibular rehabilitation, "rééducation" alone gives nobody.
    assert index.match(asked, kines, {0, 1}).positions == set()


def test_a_short_declared_word_is_not_a_longer_asked_one() -> None:
    people = [
        person(0, ("bilan du langage oral",), profession="91"),
        person(1, ("troubles de l'oralité",), profession="91"),
        person(2, ("drainage lymphatique",), profession="70"),
    ]
    index = DeclaredActivityIndex.build(people, load_vocabulary())
    everyone = {0, 1, 2}
    assert index.match([phrase("oralite")], None, everyone).positions == {1}
    assert index.match([phrase("lymph")], None, everyone).positions == {2}
