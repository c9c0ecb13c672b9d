from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from cpts_bot.features.directory.card import Card, FieldChange, ModalityDeclaration, card_changes
from cpts_bot.features.directory.models import Modality, PracticeSite, Structure
from cpts_bot.features.directory.repository import (
    SOURCE_CPTS,
    SOURCE_RPPS,
    DirectoryRepository,
    NationalRecord,
)
from cpts_bot.storage.database import Database

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SITE = PracticeSite("69388", "Lyon 8e", "69008", "1 rue A", "04 78 00 00 00", "MSP")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


def record(key: str = "810000000001", last: str = "MARTIN", **extra: object) -> NationalRecord:
    values: dict[str, object] = dict(
        key=key,
        rpps=key[1:],
        title="Dr",
        last_name=last,
        first_name="Claire",
        profession_code="10",
        profession_label="Médecin",
        specialties=(("SM54", "MG"),),
        sites=(SITE,),
    )
    values.update(extra)
    return NationalRecord(**values)  # type: ignore[arg-type]


async def test_upsert_and_load_active(database: Database) -> None:
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        await repository.upsert_national(
            [record(), record("810000000002", "DURAND")], SOURCE_RPPS, NOW
        )
        await repository.mark_inactive(["810000000002"], NOW)
        professionals = await repository.load_active_professionals()
        known = await repository.known_professionals()
    assert [p.key for p in professionals] == ["810000000001"]
    martin = professionals[0]
    assert (martin.display_name, martin.specialty_codes, martin.sites) == (
        "Dr Claire MARTIN",
        {"SM54"},
        (SITE,),
    )
    assert known["810000000002"].active is False
    assert known["810000000001"].national_hash == record().fingerprint()


async def test_card_roundtrip_and_change_log(database: Database) -> None:
    card = Card(
        phone="06 00 00 00 01",
        matrix_id="@claire:example.org",
        activities={"wound_care": "plaies"},
        modalities={
            Modality.NEW_PATIENTS: ModalityDeclaration(False),
            Modality.HOME_VISITS: ModalityDeclaration(True, "le mardi"),
        },
        languages=frozenset({"en", "ar"}),
    )
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        await repository.upsert_national([record()], SOURCE_RPPS, NOW)
        first = await repository.save_card("810000000001", card, "@coord:x", NOW)
        assert await repository.load_card("810000000001") == card
        assert await repository.save_card("810000000001", card, "@coord:x", NOW) == []
        smaller = Card(
            phone=None,
            matrix_id="@claire:example.org",
            modalities={Modality.NEW_PATIENTS: ModalityDeclaration(True)},
            languages=frozenset({"en"}),
        )
        second = await repository.save_card("810000000001", smaller, "@claire:example.org", NOW)
        history = await repository.card_history("810000000001")
        found = await repository.find_by_matrix_id("@claire:example.org")
        professionals = await repository.load_active_professionals()
    assert len(first) == 7
    assert second == card_changes(card, smaller)
    assert FieldChange("modality:new_patients", "no", "yes") in second
    assert FieldChange("activity:wound_care", "plaies", None) in second
    assert len(history) == len(first) + len(second)
    assert found is not None and found.key == "810000000001"
    assert professionals[0].modalities == {Modality.NEW_PATIENTS}
    assert professionals[0].languages == {"en"}


async def test_matrix_id_is_unique(database: Database) -> None:
    with pytest.raises(aiosqlite.IntegrityError):
        async with database.transaction() as connection:
            repository = DirectoryRepository(connection)
            await repository.upsert_national([record(), record("810000000002")], SOURCE_RPPS, NOW)
            await repository.save_card("810000000001", Card(matrix_id="@a:x.org"), "t", NOW)
            await repository.save_card("810000000002", Card(matrix_id="@a:x.org"), "t", NOW)


async def test_national_sites_win_over_the_cpts_site(database: Database) -> None:
    own_site = PracticeSite("69383", "Lyon 3e")
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        await repository.upsert_national([record(sites=(own_site,))], SOURCE_CPTS, NOW)
        assert (await repository.get_professional("810000000001")).sites == (own_site,)
        await repository.upsert_national([record()], SOURCE_RPPS, NOW)
        professional = await repository.get_professional("810000000001")
        known = await repository.known_professionals()
    assert professional.sites == (SITE,)
    assert known["810000000001"].source == SOURCE_RPPS


async def test_find_by_name_is_case_insensitive(database: Database) -> None:
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        await repository.upsert_national([record()], SOURCE_RPPS, NOW)
        assert await repository.find_keys_by_name("martin") == ["810000000001"]
        assert await repository.find_keys_by_name("Martin", "claire") == ["810000000001"]
        assert await repository.find_keys_by_name("Martin", "Paul") == []


async def test_structures(database: Database) -> None:
    structure = Structure(
        key="cpts:ehpad-a",
        name="EHPAD A",
        structure_type="ehpad",
        site=SITE,
        offer=frozenset({"hébergement temporaire"}),
        activities=frozenset({"geriatrics"}),
    )
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        assert await repository.upsert_structure(structure, NOW) == "new"
        assert await repository.upsert_structure(structure, NOW) == "kept"
        closed = Structure(**{**vars(structure), "active": False})
        assert await repository.upsert_structure(closed, NOW) == "updated"
        assert await repository.load_active_structures() == []
        assert await repository.upsert_structure(structure, NOW) == "updated"
        assert await repository.load_active_structures() == [structure]


async def test_directory_version_changes_with_any_change(database: Database) -> None:
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        versions = [await repository.directory_version()]
        await repository.upsert_national([record()], SOURCE_RPPS, NOW)
        versions.append(await repository.directory_version())
        await repository.save_card("810000000001", Card(languages=frozenset({"en"})), "t", NOW)
        versions.append(await repository.directory_version())
        await repository.mark_inactive(["810000000001"], NOW.replace(hour=9))
        versions.append(await repository.directory_version())
        same = await repository.directory_version()
    assert len(set(versions)) == 4 and same == versions[-1]
