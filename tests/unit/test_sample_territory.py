"""The sample territory is a valid rooms.yaml territory and names its places."""

from __future__ import annotations

from pathlib import Path

import yaml

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.query_parser import Lexicon, parse_query
from cpts_bot.features.directory.sample_directory import generate_directory
from cpts_bot.settings import Territory

SAMPLE = Path(__file__).resolve().parents[2] / "cpts_bot" / "sample" / "territory.yaml"


def territory() -> Territory:
    return Territory.model_validate(yaml.safe_load(SAMPLE.read_text("utf-8"))["territory"])


def test_sample_territory_is_valid_and_neighbours_are_listed_communes() -> None:
    sample = territory()
    codes = {commune.insee for commune in sample.communes}
    assert "69388" in codes
    for commune in sample.communes:
        assert set(commune.neighbours) <= codes, commune.name
        for neighbour in commune.neighbours:
            other = next(c for c in sample.communes if c.insee == neighbour)
            assert commune.insee in other.neighbours, (commune.name, other.name)


def test_sample_places_are_understood() -> None:
    lexicon = Lexicon.build(load_vocabulary(), PlaceIndex.build(territory().communes))
    assert parse_query("kiné Bachut", lexicon).query.places == {"69388"}
    assert parse_query("kiné lyon 6", lexicon).query.places == {"69386"}
    assert parse_query("kiné st priest", lexicon).query.places == {"69290"}


def test_generated_directory_is_deterministic_and_sized() -> None:
    communes = territory().communes
    first = generate_directory(500, communes, seed=3)
    again = generate_directory(500, communes, seed=3)
    assert len(first) == 500
    assert first == again
    assert len({person.key for person in first}) == 500
    assert {site.commune_insee for person in first for site in person.sites} <= {
        commune.insee for commune in communes
    }
    vocabulary = load_vocabulary()
    known = {concept.code for concept in vocabulary.of_kind("activity")}
    assert {code for person in first for code in person.activities} <= known
