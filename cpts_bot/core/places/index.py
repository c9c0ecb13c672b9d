"""The places of the territory, as every feature reads them: the directory, dispatch
requests, the rota (chat and file), the médecin-traitant desk and the reports.

Each CPTS lists its communes in rooms.yaml (INSEE code, name, postal codes, aliases such as
a former name, localities such as an island, neighbours) and its sectors. The one reader
of place names is the :class:`PlaceResolver` built from that list and the official list of
French communes: "Vénissieux", "69200", "Lyon 8", "le 8ème arrondissement", "Porquerolles"
(a locality of Hyères), "Culoz" (the former name of Culoz-Béon), "St Seb", a sector.
:class:`PlaceIndex` holds the communes (names, neighbours) and finds places in a text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cpts_bot.core.places.context import capitalised_words
from cpts_bot.core.places.resolver import OUTSIDE, TERRITORY, PlaceMention, PlaceResolver
from cpts_bot.core.profession_words import Found
from cpts_bot.core.text_normalizer import singular, token_spans
from cpts_bot.core.vocabulary_loader import is_vocabulary_term

# INSEE codes of the arrondissements of the three cities that have them.
_ARRONDISSEMENTS = (
    ("lyon", re.compile(r"^6938([1-9])$"), 1),
    ("marseille", re.compile(r"^132(0[1-9]|1[0-6])$"), 1),
    ("paris", re.compile(r"^751(0[1-9]|1[0-9]|20)$"), 1),
)


@dataclass(frozen=True)
class PlaceInfo:
    """One commune as the directory answers need it."""

    insee: str
    name: str
    postal_codes: tuple[str, ...] = ()
    neighbours: tuple[str, ...] = ()
    city: str = ""
    arrondissement: int | None = None


@dataclass
class PlaceIndex:
    """The territory's communes (by INSEE code) and the one reader of their names."""

    places: dict[str, PlaceInfo] = field(default_factory=dict)
    # What the place resolver is built from (see place_resolver.py).
    communes: tuple[object, ...] = ()
    sectors: tuple[object, ...] = ()
    territory_name: str = ""
    _resolver: PlaceResolver | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls, communes: Iterable[object], sectors: Iterable[object] = (), territory_name: str = ""
    ) -> PlaceIndex:
        """Index ``communes`` (``settings.Commune`` values or anything with the same fields).

        ``sectors`` and ``territory_name`` (``settings.Sector`` values, the territory's
        name) are kept for the place resolver, built on first use.
        """
        communes = tuple(communes)
        index = cls(communes=communes, sectors=tuple(sectors), territory_name=territory_name)
        for commune in communes:
            info = _place_info(commune)
            index.places[info.insee] = info
        return index

    @classmethod
    def from_territory(cls, territory: object) -> PlaceIndex:
        """From a ``settings.Territory`` (communes, sectors and name)."""
        return cls.build(
            getattr(territory, "communes", ()),
            getattr(territory, "sectors", ()),
            str(getattr(territory, "name", "") or ""),
        )

    @property
    def resolver(self) -> PlaceResolver:
        """The one reader of place names for this territory (built on first use)."""
        if self._resolver is None:
            self._resolver = PlaceResolver.build(self.communes, self.sectors, self.territory_name)
        return self._resolver

    def find(self, text: str) -> list[Found]:
        """The territory's communes named in a free text (a dispatch request, a rota line),
        in order, each once, with the span in ``text`` of the words that named it (and of
        the preposition before them: "à Hyères"). A sector or a city stands for each of its
        communes; a commune outside the territory, or a bare number ("le 8"), is none."""
        spans = token_spans(text)
        keys = [singular(word) for word, _, _ in spans]
        consumed = [False] * len(keys)
        capitals = _capitals(text, len(keys))
        words = [word for word, _, _ in spans]
        found: list[Found] = []
        seen: set[str] = set()
        for mention in self.resolver.find(keys, consumed, is_vocabulary_term, capitals, words):
            if not _in_text(mention, keys):
                continue
            first = mention.start
            if first and keys[first - 1] in _PREPOSITIONS:
                first -= 1
            start, end = spans[first][1], spans[mention.end - 1][2]
            for insee in sorted(mention.communes, key=self.name):
                if insee not in seen:
                    seen.add(insee)
                    found.append(Found(insee, start, end))
        return found

    def name(self, insee: str) -> str:
        info = self.places.get(insee)
        return info.name if info else insee

    def neighbours(self, insees: Iterable[str]) -> frozenset[str]:
        """The neighbours of ``insees`` (not including them). Neighbourhood goes both
        ways even when rooms.yaml lists it on one side only."""
        chosen = set(insees)
        result: set[str] = set()
        for insee in chosen:
            info = self.places.get(insee)
            if info:
                result.update(info.neighbours)
        result.update(info.insee for info in self.places.values() if chosen & set(info.neighbours))
        return frozenset(result - chosen)


# Said before a place in a request: "à Hyères", "sur Brest", "vers Lyon", "secteur nord".
_PREPOSITIONS = frozenset({"a", "au", "sur", "vers", "secteur"})


def _in_text(mention: PlaceMention, keys: list[str]) -> bool:
    """A place of the territory named by words: not a commune outside, not the whole
    territory, and not a bare number or ordinal ("le 8", "8e": a date as often as not)."""
    if mention.kind in (OUTSIDE, TERRITORY) or not mention.communes:
        return False
    named = keys[mention.start : mention.end]
    return any(word.isalpha() and word != "le" for word in named) or any(
        len(word) == 5 and word.isdigit() for word in named
    )


def _capitals(text: str, count: int) -> list[bool] | None:
    capitals = capitalised_words(text)
    return capitals if len(capitals) == count else None


def _place_info(commune: object) -> PlaceInfo:
    insee = str(getattr(commune, "insee"))  # noqa: B009 - any object with these fields
    name = str(getattr(commune, "name"))  # noqa: B009
    city, arrondissement = "", None
    for city_name, pattern, group in _ARRONDISSEMENTS:
        match = pattern.match(insee)
        if match:
            city, arrondissement = city_name, int(match.group(group))
    return PlaceInfo(
        insee=insee,
        name=name,
        postal_codes=tuple(getattr(commune, "postal_codes", ()) or ()),
        neighbours=tuple(getattr(commune, "neighbours", ()) or ()),
        city=city,
        arrondissement=arrondissement,
    )
