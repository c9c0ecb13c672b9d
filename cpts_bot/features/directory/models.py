"""The directory: professionals, their practice sites, structures. Frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Modality(StrEnum):
    """Care modalities a professional declares (what the national register lacks)."""

    HOME_VISITS = "home_visits"
    TELECONSULTATION = "teleconsultation"
    NEW_PATIENTS = "new_patients"
    UNSCHEDULED_CARE = "unscheduled_care"
    WHEELCHAIR_ACCESS = "wheelchair_access"
    SATURDAY = "saturday"


@dataclass(frozen=True)
class PracticeSite:
    """Where a professional works (one line of the national extract)."""

    commune_insee: str
    commune_name: str
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    structure_name: str = ""
    mode: str = ""  # "Code mode exercice": L libéral, S salarié, B bénévole ("" unknown)


@dataclass(frozen=True)
class Professional:
    """A professional of the territory.

    ``key`` is the national id (``8`` + 11-digit RPPS number) when there is one, else an
    id of the CPTS's own (``cpts:<id>``). ``profession_code`` follows TRE_G15
    (10 médecin, 60 infirmier, 70 kiné, 91 orthophoniste ...); ``specialty_codes`` the
    savoir-faire codes (SM54 médecine générale, SM40 pédiatrie ...). ``activities`` are
    activity codes from the vocabulary (``wound_care``, ``respiratory_physio`` ...);
    ``declared_activities`` what the CPTS declared in its own words ("plaies complexes").
    """

    key: str
    last_name: str
    first_name: str
    profession_code: str
    specialty_codes: frozenset[str] = frozenset()
    sites: tuple[PracticeSite, ...] = ()
    activities: frozenset[str] = frozenset()
    modalities: frozenset[Modality] = frozenset()
    languages: frozenset[str] = frozenset()
    matrix_id: str | None = None
    active: bool = True
    title: str = ""
    declared_activities: tuple[str, ...] = ()  # the CPTS file's own words, verbatim

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{self.title} {name}".strip() if self.title else name

    @property
    def communes(self) -> frozenset[str]:
        return frozenset(site.commune_insee for site in self.sites)


@dataclass(frozen=True)
class Structure:
    """A structure of the territory (EHPAD, SSR, DAC, PTA, health centre, CMP, TND platform)."""

    key: str
    name: str
    structure_type: str
    site: PracticeSite
    offer: frozenset[str] = field(default_factory=frozenset)
    activities: frozenset[str] = frozenset()
    matrix_id: str | None = None
    active: bool = True
