"""A CPTS that covers only some postal codes of a big city: rooms.yaml lists those codes,
check-config says so (and refuses a code the commune does not have), the import keeps
only those lines, and « dans le 31500 » means that part, « 31300 » is outside."""

from __future__ import annotations

from pathlib import Path

import yaml

from cpts_bot.core.places.commune_parts import commune_parts, unknown_postal_codes
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.models import PracticeSite, Professional
from cpts_bot.features.directory.professional_matcher import DirectoryIndex, search
from cpts_bot.features.directory.query_parser import Lexicon, parse_query
from cpts_bot.importers.rpps_extract import scan_extract
from cpts_bot.settings import Commune, territory_notes

HELDOUT = Path(__file__).resolve().parents[1] / "data" / "heldout"
TOULOUSE_PART = Commune(insee="31555", name="Toulouse", postal_codes=["31200", "31500"])
L_UNION = Commune(insee="31561", name="L'Union", postal_codes=["31240"])


def test_a_commune_with_fewer_codes_than_the_official_list_is_covered_in_part() -> None:
    parts = commune_parts([TOULOUSE_PART, L_UNION])
    assert set(parts) == {"31555"}
    assert parts["31555"].covered == {"31200", "31500"}
    assert {"31000", "31300", "31400"} <= parts["31555"].outside


def test_a_postal_code_the_commune_does_not_have_is_reported() -> None:
    wrong = Commune(insee="31555", name="Toulouse", postal_codes=["31200", "31999"])
    assert unknown_postal_codes([wrong, L_UNION]) == [("31555", "Toulouse", "31999")]


def test_check_config_notes_the_part(tmp_path: Path) -> None:
    rooms = yaml.safe_load((HELDOUT.parents[2] / "rooms.yaml").read_text(encoding="utf-8"))
    rooms["territory"] = {"name": "CPTS Nord-Est", "communes": [TOULOUSE_PART.model_dump()]}
    path = tmp_path / "rooms.yaml"
    path.write_text(yaml.safe_dump(rooms, allow_unicode=True), encoding="utf-8")
    [note] = territory_notes(path)
    assert "Toulouse (31555) is covered in part: postal codes 31200, 31500" in note


def test_the_import_keeps_only_the_covered_postal_codes() -> None:
    lines = (HELDOUT / "rpps_extract.txt").read_bytes().splitlines(keepends=True)
    parts = {"31555": frozenset({"31200", "31500"})}
    scan = scan_extract(lines, ["31555"], None, parts)
    codes = {site.postal_code for record in scan.records.values() for site in record.sites}
    assert codes == {"31200", "31500"}
    assert scan.outside_part == 4
    every = scan_extract(lines, ["31555"])
    assert {s.postal_code for r in every.records.values() for s in r.sites} >= {"31300"}


def _lexicon() -> Lexicon:
    return Lexicon.build(load_vocabulary(), PlaceIndex.build([TOULOUSE_PART, L_UNION]))


def _psychologist(key: str, postal: str) -> Professional:
    site = PracticeSite(commune_insee="31555", commune_name="Toulouse", postal_code=postal)
    return Professional(key=key, last_name=key, first_name="A", profession_code="93", sites=(site,))


def test_a_postal_code_of_the_part_means_that_part_only() -> None:
    lexicon = _lexicon()
    index = DirectoryIndex.build(
        [_psychologist("Aubry", "31200"), _psychologist("Blanc", "31500")], (), lexicon.vocabulary
    )
    for text, expected in (
        ("un psychologue dans le 31500", {"Blanc"}),
        ("psychologue à Toulouse", {"Aubry", "Blanc"}),
    ):
        query = parse_query(text, lexicon).query
        result = search(index, query, lexicon.vocabulary, lexicon.places)
        assert {m.professional.last_name for m in result.matches} == expected, text


def test_a_postal_code_of_the_rest_of_the_city_is_outside() -> None:
    query = parse_query("un psychologue dans le 31300", _lexicon()).query
    assert not query.places
    assert [mention.outside for mention in query.outside_places] == [("31555",)]
