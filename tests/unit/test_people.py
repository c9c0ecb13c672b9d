"""People are named by their card (name, profession, phone where needed), else by the
rota's name, else by their Matrix ID."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cpts_bot.features.directory.card import Card
from cpts_bot.features.directory.models import PracticeSite
from cpts_bot.features.directory.repository import SOURCE_CPTS, DirectoryRepository, NationalRecord
from cpts_bot.features.handoff.service import hand_off
from cpts_bot.i18n import Translator
from cpts_bot.services.people import person_label
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CLAIRE = "@claire:example.org"
ROTA_ONLY = "@rota:example.org"
NOBODY = "@nobody:example.org"


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite")
    async with database.transaction() as db:
        repository = DirectoryRepository(db)
        record = NationalRecord(
            key="cpts-1",
            rpps=None,
            title="",
            last_name="MARTIN",
            first_name="Claire",
            profession_code="60",
            profession_label="Infirmier",
            sites=(PracticeSite("69388", "Lyon 8e", "69008", "1 rue A"),),
        )
        await repository.upsert_national([record], SOURCE_CPTS, NOW)
        await repository.save_card(
            "cpts-1", Card(matrix_id=CLAIRE, phone="04 78 00 00 01"), "t", NOW
        )
        await db.execute(
            "INSERT INTO duty_slots (user_id, name, profession, communes, weekday, start_time,"
            " end_time, source, created_by, created_at)"
            " VALUES (?, 'Paul Remplaçant', '60', '69388', 0, '08:00', '20:00', 'csv', 't', ?)",
            (ROTA_ONLY, "2026-11-01T00:00:00Z"),
        )
    yield database
    await database.close()


async def test_card_then_rota_then_matrix_id(database: Database) -> None:
    french = Translator("fr")
    async with database.transaction() as db:
        assert await person_label(db, CLAIRE, french) == "Claire MARTIN (IDE)"
        with_phone = await person_label(db, CLAIRE, french, phone=True)
        assert with_phone == "Claire MARTIN (IDE) — 04 78 00 00 01"
        assert await person_label(db, ROTA_ONLY, french) == "Paul Remplaçant"
        assert await person_label(db, NOBODY, french) == NOBODY


async def test_a_hand_off_names_the_requester_with_their_phone(database: Database) -> None:
    config = RoomsConfig.model_validate(
        {
            "territory": {"name": "T", "communes": [{"insee": "69388", "name": "Lyon 8e"}]},
            "coordinators": ["@coord:example.org"],
            "rooms": {"coordination": "!coord:example.org"},
        }
    )
    async with database.transaction() as db:
        await hand_off(
            db,
            OutboxWriter(db, NOW),
            config,
            requester=CLAIRE,
            origin_room_id="!dm:example.org",
            origin_event_id="$q",
            question="orthophoniste à Bron ?",
            requested_at=NOW,
        )
    row = await database.fetch_one("SELECT payload FROM outbox")
    text = json.loads(row["payload"])["text"]
    assert text.startswith(
        "🙋 Demande n° 1 pour une personne de la coordination, par Claire MARTIN (IDE) — "
        "04 78 00 00 01 :"
    ), text  # « par », not « de »: « Demande n° 1 de Anne » is wrong French
    assert CLAIRE not in text
