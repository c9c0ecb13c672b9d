"""The official list of French communes shipped with the package, and its build script."""

from __future__ import annotations

import gzip
import json
import runpy
from pathlib import Path

from cpts_bot.core.places.french_communes import (
    ARRONDISSEMENT,
    COMMUNES_FILE,
    CURRENT,
    FORMER,
    load_french_communes,
    parse_communes_file,
)
from cpts_bot.core.text_normalizer import term_key

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_file_names_its_source_and_licence() -> None:
    with gzip.open(COMMUNES_FILE, "rt", encoding="utf-8") as handle:
        header = [handle.readline() for _ in range(2)]
    assert "@etalab/decoupage-administratif 6.0.0" in header[0]
    assert "Licence Ouverte" in header[1]
    assert COMMUNES_FILE.stat().st_size < 1_000_000


def test_the_shipped_file_has_every_commune_of_france() -> None:
    communes = load_french_communes()
    current = [c for c in communes.communes.values() if c.kind == CURRENT]
    assert len(current) > 34_000
    assert sum(len(items) for items in communes.former.values()) > 2_500
    assert len([c for c in communes.communes.values() if c.kind == ARRONDISSEMENT]) == 45
    assert communes.name("44109") == "Nantes"


def test_former_communes_point_to_the_commune_nouvelle() -> None:
    communes = load_french_communes()
    former = {item.name: item.parent for item in communes.former["29021"]}
    assert former == {"Brignogan-Plages": "29021", "Plounéour-Trez": "29021"}
    assert communes.by_name[term_key("Brignogan-Plages")] == ("29021",)
    assert communes.by_name[term_key("Culoz")] == ("01138",)


def test_arrondissements_belong_to_their_city() -> None:
    communes = load_french_communes()
    assert communes.city_of("13213") == "13055"
    assert communes.name(communes.city_of("13213")) == "Marseille"
    assert communes.by_name[term_key("Marseille 12")] == ("13212",)
    assert communes.by_name[term_key("Lyon 3e")] == ("69383",)
    assert set(communes.by_postal["13013"]) == {"13055", "13213"}


def test_a_postal_code_lists_every_commune_it_covers() -> None:
    communes = load_french_communes()
    goulaines = {communes.name(insee) for insee in communes.by_postal["44115"]}
    assert goulaines == {"Basse-Goulaine", "Haute-Goulaine"}


def test_a_name_shared_by_several_communes_lists_the_most_populous_first() -> None:
    communes = load_french_communes()
    found = communes.by_name[term_key("Saint-Denis")]
    assert len(found) > 1
    assert found[0] == "97411"  # Saint-Denis (La Réunion), before Saint-Denis (93)
    assert "93066" in found


def test_the_build_script_writes_what_the_loader_reads(tmp_path: Path) -> None:
    source = tmp_path / "communes.json"
    source.write_text(
        json.dumps(
            [
                {
                    "code": "01138",
                    "nom": "Culoz-Béon",
                    "departement": "01",
                    "type": "commune-actuelle",
                    "codesPostaux": ["01350"],
                    "population": 3453,
                },
                {"code": "01138", "nom": "Culoz", "type": "commune-deleguee", "chefLieu": "01138"},
                {
                    "code": "13213",
                    "nom": "Marseille 13e Arrondissement",
                    "type": "arrondissement-municipal",
                    "commune": "13055",
                    "codesPostaux": ["13013"],
                },
                {"code": "97501", "nom": "Ignored", "type": "something-else"},
            ]
        ),
        encoding="utf-8",
    )
    output = tmp_path / "communes.tsv.gz"
    build = runpy.run_path(str(REPO / "scripts" / "build_communes.py"))["build"]
    assert build(source, "9.9.9", output) == 3
    first = output.read_bytes()
    build(source, "9.9.9", output)
    assert output.read_bytes() == first  # reproducible
    with gzip.open(output, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    assert "9.9.9" in lines[0]
    entries = {entry.kind: entry for entry in parse_communes_file(lines)}
    assert entries[CURRENT].postal_codes == ("01350",)
    assert entries[FORMER].parent == "01138"
    assert entries[ARRONDISSEMENT].parent == "13055"
