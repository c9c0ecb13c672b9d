"""Two colleagues take the same request for cover at the same moment, each in its own
transaction on its own SQLite connection, both holding the request as it was read when
still open: the conditional update lets exactly one win, and only the winner's handover
reaches the rota."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.domain.duty_rota import OneOffShift, on_duty_at
from cpts_bot.domain.shift_swap_models import ShiftSwap
from cpts_bot.domain.shift_swap_state_machine import SwapEvent, SwapState
from cpts_bot.domain.times import PARIS
from cpts_bot.storage import rota_repository
from cpts_bot.storage import shift_swap_repository as repo
from cpts_bot.storage.database import Database

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS).astimezone(UTC)
START, END = NOW + timedelta(days=2), NOW + timedelta(days=2, hours=12)
REQUESTER = "@anne:cpts.test"
TAKERS = [f"@nurse{i}:cpts.test" for i in range(2)]


async def _open_request(database: Database) -> ShiftSwap:
    async with database.transaction() as db:
        shift = OneOffShift(REQUESTER, "60", frozenset(), START, END)
        await rota_repository.add_shift(db, shift, rota_repository.SOURCE_CHAT, REQUESTER, NOW)
        new = repo.NewSwap(REQUESTER, "!dm:cpts.test", "60", (), START, END, START)
        swap = await repo.create(db, new, NOW)
        await repo.add_recipients(db, swap.id, TAKERS, NOW)
    return swap


@pytest.mark.parametrize("order", [[0, 1], [1, 0]])
async def test_two_accepts_one_winner(tmp_path: Path, order: list[int]) -> None:
    main = await Database.open(tmp_path / "bot.sqlite")
    swap = await _open_request(main)
    connections = [await Database.open(tmp_path / "bot.sqlite") for _ in TAKERS]

    async def take(index: int) -> ShiftSwap | None:
        async with connections[index].transaction() as db:
            # Both hold the request as read while open: only the database can decide.
            return await repo.take(db, swap, TAKERS[index], NOW)

    try:
        results = await asyncio.gather(*(take(index) for index in order))
    finally:
        for connection in connections:
            await connection.close()
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    winner = winners[0].taken_by
    assert winner in TAKERS and winners[0].state is SwapState.TAKEN
    async with main.transaction() as db:
        stored = await repo.get(db, swap.id)
        assert stored is not None and stored.taken_by == winner
        async with db.execute("SELECT to_user FROM duty_handovers") as cursor:
            assert [row[0] for row in await cursor.fetchall()] == [winner]
        events = [row["event"] for row in await repo.transitions(db, swap.id)]
        assert events == ["create", "accept"]
        rota = await rota_repository.load_rota(db, START - timedelta(days=1), END)
    assert [duty.user_id for duty in on_duty_at(rota, START + timedelta(hours=1))] == [winner]
    await main.close()


async def test_an_ended_request_cannot_be_taken(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    swap = await _open_request(database)
    async with database.transaction() as db:
        assert await repo.apply_transition(db, swap, SwapEvent.CANCEL, REQUESTER, NOW)
        assert await repo.take(db, swap, TAKERS[0], NOW) is None
        async with db.execute("SELECT COUNT(*) FROM duty_handovers") as cursor:
            assert (await cursor.fetchone())[0] == 0
    await database.close()
