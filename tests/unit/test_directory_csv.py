from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.card import ModalityDeclaration
from cpts_bot.features.directory.models import Modality
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.importers.directory_csv import (
    DirectoryCsvError,
    import_directory_csv,
    parse_directory_csv,
    parse_modalities,
)
from cpts_bot.importers.extract_columns import PUBLISHED_HEADER, format_extract_line
from cpts_bot.importers.rpps_extract import import_rpps_extract
from cpts_bot.storage.database import Database

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "cpts_bot" / "sample" / "directory.csv"
HEADER = (
    "rpps,id,kind,last_name,first_name,profession_code,commune_insee,phone,activities,"
    "modalities,languages,matrix_id\n"
)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


def csv_file(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "directory.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


async def professional(database: Database, key: str):  # type: ignore[no-untyped-def]
    async with database.transaction() as connection:
        return await DirectoryRepository(connection).get_professional(key)


def test_modalities_cell() -> None:
    assert parse_modalities("home_visits: le mardi; teleconsultation; -new_patients") == {
        Modality.HOME_VISITS: ModalityDeclaration(True, "le mardi"),
        Modality.TELECONSULTATION: ModalityDeclaration(True, ""),
        Modality.NEW_PATIENTS: ModalityDeclaration(False, ""),
    }


def test_bad_rows_are_reported_with_line_numbers() -> None:
    text = HEADER + (
        "10000000001,,,MARTIN,Claire,10,69388,04 78 00 00 01,wound_care,home_visits,en,\n"
        ",,,,,,,,,,,\n"
        "123,,,X,Y,10,69388,,,,,\n"
        ",mg-a,,DOE,Jo,10,69388,12,,,,\n"
        ",mg-b,,DOE,Jo,10,69388,,,visites,,\n"
        ",mg-c,,DOE,Jo,10,69388,,,,,not-a-matrix-id\n"
        ",mg-d,,DOE,,10,,,,,,\n"
        ",mg-e,,DOE,Jo,10,69388,,,,,@a:example.org\n"
        ",mg-f,,DOE,Jo,10,69388,,,,,@a:example.org\n"
        "10000000001,,,MARTIN,Claire,10,69388,,,,,\n"
        ',mg-g,,"DOE, ""Jo""",Jo,10,69388,,,,\n'
    )
    rows, rejected = parse_directory_csv(text)
    reasons = {r.line_number: r.reason for r in rejected}
    assert [row.line_number for row in rows] == [2, 9]
    assert "RPPS number" in reasons[4]
    assert "phone" in reasons[5]
    assert "unknown modality 'visites'" in reasons[6]
    assert "Matrix ID" in reasons[7]
    assert "commune_insee" in reasons[8]
    assert "already given on line 9" in reasons[10]
    assert "already given on line 2" in reasons[11]
    assert "11 cells where the header has 12" in reasons[12]
    assert 3 not in reasons  # an empty row is not an error


def test_unknown_column_is_refused() -> None:
    with pytest.raises(DirectoryCsvError, match=r"unknown column.*fone"):
        parse_directory_csv("rpps,fone\n1,2\n")


def test_semicolon_separated_files_are_read() -> None:
    rows, rejected = parse_directory_csv(
        "id;last_name;profession_code;commune_insee;activities\n"
        'mg-a;DOE;10;69388;"wound_care;diabetes"\n'
    )
    assert rejected == []
    assert rows[0].card_fields["activities"] == ["wound_care", "diabetes"]


async def test_import_adds_cards_and_keeps_the_good_rows(
    database: Database, tmp_path: Path
) -> None:
    path = csv_file(
        tmp_path,
        (
            "10000000001,,,MARTIN,Claire,10,69388,04 78 00 00 01,wound_care;diabetes,"
            "home_visits: le mardi;-new_patients,en;ar,@claire:example.org\n"
            ",psy-a,,GARNIER,Hélène,93,69383,,mental_health,teleconsultation,,\n"
            ",bad-row,,GARNIER,Hélène,93,69383,nope,,,,\n"
            ",ehpad-a,structure,,,,69388,,,,,\n"
        ),
    )
    summary = await import_directory_csv(database, path, NOW)
    assert summary.professionals_new == 2
    assert [r.line_number for r in summary.rejected] == [4, 5]
    martin = await professional(database, "810000000001")
    assert martin.activities == {"wound_care", "diabetes"}
    assert martin.modalities == {Modality.HOME_VISITS}
    assert martin.languages == {"en", "ar"}
    assert martin.matrix_id == "@claire:example.org"
    assert martin.sites[0].phone == "04 78 00 00 01"
    psy = await professional(database, "cpts:psy-a")
    assert psy.profession_code == "93" and psy.sites[0].commune_insee == "69383"


async def test_reimport_changes_only_what_changed_and_logs_it(
    database: Database, tmp_path: Path
) -> None:
    row = "10000000001,,,MARTIN,Claire,10,69388,,wound_care,{mod},,\n"
    await import_directory_csv(database, csv_file(tmp_path, row.format(mod="new_patients")), NOW)
    again = await import_directory_csv(
        database, csv_file(tmp_path, row.format(mod="new_patients")), NOW
    )
    assert (again.cards_changed, again.professionals_updated) == (0, 0)
    changed = await import_directory_csv(
        database, csv_file(tmp_path, row.format(mod="-new_patients")), NOW
    )
    assert changed.cards_changed == 1
    async with database.transaction() as connection:
        history = await DirectoryRepository(connection).card_history("810000000001")
    assert [(h.field, h.old, h.new) for h in history][-1] == ("modality:new_patients", "yes", "no")
    assert history[-1].changed_by == "import:directory.csv"


async def test_national_data_wins_and_absent_columns_are_left_alone(
    database: Database, tmp_path: Path
) -> None:
    extract = tmp_path / "extract.txt"
    extract.write_text(
        "|".join(PUBLISHED_HEADER)
        + "|\n"
        + format_extract_line(
            {
                "Type d'identifiant PP": "8",
                "Identification nationale PP": "810000000001",
                "Nom d'exercice": "MARTIN",
                "Prénom d'exercice": "Claire",
                "Code profession": "10",
                "Code commune (coord. structure)": "69388",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    await import_rpps_extract(database, extract, ["69388"], NOW)
    await import_directory_csv(
        database,
        csv_file(tmp_path, "10000000001,,,MARTIN-FAUX,Claire,10,69383,,wound_care,,en,\n"),
        NOW,
    )
    # A file with only some columns leaves the others as they are.
    await import_directory_csv(
        database, csv_file(tmp_path, "10000000001,fr\n", header="rpps,languages\n"), NOW
    )
    martin = await professional(database, "810000000001")
    assert martin.last_name == "MARTIN"
    assert martin.sites[0].commune_insee == "69388"
    assert martin.activities == {"wound_care"}
    assert martin.languages == {"fr"}


async def test_unknown_rpps_without_identity_is_rejected(
    database: Database, tmp_path: Path
) -> None:
    summary = await import_directory_csv(
        database, csv_file(tmp_path, "10000000009,fr\n", header="rpps,languages\n"), NOW
    )
    assert summary.rejected[0].line_number == 2
    assert "import the national extract first" in summary.rejected[0].reason


async def test_a_matrix_id_taken_by_someone_else_is_rejected(
    database: Database, tmp_path: Path
) -> None:
    await import_directory_csv(
        database, csv_file(tmp_path, ",a,,DOE,Jo,10,69388,,,,,@jo:example.org\n"), NOW
    )
    summary = await import_directory_csv(
        database, csv_file(tmp_path, ",b,,ROE,Al,10,69388,,,,,@jo:example.org\n"), NOW
    )
    assert "already belongs to cpts:a" in summary.rejected[0].reason
    assert await professional(database, "cpts:b") is None


async def test_not_utf8_is_refused(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("id,last_name\nmg,Hélène\n".encode("latin-1"))
    with pytest.raises(DirectoryCsvError, match="CSV UTF-8"):
        await import_directory_csv(database, path, NOW)


async def test_the_sample_directory_imports_cleanly(database: Database) -> None:
    summary = await import_directory_csv(database, SAMPLE, NOW)
    assert summary.rejected == []
    assert summary.professionals_new >= 40 and summary.structures_new >= 3
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        professionals = await repository.load_active_professionals()
        structures = await repository.load_active_structures()
    professions = {p.profession_code for p in professionals}
    assert {"10", "60", "70", "91", "50", "21", "93"} <= professions
    assert any("respiratory_physio" in p.activities for p in professionals)
    assert {s.structure_type for s in structures} >= {"ehpad", "dac", "cmp"}
    assert {p.sites[0].commune_insee for p in professionals} == {
        "69388",
        "69383",
        "69387",
        "69259",
        "69029",
    }


def test_the_documented_example_is_valid() -> None:
    import re

    doc = (Path(__file__).resolve().parents[2] / "docs" / "directory-csv.md").read_text("utf-8")
    example = re.search(r"```csv\n(.*?)```", doc, re.S)
    assert example is not None
    rows, rejected = parse_directory_csv(example.group(1), vocabulary=load_vocabulary())
    assert rejected == [] and len(rows) == 4
