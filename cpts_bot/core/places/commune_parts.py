"""Communes the CPTS covers only in part, by postal code.

A CPTS in a big city without arrondissements covers some postal-code areas of it: its
``rooms.yaml`` lists the commune with only those codes (Toulouse with 31200 and 31500).
A commune whose declared postal codes are fewer than the official list gives it is
covered in part: the national extract's lines in its other codes are outside the
territory, and a postal code named in a question means that part only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cpts_bot.core.places.french_communes import FrenchCommunes, load_french_communes


@dataclass(frozen=True)
class CommunePart:
    """The postal codes of a commune the territory covers, and those it does not."""

    insee: str
    name: str
    covered: frozenset[str]
    outside: frozenset[str]


def commune_parts(
    communes: Iterable[object], official: FrenchCommunes | None = None
) -> dict[str, CommunePart]:
    """The territory's communes covered in part (``settings.Commune`` values), by INSEE."""
    official = official or load_french_communes()
    parts: dict[str, CommunePart] = {}
    for commune in communes:
        insee = str(getattr(commune, "insee"))  # noqa: B009
        declared = frozenset(getattr(commune, "postal_codes", ()) or ())
        entry = official.communes.get(insee)
        if entry is None or not declared:
            continue
        every = frozenset(entry.postal_codes)
        if declared & every and every - declared:
            name = str(getattr(commune, "name", entry.name))
            parts[insee] = CommunePart(insee, name, declared & every, every - declared)
    return parts


def unknown_postal_codes(
    communes: Iterable[object], official: FrenchCommunes | None = None
) -> list[tuple[str, str, str]]:
    """(INSEE, name, code) for each declared postal code the official list does not give
    that commune: a typo that would leave its part of the commune out."""
    official = official or load_french_communes()
    found = []
    for commune in communes:
        insee = str(getattr(commune, "insee"))  # noqa: B009
        entry = official.communes.get(insee)
        if entry is None or not entry.postal_codes:
            continue
        for code in getattr(commune, "postal_codes", ()) or ():
            if code not in entry.postal_codes:
                found.append((insee, str(getattr(commune, "name", insee)), code))
    return found


def allowed_postal_codes(parts: Mapping[str, CommunePart]) -> dict[str, frozenset[str]]:
    """INSEE -> the postal codes kept, for the communes covered in part."""
    return {insee: part.covered for insee, part in parts.items()}
