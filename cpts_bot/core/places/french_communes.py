"""The communes of France, from the official list shipped with the package.

``geography/communes_fr.tsv.gz`` is written by ``scripts/build_communes.py`` from the npm
package ``@etalab/decoupage-administratif`` (INSEE's Code officiel géographique and La
Poste's postal codes, Licence Ouverte); its header names the version. It holds the
current communes, the former communes of communes nouvelles (communes déléguées and
associées, each with the commune it now belongs to) and the arrondissements of Paris,
Lyon and Marseille. :func:`load_french_communes` reads it once per process.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cpts_bot.core.places.forms import saint_variants
from cpts_bot.core.text_normalizer import term_key

COMMUNES_FILE = Path(__file__).parent / "geography" / "communes_fr.tsv.gz"
CURRENT = "C"
FORMER = "D"
ARRONDISSEMENT = "A"


@dataclass(frozen=True)
class OfficialCommune:
    """One line of the official list."""

    kind: str  # CURRENT, FORMER or ARRONDISSEMENT
    insee: str
    name: str
    department: str
    postal_codes: tuple[str, ...]
    parent: str  # FORMER: the commune it belongs to; ARRONDISSEMENT: the city
    population: int


@dataclass
class FrenchCommunes:
    """Current communes and arrondissements by INSEE code, name and postal code."""

    source: str = ""
    communes: dict[str, OfficialCommune] = field(default_factory=dict)
    former: dict[str, list[OfficialCommune]] = field(default_factory=dict)  # by parent
    by_postal: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_name: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    arrondissements: dict[str, list[OfficialCommune]] = field(default_factory=dict)  # by city

    @classmethod
    def build(cls, entries: Iterable[OfficialCommune], source: str = "") -> FrenchCommunes:
        """Index ``entries``; a name shared by several communes lists the most populous first."""
        found = cls(source=source)
        names: dict[tuple[str, ...], list[OfficialCommune]] = {}
        postal: dict[str, list[str]] = {}
        for entry in entries:
            if entry.kind == FORMER:
                found.former.setdefault(entry.parent, []).append(entry)
                target = entry.parent
            else:
                found.communes[entry.insee] = entry
                target = entry.insee
                for code in entry.postal_codes:
                    postal.setdefault(code, []).append(entry.insee)
                if entry.kind == ARRONDISSEMENT:
                    found.arrondissements.setdefault(entry.parent, []).append(entry)
            names.setdefault(term_key(entry.name), []).append(
                OfficialCommune(entry.kind, target, entry.name, "", (), "", entry.population)
            )
        for key in list(names):
            # "St-Étienne", "Ste Maxime": the usual abbreviations of Saint and Sainte.
            for variant in saint_variants(key) - {key}:
                names.setdefault(variant, names[key])
        for key, items in names.items():
            ordered = sorted(items, key=lambda item: (item.kind == FORMER, -item.population))
            found.by_name[key] = tuple(dict.fromkeys(item.insee for item in ordered))
        found.by_postal = {code: tuple(insees) for code, insees in postal.items()}
        for city, parts in found.arrondissements.items():
            name = found.communes[city].name if city in found.communes else ""
            for part in parts:
                number = _arrondissement_number(part.name)
                if name and number:
                    for form in (f"{name} {number}", f"{name} {number}e"):
                        found.by_name.setdefault(term_key(form), (part.insee,))
        return found

    def name(self, insee: str) -> str:
        commune = self.communes.get(insee)
        return commune.name if commune else insee

    def city_of(self, insee: str) -> str:
        """The city of an arrondissement ("" for a commune)."""
        commune = self.communes.get(insee)
        return commune.parent if commune and commune.kind == ARRONDISSEMENT else ""


def _arrondissement_number(name: str) -> int | None:
    for word in name.split():
        digits = re.match(r"^(\d{1,2})(?:er|e|eme)$", word)
        if digits:
            return int(digits.group(1))
    return None


def parse_communes_file(lines: Iterable[str]) -> list[OfficialCommune]:
    """The entries of the shipped file (``#`` lines are the header)."""
    entries = []
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        kind, insee, name, department, postal, parent, population = line.rstrip("\n").split("\t")
        entries.append(
            OfficialCommune(
                kind,
                insee,
                name,
                department,
                tuple(code for code in postal.split(",") if code),
                parent,
                int(population) if population else 0,
            )
        )
    return entries


@cache
def load_french_communes(path: Path = COMMUNES_FILE) -> FrenchCommunes:
    """The official list, read and indexed once per process."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    header = next((line for line in lines if line.startswith("# source:")), "")
    return FrenchCommunes.build(parse_communes_file(lines), header.removeprefix("# source: "))
