"""A generated directory of fictional professionals, for benchmarks and demos.

Deterministic for a given seed; professions, activities and modalities follow rough
proportions of a French CPTS (nurses and physiotherapists many, orthoptists few).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from cpts_bot.core.concepts import ConceptKind
from cpts_bot.core.vocabulary_loader import Vocabulary, load_vocabulary
from cpts_bot.features.directory.models import Modality, PracticeSite, Professional

# (profession code, weight)
_PROFESSIONS = (
    ("60", 25),
    ("70", 18),
    ("10", 15),
    ("21", 10),
    ("40", 7),
    ("93", 6),
    ("91", 5),
    ("50", 4),
    ("80", 3),
    ("94", 2),
    ("95", 2),
    ("96", 2),
    ("92", 1),
)
# Doctors' savoir-faire codes (weights): mostly general practice.
_DOCTOR_SPECIALTIES = (
    ("SM54", 55),
    ("SM53", 15),
    ("SM40", 6),
    ("SM42", 5),
    ("SM38", 4),
    ("SM04", 4),
    ("SM15", 3),
    ("SM20", 3),
    ("SM43", 1),
    ("", 4),
)
_MODALITY_RATES = {
    Modality.HOME_VISITS: 0.35,
    Modality.TELECONSULTATION: 0.15,
    Modality.NEW_PATIENTS: 0.25,
    Modality.UNSCHEDULED_CARE: 0.15,
    Modality.WHEELCHAIR_ACCESS: 0.3,
    Modality.SATURDAY: 0.2,
}
_FIRST_NAMES = (
    "Marie",
    "Jean",
    "Sophie",
    "Pierre",
    "Camille",
    "Lucas",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Emma",
    "Nathan",
    "Inès",
    "Karim",
    "Fatima",
    "Mehdi",
    "Julie",
    "Thomas",
    "Sarah",
    "Paul",
    "Claire",
    "Antoine",
    "Manon",
    "Yanis",
    "Nadia",
    "Alice",
    "Éric",
    "Hélène",
    "Zoé",
    "Omar",
)
_LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Benali",
    "Haddad",
)


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([code for code, _ in choices], [weight for _, weight in choices])[0]


def generate_directory(
    count: int,
    communes: Iterable[object],
    seed: int = 8,
    vocabulary: Vocabulary | None = None,
) -> list[Professional]:
    """``count`` fictional professionals practising in ``communes`` (insee + name)."""
    vocabulary = vocabulary or load_vocabulary()
    rng = random.Random(seed)
    places = [(str(getattr(c, "insee")), str(getattr(c, "name"))) for c in communes]  # noqa: B009
    if not places:
        raise ValueError("no commune to place the professionals in")
    activities_by_profession: dict[str, list[str]] = {}
    for concept in vocabulary.of_kind(ConceptKind.ACTIVITY):
        for profession in concept.professions:
            activities_by_profession.setdefault(profession, []).append(concept.code)
    result: list[Professional] = []
    for number in range(count):
        profession = _weighted(rng, _PROFESSIONS)
        specialties: frozenset[str] = frozenset()
        title = ""
        if profession == "10":
            code = _weighted(rng, _DOCTOR_SPECIALTIES)
            specialties = frozenset({code}) if code else frozenset()
            title = "Dr"
        elif profession == "40" and rng.random() < 0.08:
            specialties = frozenset({"SCD01"})
        possible = activities_by_profession.get(profession, [])
        activities = frozenset(rng.sample(possible, k=min(len(possible), rng.randint(0, 3))))
        modalities = frozenset(
            modality for modality, rate in _MODALITY_RATES.items() if rng.random() < rate
        )
        site_count = 2 if rng.random() < 0.05 else 1
        sites = tuple(
            PracticeSite(
                commune_insee=insee,
                commune_name=name,
                phone=f"0{rng.randint(1, 7)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)}",
            )
            for insee, name in rng.sample(places, k=min(site_count, len(places)))
        )
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        matrix_id = (
            f"@{first.lower()}.{last.lower()}{number}:cpts.example".encode(
                "ascii", "ignore"
            ).decode()
            if rng.random() < 0.3
            else None
        )
        result.append(
            Professional(
                key=f"8{99_000_000_000 + number:011d}",
                last_name=last,
                first_name=first,
                profession_code=profession,
                specialty_codes=specialties,
                sites=sites,
                activities=activities,
                modalities=modalities,
                matrix_id=matrix_id,
                title=title,
            )
        )
    return result
