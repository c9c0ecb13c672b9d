"""Dispatch, rota and reports read professions and places through the directory's one
vocabulary (professions.yaml) and its place resolver: what the directory knows, they know."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cpts_bot.core.concepts import ConceptKind
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.profession_words import find_profession, profession_code, profession_label
from cpts_bot.core.times import PARIS
from cpts_bot.core.vocabulary_loader import VOCABULARY_DIR, load_vocabulary, load_vocabulary_from
from cpts_bot.features.dispatch.phrases import parse_request
from cpts_bot.features.medecin_traitant.phrases import RegisterError, parse_registration
from cpts_bot.features.rota.phrases import parse_rota_command
from cpts_bot.i18n import Translator
from cpts_bot.reporting.labels import profession_label as report_label
from cpts_bot.settings import RoomsConfig

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
LYON_7, LYON_8, VENISSIEUX, BRON = "69387", "69388", "69259", "69029"


def lyon() -> PlaceIndex:
    config = RoomsConfig.model_validate(
        {
            "territory": {
                "name": "CPTS Lyon Est",
                "communes": [
                    {"insee": LYON_7, "name": "Lyon 7e Arrondissement", "postal_codes": ["69007"]},
                    {"insee": LYON_8, "name": "Lyon 8e Arrondissement", "postal_codes": ["69008"]},
                    {"insee": VENISSIEUX, "name": "Vénissieux", "neighbours": [LYON_8]},
                    {"insee": BRON, "name": "Bron"},
                ],
                "sectors": [{"name": "Secteur Est", "communes": [VENISSIEUX, BRON]}],
            },
            "coordinators": ["@coord:cpts.test"],
            "access": {"servers": ["cpts.test"]},
        }
    )
    return PlaceIndex.from_territory(config.territory)


def test_every_profession_word_of_the_vocabulary_names_its_profession() -> None:
    for concept in load_vocabulary().of_kind(ConceptKind.PROFESSION):
        for term in concept.terms:
            if term in ("dr", "docteur"):
                continue
            assert profession_code(term) == concept.code, term
            found = find_profession(f"besoin d'un {term} demain")
            assert found is not None and found.code == concept.code, term


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Un MG pour une visite", "10"),  # a specialty that names its profession
        ("2 généralistes", "10"),
        ("psy pour un patient", "93"),  # ambiguous: its first profession
        ("Dr Martin demande une IDE", "60"),  # a title is not a profession
        ("masseurs-kinésithérapeutes", "70"),  # each word in the plural
        ("kinésithérapie respiratoire", "70"),  # a word only the vocabulary knew
    ],
)
def test_dispatch_reads_the_vocabulary(text: str, code: str) -> None:
    found = find_profession(text)
    assert found is not None and found.code == code


def test_labels_come_from_the_vocabulary_in_the_reader_s_language() -> None:
    assert profession_label("60", "fr") == "IDE"
    assert profession_label("70", "en") == "physiotherapist"
    assert report_label("60,70", Translator("fr")) == "IDE, kiné"
    assert profession_label("99", "fr") == "99"


def test_dispatch_reads_places_like_the_directory() -> None:
    places = lyon()
    # An arrondissement in the directory's words, with the request's own words kept.
    fields = parse_request("IDE lyon 8e demain 20h pansement", NOW, places)
    assert fields.profession == "60" and fields.communes == [LYON_8]
    assert fields.what == "pansement"
    # A postal code, a sector: the sector stands for each of its communes.
    assert parse_request("IDE 69007 pansement", NOW, places).communes == [LYON_7]
    assert sorted(parse_request("kiné secteur est", NOW, places).communes) == [BRON, VENISSIEUX]
    # A date is not an arrondissement; a commune outside the territory is not one of ours.
    dated = parse_request("IDE le 8 décembre à Bron", NOW, places)
    assert dated.communes == [BRON] and dated.needed_at is not None
    assert parse_request("IDE à Marseille demain", NOW, places).communes == []


def test_rota_and_medecin_traitant_read_the_same_places() -> None:
    places = lyon()
    command = parse_rota_command("qui est de garde IDE à Vénissieux ce soir ?", NOW, places)
    assert not isinstance(command, RegisterError)
    assert getattr(command, "communes", None) == (VENISSIEUX,)
    registration = parse_registration("patient sans médecin traitant, 78 ans, Lyon 8", places)
    assert getattr(registration, "commune", None) == LYON_8
    several = parse_registration("patient sans médecin traitant, 78 ans, secteur est", places)
    assert isinstance(several, RegisterError)


def test_neighbours_go_both_ways() -> None:
    places = lyon()
    assert places.neighbours([LYON_8]) == {VENISSIEUX}
    assert places.neighbours([VENISSIEUX]) == {LYON_8}


def test_a_broken_vocabulary_is_refused(tmp_path: Path) -> None:
    for source in VOCABULARY_DIR.glob("*.yaml"):
        shutil.copy(source, tmp_path / source.name)
    assert load_vocabulary_from(tmp_path) == load_vocabulary()
    professions = tmp_path / "professions.yaml"
    text = professions.read_text("utf-8")
    professions.write_text(text.replace('"profession:96", "profession:94"', '"profession:99"'))
    with pytest.raises(ValueError, match="unknown concept profession:99"):
        load_vocabulary_from(tmp_path)
    professions.write_text(text.replace('code: "21"', 'code: "10"'))
    with pytest.raises(ValueError, match="profession:10 defined twice"):
        load_vocabulary_from(tmp_path)
