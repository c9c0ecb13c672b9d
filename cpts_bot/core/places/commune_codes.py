"""Is an INSEE code a real commune? If not, what was probably meant.

Codes in ``rooms.yaml`` and in the CPTS directory file are checked against the official
list shipped with the package (``french_communes.py``). A code that is not a current
commune or arrondissement gets one specific reason:

- a postal code written where the INSEE code goes (« 69008 is the postal code of Lyon
  8e Arrondissement; its INSEE code is 69388 »);
- the code of a former commune, now part of a commune nouvelle (the extract lists its
  professionals under the new commune's code);
- otherwise, the nearest real commune: the fewest changed or swapped digits, then the
  closest number (a typo usually keeps the département).

A real code given with the official name of another commune is named too (a postal code
that happens to be another commune's INSEE code, two codes swapped).
"""

from __future__ import annotations

from collections.abc import Iterable

from cpts_bot.core.places.french_communes import FrenchCommunes, load_french_communes
from cpts_bot.core.text_normalizer import term_key


def commune_code_problem(code: str, communes: FrenchCommunes | None = None) -> str | None:
    """Why ``code`` is not the INSEE code of a commune (None when it is one)."""
    known = communes if communes is not None else load_french_communes()
    if code in known.communes:
        return None
    former = _former(code, known)
    if former is not None:
        name, parent = former
        return (
            f"{code} is the former commune {name}, now part of {known.name(parent)}: use {parent}"
        )
    postal = known.by_postal.get(code)
    if postal:
        targets = " or ".join(f"{insee} ({known.name(insee)})" for insee in postal[:4])
        return f"{code} is a postal code, not an INSEE code: the INSEE code is {targets}"
    nearest = nearest_communes(code, known)
    hint = (
        "; did you mean " + " or ".join(f"{insee} ({known.name(insee)})" for insee in nearest) + "?"
        if nearest
        else ""
    )
    return f"{code} is not the INSEE code of any French commune{hint}"


def commune_name_problem(
    code: str, name: str, communes: FrenchCommunes | None = None
) -> str | None:
    """Why ``code`` is not the commune called ``name`` (None when it is, or when ``name``
    is no official commune name: a local name is the territory's own choice).

    The postal codes of Lyon's, Marseille's and Paris's arrondissements are the INSEE
    codes of other communes (69008, the postal code of Lyon 8e, is Ancy's INSEE code):
    only the name shows the mistake.
    """
    known = communes if communes is not None else load_french_communes()
    named = known.by_name.get(term_key(name), ())
    if code not in known.communes or not named or code in named:
        return None
    meant = named[0]
    if meant in known.by_postal.get(code, ()):
        return (
            f"{code} is the postal code of {known.name(meant)}, whose INSEE code is {meant}"
            f" ({code} is the INSEE code of {known.name(code)})"
        )
    return (
        f"{name!r} is the commune {meant} ({known.name(meant)}), but {code} is the INSEE code"
        f" of {known.name(code)}: give the code of the commune meant"
    )


def unknown_commune_codes(
    codes: Iterable[str], communes: FrenchCommunes | None = None
) -> list[str]:
    """The problem of each code of ``codes`` that is not a commune (in order, once each)."""
    problems = []
    for code in dict.fromkeys(codes):
        problem = commune_code_problem(code, communes)
        if problem is not None:
            problems.append(problem)
    return problems


def nearest_communes(code: str, communes: FrenchCommunes, count: int = 2) -> list[str]:
    """The ``count`` real INSEE codes closest to ``code`` (at most two digits away)."""
    scored = []
    for insee in communes.communes:
        distance = _distance(code, insee)
        if distance <= 2:
            scored.append((distance, _numeric_gap(code, insee), insee))
    scored.sort()
    return [insee for _, _, insee in scored[:count]]


def _former(code: str, communes: FrenchCommunes) -> tuple[str, str] | None:
    for parent, entries in communes.former.items():
        for entry in entries:
            if entry.insee == code:
                return entry.name, parent
    return None


def _distance(first: str, second: str) -> int:
    """Changed digits, an adjacent swap counting as one (codes of the same length)."""
    if len(first) != len(second):
        return len(first) + len(second)
    differences = [index for index, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    swapped = (
        len(differences) == 2
        and differences[1] == differences[0] + 1
        and first[differences[0]] == second[differences[1]]
        and first[differences[1]] == second[differences[0]]
    )
    return 1 if swapped else len(differences)


def _numeric_gap(first: str, second: str) -> int:
    def number(code: str) -> int:
        return int(code.upper().replace("2A", "20").replace("2B", "20")) if code else 0

    try:
        return abs(number(first) - number(second))
    except ValueError:
        return 10**6
