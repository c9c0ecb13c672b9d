"""The place resolver on a small synthetic territory: every way of naming a place.

The territory (real INSEE codes, invented grouping): two Lyon arrondissements, Vénissieux
with a locality, Saint-Genis-Laval, the commune nouvelle Culoz-Béon (former communes
Culoz and Béon, from the official list only) and Anglefort, which shares the postal code
01350 with Culoz-Béon and with six communes outside the territory.
"""

from __future__ import annotations

import pytest

from cpts_bot.core.places.context import capitalised_words
from cpts_bot.core.places.resolver import (
    CITY,
    FORMER,
    LOCALITY,
    OUTSIDE,
    SECTOR,
    SHORT,
    TERRITORY,
    PlaceMention,
    PlaceResolver,
)
from cpts_bot.core.text_normalizer import singular, tokens
from cpts_bot.settings import Commune, Sector

COMMUNES = [
    Commune(insee="69387", name="Lyon 7e Arrondissement", postal_codes=["69007"]),
    Commune(insee="69388", name="Lyon 8e Arrondissement", postal_codes=["69008"]),
    Commune(insee="69259", name="Vénissieux", postal_codes=["69200"], localities=["Minguettes"]),
    Commune(insee="69204", name="Saint-Genis-Laval", postal_codes=["69230"]),
    Commune(insee="01138", name="Culoz-Béon", postal_codes=["01350"]),
    Commune(insee="01010", name="Anglefort", postal_codes=["01350"]),
]
SECTORS = [
    Sector(name="Secteur est", aliases=["l'est lyonnais"], communes=["69388", "69259"]),
    Sector(name="Secteur Bugey", communes=["01138", "01010"]),
]
ALL = {"69387", "69388", "69259", "69204", "01138", "01010"}
VOCABULARY = {("kine",), ("domicile",), ("infirmier",), ("sage", "femme"), ("sage",)}


@pytest.fixture(scope="module")
def resolver() -> PlaceResolver:
    return PlaceResolver.build(COMMUNES, SECTORS, "CPTS Rhône Sud")


def find(resolver: PlaceResolver, text: str) -> list[PlaceMention]:
    keys = [singular(word) for word in tokens(text)]
    consumed = [False] * len(keys)
    capitals = capitalised_words(text)
    found = resolver.find(keys, consumed, lambda key: key in VOCABULARY, capitals, tokens(text))
    return found + resolver.find_fuzzy(keys, consumed)


def inside(mentions: list[PlaceMention]) -> set[str]:
    return {insee for mention in mentions for insee in mention.communes}


def outside(mentions: list[PlaceMention]) -> set[str]:
    return {insee for mention in mentions for insee in mention.outside}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kiné à Vénissieux", {"69259"}),
        ("kine venissieux", {"69259"}),
        ("IDE aux Minguettes", {"69259"}),
        ("Saint-Genis-Laval", {"69204"}),
        ("st genis laval", {"69204"}),
        ("kiné à Saint-Genis", {"69204"}),
        ("St Genis", {"69204"}),
        ("culoz beon", {"01138"}),
        ("kiné 69008", {"69388"}),
        ("dans le 8e", {"69388"}),
        ("Lyon 7", {"69387"}),
        ("lyon 8ème arrondissement", {"69388"}),
        ("Lyon 7 ou 8", {"69387", "69388"}),
        ("le 7e et le 8e", {"69387", "69388"}),
        ("Vénissieux ou Saint-Genis-Laval", {"69259", "69204"}),
        ("kiné Venisieux", {"69259"}),  # typo
        ("kiné St Genis Lavall", {"69204"}),  # typo in a name of several words
    ],
)
def test_communes_of_the_territory(resolver: PlaceResolver, text: str, expected: set[str]) -> None:
    mentions = find(resolver, text)
    assert inside(mentions) == expected, mentions
    assert not outside(mentions)


def test_former_communes_come_from_the_official_list(resolver: PlaceResolver) -> None:
    [culoz] = find(resolver, "un kiné à Culoz ?")
    assert (culoz.kind, culoz.typed, culoz.communes) == (FORMER, "Culoz", {"01138"})
    [beon] = find(resolver, "IDE sur Béon")
    assert beon.communes == {"01138"}


def test_a_short_form_keeps_what_was_typed(resolver: PlaceResolver) -> None:
    [mention] = find(resolver, "kiné st genis")
    assert mention.kind == SHORT
    assert mention.communes == {"69204"}


def test_a_locality_stands_for_its_commune(resolver: PlaceResolver) -> None:
    [mention] = find(resolver, "vers les Minguettes")
    assert (mention.kind, mention.typed, mention.communes) == (LOCALITY, "Minguettes", {"69259"})


def test_a_city_without_arrondissement_means_the_territorys_arrondissements(
    resolver: PlaceResolver,
) -> None:
    [mention] = find(resolver, "un généraliste à Lyon")
    assert (mention.kind, mention.name, mention.communes) == (CITY, "Lyon", {"69387", "69388"})


def test_an_arrondissement_outside_with_the_city_named(resolver: PlaceResolver) -> None:
    mentions = find(resolver, "un MG dans le 3e à Lyon (69003) ?")
    assert not inside(mentions)
    assert outside(mentions) == {"69383"}
    assert outside(find(resolver, "kiné Lyon 3e")) == {"69383"}


def test_postal_code_shared_with_outside_communes_means_the_territorys_only(
    resolver: PlaceResolver,
) -> None:
    [mention] = find(resolver, "infirmière 01350")
    assert mention.communes == {"01138", "01010"}
    assert not mention.outside


def test_postal_code_of_the_territory_from_the_official_list() -> None:
    bare = PlaceResolver.build([Commune(insee="69259", name="Vénissieux")])
    assert inside(find(bare, "kiné 69200")) == {"69259"}


@pytest.mark.parametrize(
    ("text", "expected", "name"),
    [
        ("kiné à Villeurbanne", {"69266"}, "Villeurbanne"),
        ("IDE près de Nantes", {"44109"}, "Nantes"),
        ("IDE du côté de Nantes", {"44109"}, "Nantes"),
        ("pédiatre à Aix-en-Provence", {"13001"}, "Aix-en-Provence"),
        ("IDE libérale sur Haute-Goulaine ?", {"44071"}, "Haute-Goulaine"),
        ("kiné haute goulaine", {"44071"}, "Haute-Goulaine"),  # two words: no preposition needed
        ("IDE au Mans", {"72181"}, "Le Mans"),
        ("sage-femme 13005", {"13205"}, "Marseille 5e Arrondissement"),
        ("kiné à St-Étienne", {"42218"}, "Saint-Étienne"),
        ("IDE à Moulins", {"03190"}, "Moulins"),  # an ordinary word, with a capital
        ("pédiatre Villeurbanne", {"69266"}, "Villeurbanne"),  # alone, with a capital
        ("MG près de Sainte-Croix", {"12217"}, "Sainte-Croix"),  # the most populous of them
    ],
)
def test_communes_outside_the_territory(
    resolver: PlaceResolver, text: str, expected: set[str], name: str
) -> None:
    mentions = find(resolver, text)
    assert outside(mentions) == expected, mentions
    assert not inside(mentions)
    assert mentions[0].name == name


def test_a_number_after_an_arrondissement_is_not_always_one(resolver: PlaceResolver) -> None:
    assert inside(find(resolver, "dans le 8e et 2 kinés")) == {"69388"}
    assert not outside(find(resolver, "dans le 8e et 2 kinés"))
    assert outside(find(resolver, "le 8e ou le 3e")) == {"69383"}


def test_inside_and_outside_in_one_question(resolver: PlaceResolver) -> None:
    mentions = find(resolver, "kiné Vénissieux ou Villeurbanne")
    assert inside(mentions) == {"69259"}
    assert outside(mentions) == {"69266"}
    assert mentions[1].kind == OUTSIDE


@pytest.mark.parametrize(
    "text",
    [
        "infirmière sur place",  # Place (Mayenne)
        "IDE à l'hôpital",  # L'Hôpital (Moselle)
        "IDE à l'Hôpital Nord",
        "soins en ville",  # Ville (Oise)
        "au bourg",  # Bourg (Gironde)
        "IDE à moulins",  # Moulins, an ordinary word without a capital
        "kiné à domicile",
        "une sage-femme",
        "coordonnées de Vincent Laval kiné",  # surnames that are communes: no preposition
        "pédiatre villeurbanne",  # one word, no preposition, no capital: not a place
        "le numéro du Dr Laval",  # a title before a capitalised word: a person
        "coordonnées de Laval kiné",
        "IDE Pierre",  # Pierres (Eure-et-Loir) is not what was typed
        "IDE au 2e étage",
        "kiné à Y",  # one-letter commune names need more than a preposition
    ],
)
def test_ordinary_words_are_not_places(resolver: PlaceResolver, text: str) -> None:
    assert find(resolver, text) == []


def test_sectors(resolver: PlaceResolver) -> None:
    [mention] = find(resolver, "kiné secteur est")
    assert (mention.kind, mention.name, mention.communes) == (
        SECTOR,
        "Secteur est",
        {"69388", "69259"},
    )
    assert inside(find(resolver, "IDE dans l'est lyonnais")) == {"69388", "69259"}
    assert inside(find(resolver, "MG sur le secteur Bugey")) == {"01138", "01010"}
    assert inside(find(resolver, "MG sur le secteur du Bugey")) == {"01138", "01010"}


@pytest.mark.parametrize(
    "text", ["sur la CPTS", "tout le territoire", "CPTS Rhône Sud", "sur Rhône Sud", "la cpts"]
)
def test_the_territory_itself(resolver: PlaceResolver, text: str) -> None:
    [mention] = find(resolver, text)
    assert mention.kind == TERRITORY
    assert mention.communes == ALL


def test_a_sector_of_the_cpts_is_the_sector(resolver: PlaceResolver) -> None:
    assert inside(find(resolver, "secteur est de la CPTS Rhône Sud")) == {"69388", "69259"}


def test_a_commune_alias_wins_over_the_territorys_name() -> None:
    # "CPTS Lyon 8" is the territory; "Lyon 8" stays the arrondissement.
    resolver = PlaceResolver.build(COMMUNES, (), "CPTS Lyon 8")
    assert inside(find(resolver, "kiné Lyon 8")) == {"69388"}
    assert inside(find(resolver, "kiné CPTS Lyon 8")) == ALL


def test_names_shared_by_two_communes_of_the_territory() -> None:
    communes = [
        Commune(insee="44009", name="Basse-Goulaine"),
        Commune(insee="44071", name="Haute-Goulaine"),
    ]
    resolver = PlaceResolver.build(communes)
    [mention] = find(resolver, "IDE à Goulaine")
    assert mention.communes == {"44009", "44071"}
    assert mention.kind == SHORT


def test_names_that_are_words_of_the_vocabularies_need_a_place_word() -> None:
    resolver = PlaceResolver.build([Commune(insee="01138", name="Culoz-Béon")])
    vocabulary = lambda key: key == ("culoz",)  # noqa: E731
    assert resolver.find(["culoz"], [False], vocabulary) == []
    [mention] = resolver.find(["a", "culoz"], [False, False], vocabulary)
    assert mention.kind == FORMER
    # A short form that is a word of the vocabularies is never a place.
    resolver = PlaceResolver.build([Commune(insee="44190", name="Saint-Sébastien-sur-Loire")])
    assert resolver.find(["st", "seb"], [False, False], lambda key: key == ("st", "seb")) == []


def test_without_the_official_list_the_territory_is_still_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cpts_bot.core.places import resolver as place_resolver

    def missing() -> None:
        raise FileNotFoundError("communes_fr.tsv.gz")

    monkeypatch.setattr(place_resolver, "load_french_communes", missing)
    resolver = PlaceResolver.build(COMMUNES)
    assert inside(find(resolver, "kiné à Vénissieux")) == {"69259"}
    assert find(resolver, "kiné à Villeurbanne") == []
