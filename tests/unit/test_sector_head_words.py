"""A sector is named by its head word with an article: « sur le littoral » for
« Secteur littoral », « les coteaux » for « Secteur des coteaux »; never by the bare
word, and « la CPTS », « le territoire » are the whole territory."""

from __future__ import annotations

import pytest
from test_place_resolver import find, inside

from cpts_bot.core.places.resolver import PlaceResolver
from cpts_bot.settings import Commune, Sector

COMMUNES = [
    Commune(insee="29091", name="Kerlouan", postal_codes=["29890"]),
    Commune(insee="29077", name="Guissény", postal_codes=["29880"]),
    Commune(insee="29124", name="Lesneven", postal_codes=["29260"]),
]
SECTORS = [
    Sector(name="Secteur littoral", communes=["29091", "29077"]),
    Sector(name="Secteur des coteaux", communes=["29124"]),
]


@pytest.fixture(scope="module")
def resolver() -> PlaceResolver:
    return PlaceResolver.build(COMMUNES, SECTORS, "CPTS Côte des Légendes")


@pytest.mark.parametrize(
    ("text", "communes"),
    [
        ("un kiné sur le littoral", {"29091", "29077"}),
        ("IDE dans les coteaux", {"29124"}),
        ("secteur des coteaux", {"29124"}),
        ("combien de médecins sur la CPTS", {"29091", "29077", "29124"}),
        ("un dentiste sur le territoire", {"29091", "29077", "29124"}),
    ],
)
def test_a_sector_by_its_head_word(resolver: PlaceResolver, text: str, communes: set) -> None:
    assert inside(find(resolver, text)) == communes


def test_the_bare_head_word_is_no_sector(resolver: PlaceResolver) -> None:
    assert inside(find(resolver, "kiné littoral")) == set()
