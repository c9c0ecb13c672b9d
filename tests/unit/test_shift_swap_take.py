"""Taking a request for cover is one conditional update: a request that ended cannot be
taken, and no handover reaches the rota (the race of several accepts, for every kind of
offer: ``test_offer_race.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpts_bot.core.times import PARIS
from cpts_bot.features.cover import repository as repo
from cpts_bot.features.cover.models import ShiftSwap, SwapRequest
from cpts_bot.features.cover.states import SwapEvent
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.duty_rota import OneOffShift
from cpts_bot.storage.database import Database

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS).astimezone(UTC)
START, END = NOW + timedelta(days=2), NOW + timedelta(days=2, hours=12)
REQUESTER = "@anne:cpts.test"
TAKERS = [f"@nurse{i}:cpts.test" for i in range(2)]


async def _open_request(database: Database) -> ShiftSwap:
    async with database.transaction() as db:
        shift = OneOffShift(REQUESTER, "60", frozenset(), START, END)
        await rota_repository.add_shift(db, shift, rota_repository.SOURCE_CHAT, REQUESTER, NOW)
        new = SwapRequest(REQUESTER, "!dm:cpts.test", "60", (), START, END, START)
        swap = await repo.create(db, new, NOW)
        await repo.add_recipients(db, swap.id, TAKERS, NOW)
    return swap


async def test_an_ended_request_cannot_be_taken(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    swap = await _open_request(database)
    async with database.transaction() as db:
        assert await repo.apply_transition(db, swap, SwapEvent.CANCEL, REQUESTER, NOW)
        assert await repo.take(db, swap, TAKERS[0], NOW) is None
        async with db.execute("SELECT COUNT(*) FROM duty_handovers") as cursor:
            assert (await cursor.fetchone())[0] == 0
    await database.close()
