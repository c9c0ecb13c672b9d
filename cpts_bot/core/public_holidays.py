"""French public holidays (jours fériés) for the territory, from the `holidays` package.

The general French calendar has eleven public holidays; Alsace-Moselle adds Good Friday
(Vendredi saint) and Saint Stephen's Day (26 December), and each overseas département
or collectivité has its own days (the abolition of slavery: 27 April in Mayotte, 22 May
in Martinique, 27 May in Guadeloupe, 10 June in French Guiana, 20 December in La
Réunion...). Which calendar applies is derived from the départements of the territory's
communes (the first two characters of an INSEE code, three overseas); ``rooms.yaml`` may
set it explicitly (``territory.public_holidays``), and must when the communes straddle two
calendars. Pure: dates in, names out (the package computes, it reads nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

import holidays

GENERAL = "metropole"  # the general French calendar (no subdivision)
# Département (as in INSEE codes) -> the `holidays` package's France subdivision.
SUBDIVISION_OF_DEPARTMENT = {
    "57": "57",  # Moselle
    "67": "6AE",  # Bas-Rhin  } the Collectivité européenne d'Alsace
    "68": "6AE",  # Haut-Rhin }
    "971": "971",  # Guadeloupe
    "972": "972",  # Martinique
    "973": "973",  # Guyane
    "974": "974",  # La Réunion
    "975": "PM",  # Saint-Pierre-et-Miquelon
    "976": "976",  # Mayotte
    "977": "BL",  # Saint-Barthélemy
    "978": "MF",  # Saint-Martin
    "986": "WF",  # Wallis-et-Futuna
    "987": "PF",  # Polynésie française
    "988": "NC",  # Nouvelle-Calédonie
}
LANGUAGES = {"fr": "fr", "en": "en_US"}


def department_of(insee: str) -> str:
    """The département of an INSEE commune code: "57463" -> "57", "97209" -> "972"."""
    return insee[:3] if insee.startswith("97") or insee.startswith("98") else insee[:2]


def subdivision_of_department(department: str) -> str:
    """The holiday calendar of a département: its subdivision, else :data:`GENERAL`."""
    return SUBDIVISION_OF_DEPARTMENT.get(department, GENERAL)


def territory_subdivision(insee_codes: Iterable[str], override: str | None = None) -> str:
    """The holiday calendar of a territory: ``override`` (a département code, or
    "metropole") when given, else the one its communes share. ValueError when the
    communes straddle two calendars and nothing says which one applies, or when the
    override is not a département."""
    if override is not None:
        value = override.strip()
        if value.casefold() == GENERAL:
            return GENERAL
        if not _is_department(value):
            raise ValueError(
                f"public_holidays: {override!r} is not a département code"
                f" (e.g. 57, 67, 972) nor {GENERAL!r}"
            )
        return subdivision_of_department(value.upper())
    found: dict[str, set[str]] = {}
    for code in insee_codes:
        department = department_of(code)
        found.setdefault(subdivision_of_department(department), set()).add(department)
    if len(found) > 1:
        straddled = ", ".join(sorted(d for departments in found.values() for d in departments))
        raise ValueError(
            f"the communes are in départements with different public holidays ({straddled}):"
            " say which applies with territory.public_holidays (a département code, or"
            f" {GENERAL!r})"
        )
    return next(iter(found), GENERAL)


def _is_department(value: str) -> bool:
    upper = value.upper()
    if upper in ("2A", "2B"):
        return True
    return value.isdigit() and (
        (len(value) == 2 and value != "00") or (len(value) == 3 and value[:2] in ("97", "98"))
    )


@dataclass(frozen=True)
class HolidayCalendar:
    """The public holidays of one French calendar (``subdivision`` as in the `holidays`
    package, or :data:`GENERAL`)."""

    subdivision: str = GENERAL

    def holidays_of(self, year: int, language: str = "fr") -> dict[date, str]:
        """Every public holiday of ``year``, date -> name (in ``language``); computed
        once per year and language."""
        return _holidays(self.subdivision, year, LANGUAGES.get(language, "fr"))

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays_of(day.year)

    def name(self, day: date, language: str = "fr") -> str | None:
        """The holiday's name ("Noël", "Vendredi saint"), None on an ordinary day."""
        return self.holidays_of(day.year, language).get(day)

    def is_sunday_or_holiday(self, day: date) -> bool:
        return day.weekday() == 6 or self.is_holiday(day)

    def between(self, first: date, last: date, language: str = "fr") -> list[tuple[date, str]]:
        """The holidays from ``first`` to ``last`` (inclusive), in order."""
        found: list[tuple[date, str]] = []
        for year in range(first.year, last.year + 1):
            found.extend(
                (day, name)
                for day, name in self.holidays_of(year, language).items()
                if first <= day <= last
            )
        return sorted(found)


@cache
def _holidays(subdivision: str, year: int, language: str) -> dict[date, str]:
    subdiv = None if subdivision == GENERAL else subdivision
    calendar = holidays.country_holidays("FR", subdiv=subdiv, years=year, language=language)
    # The package names two holidays of one day "A; B": keep them as they come.
    return {day: str(name) for day, name in calendar.items()}


GENERAL_CALENDAR = HolidayCalendar(GENERAL)
