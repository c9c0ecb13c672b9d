"""Words for professions and places, as used in dispatch and rota messages.

Professions are TRE_G15 codes (the national nomenclature): 60 infirmier, 70 kiné ...
Places are the territory's communes (INSEE codes) from rooms.yaml, by name, alias,
locality or postal code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cpts_bot.domain.catalog_marks import N_
from cpts_bot.domain.text_normalizer import fold

# code -> (English label for the translator, words people type, normalised)
PROFESSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "10": (N_("doctor"), ("medecin", "medecins", "mg", "generaliste", "generalistes")),
    "21": (
        N_("pharmacist"),
        ("pharmacien", "pharmacienne", "pharmaciens", "pharma", "pharmacie", "pharmacies"),
    ),
    "40": (N_("dentist"), ("dentiste", "dentistes", "chirurgien-dentiste")),
    "50": (N_("midwife"), ("sage-femme", "sage femme", "sages-femmes", "sf")),
    "60": (
        N_("nurse"),
        (
            "ide",
            "idel",
            "idels",
            "ides",
            "infirmier",
            "infirmiere",
            "infirmiers",
            "infirmieres",
            "infirmier(e)",
            "inf",
            "infi",
        ),
    ),
    "70": (
        N_("physiotherapist"),
        (
            "kine",
            "kines",
            "kinesitherapeute",
            "kinesitherapeutes",
            "mk",
            "masseur-kinesitherapeute",
            "masseur kinesitherapeute",
        ),
    ),
    "80": (N_("podiatrist"), ("podologue", "podo", "pedicure-podologue", "pedicure")),
    "91": (N_("speech therapist"), ("orthophoniste", "orthophonistes")),
    "92": (N_("orthoptist"), ("orthoptiste", "orthoptistes")),
    "93": (N_("psychologist"), ("psychologue", "psychologues", "psy")),
    "94": (N_("occupational therapist"), ("ergotherapeute", "ergo", "ergos")),
    "95": (N_("dietitian"), ("dieteticien", "dieteticienne", "dietetique")),
    "96": (N_("psychomotor therapist"), ("psychomotricien", "psychomotricienne", "psychomot")),
}

_WORD_TO_CODE: dict[str, str] = {}
for _code, (_label, _words) in PROFESSIONS.items():
    _WORD_TO_CODE[_code] = _code
    for _word in _words:
        _WORD_TO_CODE[_word] = _code
_PROFESSION_PATTERN = re.compile(
    r"(?<![a-z0-9@:])("
    + "|".join(
        re.escape(word)
        for word in sorted(_WORD_TO_CODE, key=len, reverse=True)
        if not word.isdigit()
    )
    + r")(?![a-z0-9])"
)


@dataclass(frozen=True)
class Found:
    """A code found in a text, with the span of the words that named it."""

    code: str
    start: int
    end: int


def profession_label(code: str) -> str:
    """The English label of a profession code (translate it before showing it)."""
    return PROFESSIONS.get(code, (code, ()))[0]


def profession_code(word: str) -> str | None:
    """The code of one profession word ("IDE", "kiné", "60"), or None."""
    return _WORD_TO_CODE.get(fold(word.strip(), keep_positions=True))


def find_profession(text: str) -> Found | None:
    """The first profession named in ``text``."""
    match = _PROFESSION_PATTERN.search(fold(text, keep_positions=True))
    if match is None:
        return None
    return Found(_WORD_TO_CODE[match.group(1)], match.start(1), match.end(1))


@dataclass(frozen=True)
class Place:
    """A commune of the territory with every name it is known by (normalised)."""

    insee: str
    name: str
    names: tuple[str, ...]
    neighbours: tuple[str, ...] = ()


def _place_key(text: str) -> str:
    return re.sub(r"[\s\-']+", " ", fold(text, keep_positions=True)).strip()


class Gazetteer:
    """Finds the territory's communes in a text. Built from rooms.yaml's communes."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places = {place.insee: place for place in places}
        names: dict[str, str] = {}
        for place in self.places.values():
            for name in place.names:
                names.setdefault(_place_key(name), place.insee)
        self._names = names
        alternatives = "|".join(
            re.escape(name).replace("\\ ", r"\s+") for name in sorted(names, key=len, reverse=True)
        )
        self._pattern = (
            re.compile(
                r"(?<![a-z0-9])(?:(?:a|au|sur|secteur|vers)\s+)?(" + alternatives + r")(?![a-z0-9])"
            )
            if names
            else None
        )

    @classmethod
    def from_territory(cls, territory: object) -> Gazetteer:
        """From a ``settings.Territory`` (any object with ``communes`` shaped like it)."""
        places = []
        for commune in getattr(territory, "communes", []):
            names = (
                commune.name,
                commune.insee,
                *commune.postal_codes,
                *commune.aliases,
                *commune.localities,
            )
            places.append(
                Place(commune.insee, commune.name, tuple(names), tuple(commune.neighbours))
            )
        return cls(places)

    def find(self, text: str) -> list[Found]:
        """Every commune named in ``text``, in order, each once; spans in ``text``."""
        if self._pattern is None:
            return []
        # The key mapping collapses separators, so search a text with the same lengths.
        searchable = re.sub(r"[\-']", " ", fold(text, keep_positions=True))
        found: list[Found] = []
        seen: set[str] = set()
        for match in self._pattern.finditer(searchable):
            key = re.sub(r"\s+", " ", match.group(1))
            insee = self._names.get(key)
            if insee and insee not in seen:
                seen.add(insee)
                found.append(Found(insee, match.start(), match.end()))
        return found

    def name(self, insee: str) -> str:
        place = self.places.get(insee)
        return place.name if place else insee

    def neighbours(self, communes: Iterable[str]) -> set[str]:
        """The communes next to ``communes`` (not including them)."""
        communes = set(communes)
        around: set[str] = set()
        for insee in communes:
            place = self.places.get(insee)
            if place:
                around.update(place.neighbours)
        for place in self.places.values():
            # Neighbourhood is symmetric even if rooms.yaml lists it on one side only.
            if communes & set(place.neighbours):
                around.add(place.insee)
        return around - communes
