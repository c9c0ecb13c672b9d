"""A small directory in the CPTS's own words, on the test territory (tests/data)."""

from __future__ import annotations

from functools import cache

from directory_fixtures import lexicon, places

from cpts_bot.features.directory.models import Modality, PracticeSite, Professional
from cpts_bot.features.directory.professional_matcher import DirectoryIndex, SearchResult, search
from cpts_bot.features.directory.query_parser import parse_query
from cpts_bot.features.directory.replies import DirectoryReplies
from cpts_bot.i18n import Translator

LYON_8 = "69388"
BRON = "69029"

# key, last name, profession, specialty, commune, declared activities, languages
PEOPLE = [
    ("p1", "Abadie", "70", "", LYON_8, ("rééducation du genou", "méthode Mézières"), ()),
    ("p2", "Bertin", "70", "", LYON_8, ("rééducation du genou",), ()),
    ("p3", "Carle", "70", "", BRON, ("drainage des œdèmes",), ()),
    ("p4", "Daumas", "93", "", LYON_8, ("hypnose ericksonienne",), ()),
    ("p5", "Escoffier", "93", "", LYON_8, ("sophrologie",), ("ar",)),
    ("p6", "Ferrand", "93", "", LYON_8, ("thérapies brèves",), ()),
    ("p7", "Gimenez", "60", "", LYON_8, ("soins palliatifs",), ("ar",)),
    ("p8", "Hamel", "70", "", LYON_8, ("ostéopathie",), ()),
    ("p9", "Imbert", "92", "", LYON_8, (), ()),
    ("p10", "Jacquet", "10", "SM54", LYON_8, ("tabacologie",), ("ar",)),
    ("p11", "Klein", "60", "", LYON_8, ("plaies chroniques",), ()),
    ("p12", "Lopez", "80", "", LYON_8, ("podologie",), ()),
    ("p13", "Marchal", "60", "", LYON_8, ("suivi de l'hypertension",), ()),
    ("p14", "Noel", "93", "", LYON_8, ("enfants et adolescents",), ()),
    ("p15", "Olivier", "60", "", LYON_8, ("pansements", "plaies chroniques"), ()),
    ("p16", "Quentin", "70", "", BRON, ("lombalgies", "kiné du sport"), ()),
    ("p17", "Renard", "60", "", BRON, ("infirmière en pratique avancée",), ()),
    ("p18", "Simon", "60", "", BRON, ("ulcères veineux",), ()),
    ("p19", "Thomas", "60", "", BRON, ("plaies complexes",), ()),
]


def _person(row: tuple) -> Professional:
    key, last, profession, specialty, insee, declared, languages = row
    site = PracticeSite(commune_insee=insee, commune_name=places().name(insee))
    return Professional(
        key=key,
        last_name=last,
        first_name="Alex",
        profession_code=profession,
        specialty_codes=frozenset({specialty} if specialty else ()),
        sites=(site, site),  # two lines in the same commune: listed once
        modalities=frozenset({Modality.HOME_VISITS}) if profession == "60" else frozenset(),
        languages=frozenset(languages),
        declared_activities=declared,
    )


@cache
def index() -> DirectoryIndex:
    return DirectoryIndex.build([_person(row) for row in PEOPLE], (), lexicon().vocabulary)


def ask(text: str) -> SearchResult:
    query = parse_query(text, lexicon()).query
    return search(index(), query, lexicon().vocabulary, lexicon().places, page_size=50)


def names(result: SearchResult) -> set[str]:
    """The people named as matching (a widened answer names nobody as matching)."""
    return set() if result.relaxations else {m.professional.last_name for m in result.matches}


def reply_text(text: str, language: str = "fr") -> str:
    vocabulary = lexicon().vocabulary
    replies = DirectoryReplies(vocabulary, lexicon().places, Translator(language))
    return replies.search_reply(ask(text)).text
