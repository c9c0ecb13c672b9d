import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpts_bot.features.directory.card import Card, ModalityDeclaration
from cpts_bot.features.directory.models import Modality
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.importers.extract_columns import (
    PUBLISHED_HEADER,
    ExtractFormatError,
    format_extract_line,
    map_columns,
    normalize_label,
)
from cpts_bot.importers.rpps_extract import (
    TerritoryNotFoundError,
    import_rpps_extract,
    read_extract,
    scan_extract,
)
from cpts_bot.storage.database import Database

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 23, 8, 0, tzinfo=UTC)
TERRITORY = ["69388", "69383"]
HEADER = "|".join(PUBLISHED_HEADER) + "|"
SAMPLE = Path(__file__).resolve().parents[2] / "cpts_bot" / "sample" / "rpps_sample.txt"


def line(rpps: str, last: str, commune: str = "69388", **extra: str) -> str:
    values = {
        "Type d'identifiant PP": "8",
        "Identifiant PP": rpps,
        "Identification nationale PP": "8" + rpps,
        "Code civilité d'exercice": "DR",
        "Nom d'exercice": last,
        "Prénom d'exercice": "Jeanne",
        "Code profession": "10",
        "Libellé profession": "Médecin",
        "Code savoir-faire": "SM54",
        "Libellé savoir-faire": "Médecine générale",
        "Numéro Voie (coord. structure)": "12",
        "Libellé type de voie (coord. structure)": "Rue",
        "Libellé Voie (coord. structure)": "Paul Bert",
        "Code postal (coord. structure)": "69008",
        "Code commune (coord. structure)": commune,
        "Libellé commune (coord. structure)": "LYON 8E ARRONDISSEMENT",
        "Téléphone (coord. structure)": "0478000000",
    }
    values.update(extra)
    return format_extract_line(values)


def write(path: Path, lines: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


async def active(database: Database) -> dict[str, object]:
    async with database.transaction() as connection:
        professionals = await DirectoryRepository(connection).load_active_professionals()
    return {p.key: p for p in professionals}


def test_header_labels_are_normalised() -> None:
    assert normalize_label("Libellé civilité d'exercice") == normalize_label(
        "LIBELLE CIVILITE EXERCICE"
    )
    assert normalize_label("Code commune (coord. structure)") == "code commune coord structure"
    assert normalize_label("\ufeffType d'identifiant PP") == "type identifiant pp"


def test_columns_are_found_by_name_not_position() -> None:
    shuffled = list(reversed(PUBLISHED_HEADER))
    columns = map_columns(shuffled)
    assert shuffled[columns["commune_code"]] == "Code commune (coord. structure)"
    assert shuffled[columns["last_name"]] == "Nom d'exercice"


def test_missing_required_column_is_named() -> None:
    header = [label for label in PUBLISHED_HEADER if label != "Code commune (coord. structure)"]
    with pytest.raises(ExtractFormatError, match=r"'Code commune \(coord. structure\)'"):
        map_columns(header)


def test_header_variants_are_accepted(tmp_path: Path) -> None:
    variant = (
        HEADER.replace("Libellé civilité d'exercice", "Libellé civilité exercice")
        .replace("Nom d'exercice", "NOM D'EXERCICE")
        .replace("Code commune (coord. structure)", "code commune (coord structure)")
        .replace("Code rôle", "Code fonction")
    )
    path = write(tmp_path / "x.txt", [line("10000000001", "MARTIN")], header=variant)
    scan = read_extract(path, TERRITORY)
    assert list(scan.records) == ["810000000001"]
    assert scan.records["810000000001"].last_name == "MARTIN"


def test_other_territories_are_dropped_and_two_lines_make_two_sites(tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.txt",
        [
            line("10000000001", "MARTIN"),
            line("10000000002", "DURAND", commune="83069"),
            line(
                "10000000001",
                "MARTIN",
                commune="69383",
                **{"Libellé Voie (coord. structure)": "Cours Lafayette"},
            ),
            # Our code, but as a postal code of another commune: not ours.
            line(
                "10000000003",
                "FAURE",
                commune="01138",
                **{"Code postal (coord. structure)": "69388"},
            ),
        ],
    )
    scan = read_extract(path, TERRITORY)
    assert set(scan.records) == {"810000000001"}
    record = scan.records["810000000001"]
    assert [site.commune_insee for site in record.sites] == ["69388", "69383"]
    assert record.sites[1].address == "12 Rue Cours Lafayette"
    assert record.sites[0].phone == "04 78 00 00 00"
    assert record.title == "Dr" and record.rpps == "10000000001"
    assert record.specialties == (("SM54", "Médecine générale"),)
    assert scan.lines_read == 4 and scan.lines_in_territory == 2


def test_bad_lines_are_reported_with_their_number_and_skipped(tmp_path: Path) -> None:
    good = line("10000000001", "MARTIN")
    path = tmp_path / "x.txt"
    path.write_bytes(
        "\n".join(
            [
                HEADER,
                good,
                "8|1|810000000009|69388|too short|",
                line("10000000004", "", **{"Nom d'exercice": ""}),
                line("10000000005", "PETIT").replace("PETIT", "PET\udcffIT"),
            ]
        ).encode("utf-8", "surrogateescape")
        + b"\n"
    )
    scan = read_extract(path, TERRITORY)
    assert list(scan.records) == ["810000000001"]
    reasons = {r.line_number: r.reason for r in scan.rejected}
    assert set(reasons) == {3, 4, 5}
    assert "fields where the header has 57" in reasons[3]
    assert "Nom d'exercice" in reasons[4]
    assert "UTF-8" in reasons[5]


def test_zip_and_txt_give_the_same_result(tmp_path: Path) -> None:
    lines = [line("10000000001", "MARTIN"), line("10000000002", "DURAND", commune="69383")]
    txt = write(tmp_path / "PS_LibreAcces_Personne_activite_202611230000.txt", lines)
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("readme.md", "not the extract")
        handle.write(txt, txt.name)
    assert read_extract(archive, TERRITORY).records == read_extract(txt, TERRITORY).records


def test_a_zip_without_the_extract_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("a.csv", "x")
    with pytest.raises(ExtractFormatError, match="expected one PS_LibreAcces"):
        read_extract(archive, TERRITORY)


def test_progress_is_reported_while_streaming() -> None:
    seen: list[int] = []
    lines = [HEADER.encode()] + [line("10000000001", "X", commune="83069").encode()] * 70_000
    scan = scan_extract(iter(lines), TERRITORY, seen.append)
    assert seen and seen[0] == 65_536
    assert scan.records == {}


async def test_reimport_is_idempotent_and_marks_the_gone_inactive(
    database: Database, tmp_path: Path
) -> None:
    first = write(
        tmp_path / "a.txt",
        [
            line("10000000001", "MARTIN"),
            line("10000000002", "DURAND"),
            line("10000000003", "PETIT", commune="69383"),
        ],
    )
    summary = await import_rpps_extract(database, first, TERRITORY, NOW)
    assert (summary.new, summary.updated, summary.kept, summary.marked_inactive) == (3, 0, 0, 0)

    again = await import_rpps_extract(database, first, TERRITORY, NOW)
    assert (again.new, again.updated, again.kept, again.marked_inactive) == (0, 0, 3, 0)

    second = write(
        tmp_path / "b.txt",
        [
            line("10000000001", "MARTIN"),
            line("10000000002", "DURAND-LEROY"),
            line("10000000004", "NOUVEAU"),
        ],
    )
    # One of three is more than the default 20%: this small directory allows half.
    summary = await import_rpps_extract(database, second, TERRITORY, LATER, max_shrink=0.5)
    assert (summary.new, summary.updated, summary.kept, summary.marked_inactive) == (1, 1, 1, 1)
    professionals = await active(database)
    assert set(professionals) == {"810000000001", "810000000002", "810000000004"}

    back = await import_rpps_extract(database, first, TERRITORY, LATER, max_shrink=0.5)
    assert back.reactivated == 1 and back.marked_inactive == 1


async def test_cpts_data_survives_a_reimport(database: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", [line("10000000001", "MARTIN")])
    await import_rpps_extract(database, path, TERRITORY, NOW)
    card = Card(
        phone="06 00 00 00 01",
        matrix_id="@martin:example.org",
        activities={"wound_care": "plaies"},
        modalities={Modality.HOME_VISITS: ModalityDeclaration(True, "le mardi")},
        languages=frozenset({"en"}),
    )
    async with database.transaction() as connection:
        await DirectoryRepository(connection).save_card("810000000001", card, "@coord:x", NOW)

    changed = write(tmp_path / "b.txt", [line("10000000001", "MARTIN-DUPONT")])
    await import_rpps_extract(database, changed, TERRITORY, LATER)
    gone = write(tmp_path / "c.txt", [line("10000000002", "AUTRE")])
    await import_rpps_extract(database, gone, TERRITORY, LATER, max_shrink=None)
    await import_rpps_extract(database, changed, TERRITORY, LATER, max_shrink=None)

    professional = (await active(database))["810000000001"]
    assert professional.last_name == "MARTIN-DUPONT"
    assert professional.activities == {"wound_care"}
    assert professional.modalities == {Modality.HOME_VISITS}
    assert professional.languages == {"en"}
    assert professional.matrix_id == "@martin:example.org"
    assert professional.sites[0].phone == "06 00 00 00 01"


async def test_a_file_without_the_territory_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    await import_rpps_extract(
        database, write(tmp_path / "a.txt", [line("10000000001", "MARTIN")]), TERRITORY, NOW
    )
    elsewhere = write(tmp_path / "b.txt", [line("10000000002", "DURAND", commune="83069")])
    with pytest.raises(TerritoryNotFoundError, match="nothing was changed"):
        await import_rpps_extract(database, elsewhere, TERRITORY, LATER)
    assert set(await active(database)) == {"810000000001"}


async def test_a_missing_column_writes_nothing(database: Database, tmp_path: Path) -> None:
    header = HEADER.replace("Code profession|", "Profession|")
    path = write(tmp_path / "a.txt", [line("10000000001", "MARTIN")], header=header)
    with pytest.raises(ExtractFormatError, match="'Code profession'"):
        await import_rpps_extract(database, path, TERRITORY, NOW)
    assert await active(database) == {}


async def test_the_sample_extract_imports(database: Database) -> None:
    communes = ["69388", "69383", "69387", "69259", "69029"]
    summary = await import_rpps_extract(database, SAMPLE, communes, NOW)
    assert summary.rejected == []
    assert summary.new == summary.professionals_in_file > 20
    assert summary.lines_read > summary.lines_in_territory
    professionals = await active(database)
    assert any(len(p.sites) == 2 for p in professionals.values())


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 30),
            st.sampled_from(["69388", "69383", "83069", "01138"]),
            st.sampled_from(["69008", "69388", "83400"]),
            st.sampled_from(["Paul Bert", "Jean Jaurès", "Gambetta"]),
        ),
        max_size=40,
    )
)
def test_kept_professionals_are_exactly_those_with_a_line_in_the_territory(
    lines: list[tuple[int, str, str, str]],
) -> None:
    raw = [HEADER.encode()] + [
        line(
            f"1{number:010d}",
            f"NOM{number}",
            commune=commune,
            **{"Code postal (coord. structure)": postal, "Libellé Voie (coord. structure)": street},
        ).encode()
        for number, commune, postal, street in lines
    ]
    scan = scan_extract(raw, TERRITORY)
    ours = [(n, c, p, s) for n, c, p, s in lines if c in TERRITORY]
    assert set(scan.records) == {f"81{n:010d}" for n, _c, _p, _s in ours}
    for number in {n for n, _c, _p, _s in ours}:
        sites = {(c, p, s) for n, c, p, s in ours if n == number}
        record = scan.records[f"81{number:010d}"]
        assert {
            (site.commune_insee, site.postal_code, site.address.removeprefix("12 Rue "))
            for site in record.sites
        } == sites
        assert len(record.sites) == len(sites)
    assert scan.rejected == [] and scan.lines_in_territory == len(ours)


SAVOIR_FAIRE_HEADER = (
    "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|"
    "Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|"
    "Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|"
    "Code savoir-faire|Libellé savoir-faire|"
)


def savoir_faire_line(rpps: str, code: str, label: str) -> str:
    return f"8|{rpps}|8{rpps}|X|Y|10|Médecin|C|Civil|S|Spécialité ordinale|{code}|{label}|"


def test_the_separate_savoir_faire_file_adds_specialties(tmp_path: Path) -> None:
    activities = write(
        tmp_path / "PS_LibreAcces_Personne_activite_202611230000.txt",
        [
            line("10000000001", "MARTIN", **{"Code savoir-faire": "", "Libellé savoir-faire": ""}),
            line("10000000002", "DURAND", commune="83069"),
        ],
    )
    savoir_faire = write(
        tmp_path / "PS_LibreAcces_SavoirFaire_202611230000.txt",
        [
            savoir_faire_line("10000000001", "SM40", "Pédiatrie"),
            savoir_faire_line("10000000001", "SM54", "Médecine générale"),
            savoir_faire_line("10000000002", "SM42", "Psychiatrie"),
            "8|1|810000000001|too short|",
        ],
        header=SAVOIR_FAIRE_HEADER,
    )
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(activities, activities.name)
        handle.write(savoir_faire, savoir_faire.name)
    expected = (("SM40", "Pédiatrie"), ("SM54", "Médecine générale"))
    from_zip = read_extract(archive, TERRITORY)
    assert from_zip.records["810000000001"].specialties == expected
    assert [r.line_number for r in from_zip.rejected] == [5]
    from_txt = read_extract(activities, TERRITORY, savoir_faire=savoir_faire)
    assert from_txt.records["810000000001"].specialties == expected
    assert read_extract(activities, TERRITORY).records["810000000001"].specialties == ()
