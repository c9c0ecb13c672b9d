"""Place understanding on the development set (three territories written by others).

Reads ``../shared/devset/queries.jsonl`` next to the repository (``CPTS_DEVSET_DIR``
overrides the folder) and skips, saying so, where it is absent. The territory is
``tests/data/devset_rooms.yaml``: the three territories of the set's README merged into
one, each CPTS and its sectors declared as sectors (for a set on other territories, the
same written from its README: ``devset_rooms.py``). For every question that names a
place, the parsed places (inside the territory, and outside it) must be exactly the
labelled INSEE codes; the score is printed and must reach 95%.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from devset_rooms import rooms_for

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.query_parser import DirectoryQuery, Lexicon, parse_query
from cpts_bot.settings import load_rooms_config

REPO = Path(__file__).resolve().parents[2]
DEVSET = Path(os.environ.get("CPTS_DEVSET_DIR", REPO.parent / "shared" / "devset"))
ROOMS = REPO / "tests" / "data" / "devset_rooms.yaml"
REQUIRED_ACCURACY = 0.95


def queries() -> list[dict[str, Any]]:
    path = DEVSET / "queries.jsonl"
    if not path.exists():
        pytest.skip(f"development set not found at {path} (set CPTS_DEVSET_DIR)")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def rooms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ours for the development set; another set's from its README's snippet."""
    return rooms_for(DEVSET, tmp_path_factory.mktemp("devset-rooms"))


@pytest.fixture(scope="module")
def lexicon(rooms: Path) -> Lexicon:
    territory = load_rooms_config(rooms).territory
    places = PlaceIndex.build(territory.communes, territory.sectors, territory.name)
    return Lexicon.build(load_vocabulary(), places)


def understood(query: DirectoryQuery) -> set[str]:
    outside = {insee for mention in query.outside_places for insee in mention.outside}
    return set(query.places) | outside


def test_the_fixture_is_a_valid_rooms_file() -> None:
    config = load_rooms_config(ROOMS)
    assert len(config.territory.communes) == 12
    assert len(config.territory.sectors) == 8


def test_places_of_the_development_set(lexicon: Lexicon) -> None:
    labelled = [item for item in queries() if item["communes_insee"]]
    wrong = []
    for item in labelled:
        got = understood(parse_query(item["text"], lexicon).query)
        if got != set(item["communes_insee"]):
            wrong.append(
                f"{item['id']} {item['text']!r}: {sorted(got)} != {item['communes_insee']}"
            )
    accuracy = 1 - len(wrong) / len(labelled)
    print(f"\nplaces understood: {len(labelled) - len(wrong)}/{len(labelled)} = {accuracy:.1%}")
    print("\n".join(wrong))
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(wrong)


def test_places_outside_the_territory_are_recognised_as_outside(
    lexicon: Lexicon, rooms: Path
) -> None:
    territory = {commune.insee for commune in load_rooms_config(rooms).territory.communes}
    outside = [
        item
        for item in queries()
        if "ATTENDU VIDE" in item["notes"]
        and item["communes_insee"]
        and not set(item["communes_insee"]) & territory
    ]
    assert outside, "the development set has questions about places outside the territory"
    for item in outside:
        query = parse_query(item["text"], lexicon).query
        assert query.places == frozenset(), item["text"]
        named = {insee for mention in query.outside_places for insee in mention.outside}
        assert named == set(item["communes_insee"]), item["text"]
