"""Requests for cover that do not die quietly: a colleague who has not answered is
reminded once after a delay (never in the quiet hours), and the coordination is told once
when the duty is still uncovered a set time before it starts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cpts_bot.features.rota.reminders.duty_reminders_service import DutyReminders
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import FakeHomeserver, Sent, context_for
from tests.unit.test_shift_swap_flow import (
    ANNE,
    BRUNO,
    CHLOE,
    CONFIG,
    COORDINATION,
    DENIS,
    EMMA,
    FEATURE,
    NOW,
    Desk,
    at,
)


async def run(database: Database, now) -> list[Sent]:
    async with database.transaction() as db:
        await DutyReminders(FEATURE.directory).run_due(context_for(db, CONFIG, now, None))
    return await FakeHomeserver(database).flush(now)


async def test_silent_colleagues_are_reminded_then_the_coordination_told(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    desk = Desk(database)
    await desk.shift(ANNE, at(4, 20), at(5, 8))  # Friday night; asked Tuesday 11:00
    sent = await desk.say(ANNE, "je cherche un remplaçant pour ma garde du 4/12")
    offers = {s.target: s for s in sent if s.target in (BRUNO, CHLOE, DENIS, EMMA)}
    assert set(offers) == {BRUNO, CHLOE, DENIS, EMMA}
    await desk.say(BRUNO, "pas dispo", reply_to=offers[BRUNO])
    # Tuesday 20:00, out of the quiet hours: 9 h after being asked, not 12 yet.
    assert [s for s in await run(database, NOW + timedelta(hours=9)) if s.target != ANNE] == []
    assert [s for s in await run(database, NOW + timedelta(hours=11)) if s.target != ANNE] == []
    reminded = await run(database, NOW + timedelta(hours=12))  # Tuesday 23:00: quiet hours
    assert reminded == []
    reminded = await run(database, at(2, 8))  # Wednesday 08:00: the quiet hours are over
    assert sorted(s.target for s in reminded) == [CHLOE, DENIS, EMMA]
    assert reminded[0].text.startswith(
        "Rappel : Anne cherche toujours quelqu'un pour sa garde le ven. 4 déc. 20 h – 8 h "
        "(IDE, Hyères), demande n°1."
    )
    assert await run(database, at(2, 9)) == []
    # 25 h before the duty: Anne's own reminder (the duty is still hers), nothing else.
    assert [s.target for s in await run(database, at(3, 19))] == [ANNE]
    [told] = await run(database, at(3, 20))  # 24 h before
    assert told.room_id == COORDINATION
    assert told.text.startswith(
        "Toujours sans remplaçant : la garde de Anne demain 20 h – 8 h (IDE, Hyères), demande "
        "de remplacement n°1, personne ne l'a prise."
    )
    assert await run(database, at(3, 21)) == []
    await database.close()
