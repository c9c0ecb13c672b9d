"""Places of the territory: the names people use for each commune, built from the config.

Places are not a fixed vocabulary: each CPTS lists its communes (INSEE code, name,
postal codes, aliases such as a former name, localities such as an island, neighbours).
From that list this module derives every form a question may use: "Vénissieux",
"venissieux", "69200", "Lyon 8", "lyon8", "8e", "le 8ème arrondissement",
"Porquerolles" (a locality of Hyères), "Culoz" (the former name of Culoz-Béon).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cpts_bot.domain.text_normalizer import term_key

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
    """Every way of naming a commune of the territory -> INSEE codes."""

    places: dict[str, PlaceInfo] = field(default_factory=dict)
    terms: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)
    # What the place resolver is built from (see place_resolver.py).
    communes: tuple[object, ...] = ()
    sectors: tuple[object, ...] = ()
    territory_name: str = ""

    @classmethod
    def build(
        cls, communes: Iterable[object], sectors: Iterable[object] = (), territory_name: str = ""
    ) -> PlaceIndex:
        """Index ``communes`` (``settings.Commune`` values or anything with the same fields).

        ``sectors`` and ``territory_name`` (``settings.Sector`` values, the territory's
        name) are kept for the place resolver.
        """
        communes = tuple(communes)
        index = cls(communes=communes, sectors=tuple(sectors), territory_name=territory_name)
        for commune in communes:
            info = _place_info(commune)
            index.places[info.insee] = info
            forms = [
                info.name,
                *getattr(commune, "aliases", ()),
                *getattr(commune, "localities", ()),
            ]
            for form in forms:
                for variant in name_variants(form):
                    index._add(variant, info.insee)
            for postal in info.postal_codes:
                index._add((postal,), info.insee)
            index._add((info.insee,), info.insee)
            if info.arrondissement is not None:
                index._add((info.city,), info.insee)  # "Lyon": each arrondissement listed
                for variant in arrondissement_forms(info.city, info.arrondissement):
                    index._add(variant, info.insee)
        return index

    def _add(self, key: tuple[str, ...], insee: str) -> None:
        if key:
            self.terms[key] = self.terms.get(key, frozenset()) | {insee}

    def name(self, insee: str) -> str:
        info = self.places.get(insee)
        return info.name if info else insee

    def neighbours(self, insees: Iterable[str]) -> frozenset[str]:
        """The neighbours of ``insees`` (not including them)."""
        chosen = set(insees)
        result: set[str] = set()
        for insee in chosen:
            info = self.places.get(insee)
            if info:
                result.update(info.neighbours)
        return frozenset(result - chosen)


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


def name_variants(name: str) -> set[tuple[str, ...]]:
    key = term_key(name)
    variants = {key}
    # "Saint-Genis-Laval" is typed "st genis laval"; "Sainte-Foy" "ste foy".
    swaps = {"saint": "st", "sainte": "ste", "st": "saint", "ste": "sainte"}
    if any(word in swaps for word in key):
        variants.add(tuple(swaps.get(word, word) for word in key))
    # Without the article: "La Seyne-sur-Mer" -> "seyne sur mer".
    if len(key) > 1 and key[0] in ("le", "la", "les", "l"):
        variants.add(key[1:])
    return variants


def arrondissement_forms(city: str, number: int) -> set[tuple[str, ...]]:
    ordinal = "1e" if number == 1 else f"{number}e"
    forms: set[tuple[str, ...]] = set()
    for num in (str(number), ordinal):
        forms.add((city, num))
        for word in ("arrondissement", "arr", "arrdt", "arrt"):
            forms.add((city, num, word))
            forms.add((num, word))
    # A bare ordinal ("dans le 8e") names an arrondissement, and "le 8" does in a
    # city's own words; a bare number does not ("8 patients").
    forms.add((ordinal,))
    forms.add(("le", str(number)))
    return {tuple(term_key(" ".join(form))) for form in forms}
