"""The directory adapter: who the dispatch feature may ask, from the real tables."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cpts_bot.features.directory.card import Card
from cpts_bot.features.directory.models import PracticeSite
from cpts_bot.features.directory.repository import SOURCE_RPPS, DirectoryRepository, NationalRecord
from cpts_bot.features.dispatch.directory_service import DirectoryProfessionalLookup
from cpts_bot.storage.database import Database

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def record(key: str, profession: str, commune: str, name: str) -> NationalRecord:
    return NationalRecord(
        key=key,
        rpps=key[1:],
        title="",
        last_name=name,
        first_name="",
        profession_code=profession,
        sites=(PracticeSite(commune, commune, phone="04 94 00 00 00"),),
    )


async def test_members_need_a_matrix_id_the_profession_and_the_commune(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    async with database.transaction() as db:
        repository = DirectoryRepository(db)
        await repository.upsert_national(
            [
                record("810000000001", "60", "83069", "Alpha"),
                record("810000000002", "60", "83069", "Beta"),  # no Matrix ID
                record("810000000003", "60", "83047", "Gamma"),
                record("810000000004", "70", "83069", "Delta"),
                record("810000000005", "60", "83069", "Epsilon"),
            ],
            SOURCE_RPPS,
            NOW,
        )
        for key, user in [
            ("810000000001", "@alpha:hs"),
            ("810000000003", "@gamma:hs"),
            ("810000000004", "@delta:hs"),
            ("810000000005", "@eps:hs"),
        ]:
            await repository.save_card(key, Card(matrix_id=user), "@coord:hs", NOW)
        await repository.mark_inactive(["810000000005"], NOW)
        lookup = DirectoryProfessionalLookup()
        hyeres = await lookup.members(db, "60", ["83069"])
        everywhere = await lookup.members(db, "60", None)
        nobody = await lookup.members(db, "60", [])
        alpha = await lookup.by_matrix_id(db, "@alpha:hs")
    assert [p.matrix_id for p in hyeres] == ["@alpha:hs"]
    assert sorted(p.matrix_id for p in everywhere) == ["@alpha:hs", "@gamma:hs"]
    assert nobody == []
    assert alpha is not None and alpha.last_name == "Alpha"
    await database.close()
