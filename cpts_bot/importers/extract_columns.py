"""Map the national extract's header labels to the fields the importer reads.

Public copies of the extract differ in the case, accents and wording of a few labels
(``Libellé civilité exercice`` / ``Libellé civilité d'exercice``, ``Code fonction`` /
``Code rôle`` ...), so columns are found by normalised name, never by position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cpts_bot.core.errors import InputFileError
from cpts_bot.core.text_normalizer import fold

_FILLER_WORDS = frozenset({"d", "de", "du", "des", "l", "la", "le", "les"})


class ExtractFormatError(InputFileError):
    """The file is not a national extract we can read; the message says why."""


def normalize_label(label: str) -> str:
    """Case, accents, punctuation and filler words removed: ``"code commune coord structure"``."""
    plain = fold(label.strip().lstrip("\ufeff"))
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return " ".join(word for word in words if word not in _FILLER_WORDS)


# The header as published (56 columns, in order; each line ends with a trailing "|").
PUBLISHED_HEADER: tuple[str, ...] = (
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
    "Code rôle",
    "Libellé rôle",
    "Code genre activité",
    "Libellé genre activité",
)


def format_extract_line(values: dict[str, str]) -> str:
    """One line in the published layout from ``{header label: value}`` (others empty).

    Used to write sample and test files; the importer itself never builds lines.
    """
    unknown = set(values) - set(PUBLISHED_HEADER)
    if unknown:
        raise KeyError(f"not a column of the extract: {sorted(unknown)}")
    return "|".join(values.get(label, "") for label in PUBLISHED_HEADER) + "|"


# field -> (accepted labels, required). The first label is the one published.
COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "id_type": (("Type d'identifiant PP",), False),
    "national_id": (("Identification nationale PP",), True),
    "title_code": (("Code civilité d'exercice", "Code civilité exercice"), False),
    "title_label": (("Libellé civilité d'exercice", "Libellé civilité exercice"), False),
    "last_name": (("Nom d'exercice", "Nom exercice"), True),
    "first_name": (("Prénom d'exercice", "Prénom exercice"), True),
    "profession_code": (("Code profession",), True),
    "profession_label": (("Libellé profession",), False),
    "specialty_code": (("Code savoir-faire",), False),
    "specialty_label": (("Libellé savoir-faire",), False),
    "mode": (("Code mode exercice",), False),
    "company_name": (("Raison sociale site",), False),
    "trade_name": (("Enseigne commerciale site",), False),
    "street_number": (("Numéro Voie (coord. structure)",), False),
    "street_repeat": (("Indice répétition voie (coord. structure)",), False),
    "street_type_code": (("Code type de voie (coord. structure)",), False),
    "street_type": (("Libellé type de voie (coord. structure)",), False),
    "street": (("Libellé Voie (coord. structure)",), False),
    "locality": (("Mention distribution (coord. structure)",), False),
    "postal_code": (("Code postal (coord. structure)",), False),
    "commune_code": (("Code commune (coord. structure)",), True),
    "commune_name": (("Libellé commune (coord. structure)",), False),
    "phone": (("Téléphone (coord. structure)",), False),
    "phone2": (("Téléphone 2 (coord. structure)",), False),
}

# The separate savoir-faire file of newer extractions (PS_LibreAcces_SavoirFaire_*.txt).
SAVOIR_FAIRE_COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "national_id": COLUMNS["national_id"],
    "specialty_code": (COLUMNS["specialty_code"][0], True),
    "specialty_label": COLUMNS["specialty_label"],
}


@dataclass(frozen=True)
class ColumnMap:
    """Index of each field in a line (None for an optional column the file lacks)."""

    indexes: dict[str, int | None]
    field_count: int

    def __getitem__(self, field: str) -> int | None:
        return self.indexes[field]


def map_columns(
    header: list[str], columns: dict[str, tuple[tuple[str, ...], bool]] = COLUMNS
) -> ColumnMap:
    """Find each field's column in ``header``; raise naming every required column missing."""
    positions: dict[str, int] = {}
    for index, label in enumerate(header):
        normalized = normalize_label(label)
        if normalized:
            positions.setdefault(normalized, index)
    indexes: dict[str, int | None] = {}
    missing: list[str] = []
    for field, (labels, required) in columns.items():
        accepted = [normalize_label(label) for label in labels]
        found = next((positions[name] for name in accepted if name in positions), None)
        if found is None and required:
            missing.append(labels[0])
        indexes[field] = found
    if missing:
        raise ExtractFormatError(
            "required column missing from the header: "
            + ", ".join(f"'{m}'" for m in missing)
            + " (is this the right file of the extract?)"
        )
    return ColumnMap(indexes, len(header))
