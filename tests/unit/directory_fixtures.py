"""The test directory and territory of tests/data, as domain values."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.models import Modality, PracticeSite, Professional, Structure
from cpts_bot.features.directory.professional_matcher import DirectoryIndex
from cpts_bot.features.directory.query_parser import Lexicon
from cpts_bot.settings import Territory

DATA = Path(__file__).resolve().parents[1] / "data"


@cache
def territory() -> Territory:
    data = yaml.safe_load((DATA / "territory.yaml").read_text(encoding="utf-8"))
    return Territory.model_validate(data["territory"])


@cache
def places() -> PlaceIndex:
    return PlaceIndex.build(territory().communes)


@cache
def lexicon() -> Lexicon:
    return Lexicon.build(load_vocabulary(), places())


def _professional(raw: dict[str, Any]) -> Professional:
    index = places()
    sites = tuple(
        PracticeSite(
            commune_insee=site["insee"],
            commune_name=index.name(site["insee"]),
            phone=site.get("phone", ""),
            structure_name=site.get("structure", ""),
        )
        for site in raw.get("sites", ())
    )
    return Professional(
        key=raw["key"],
        last_name=raw["last"],
        first_name=raw["first"],
        profession_code=raw["profession"],
        specialty_codes=frozenset(raw.get("specialties", ())),
        sites=sites,
        activities=frozenset(raw.get("activities", ())),
        modalities=frozenset(Modality(code) for code in raw.get("modalities", ())),
        languages=frozenset(raw.get("languages", ())),
        matrix_id=raw.get("matrix"),
        active=raw.get("active", True),
        title=raw.get("title", ""),
    )


def _structure(raw: dict[str, Any]) -> Structure:
    return Structure(
        key=raw["key"],
        name=raw["name"],
        structure_type=raw["type"],
        site=PracticeSite(
            commune_insee=raw["insee"],
            commune_name=places().name(raw["insee"]),
            phone=raw.get("phone", ""),
        ),
        activities=frozenset(raw.get("activities", ())),
    )


@cache
def directory() -> tuple[tuple[Professional, ...], tuple[Structure, ...]]:
    data = yaml.safe_load((DATA / "directory.yaml").read_text(encoding="utf-8"))
    return (
        tuple(_professional(raw) for raw in data["professionals"]),
        tuple(_structure(raw) for raw in data["structures"]),
    )


@cache
def index() -> DirectoryIndex:
    professionals, structures = directory()
    return DirectoryIndex.build(professionals, structures)
