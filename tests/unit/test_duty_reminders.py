"""The reminder before each duty: the evening before, once (across a restart too), at a
person's own time or never, never in the quiet hours; the coordination told when a duty
has nobody. Over a real SQLite with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Declared, Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.duty_rota import Leave, OneOffShift
from cpts_bot.features.rota.quiet_hours import QuietHours
from cpts_bot.features.rota.reminders.duty_reminder_commands import DUTY_REMINDER_COMMANDS
from cpts_bot.features.rota.reminders.duty_reminder_policy import DutyReminderPolicy, reminder_at
from cpts_bot.features.rota.reminders.duty_reminders_service import DutyReminders
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    FakeDirectory,
    FakeHomeserver,
    Sent,
    context_for,
    make_config,
    message,
    professional,
)

ALICE, BOB = "@alice:cpts.test", "@bob:cpts.test"
ROOM = "!coordination:cpts.test"
CONFIG = make_config(rooms={"coordination": ROOM})
DIRECTORY = FakeDirectory([professional(ALICE, "60", HYERES), professional(BOB, "60", HYERES)])


def paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


async def add_shift(database: Database, user: str, start: datetime, end: datetime) -> None:
    async with database.transaction() as db:
        shift = OneOffShift(user, "60", frozenset({HYERES}), start, end)
        await rota_repository.add_shift(db, shift, "chat", COORDINATOR, start)


async def run(database: Database, at: datetime, config=CONFIG) -> list[Sent]:
    async with database.transaction() as db:
        await DutyReminders(DIRECTORY).run_due(context_for(db, config, at, None))
    return await FakeHomeserver(database).flush(at)


async def say(database: Database, sender: str, text: str, at: datetime) -> str:
    msg = message(sender, text, at)
    async with database.transaction() as db:
        await route_message(
            Routes.of(Declared(DUTY_REMINDER_COMMANDS)),
            msg,
            context_for(db, CONFIG, at, msg),
        )
    [answer] = await FakeHomeserver(database).flush(at)
    return answer.text


@pytest.fixture
async def database(tmp_path: Path):
    database = await Database.open(tmp_path / "bot.sqlite")
    yield database
    await database.close()


async def test_the_evening_before_once_even_after_a_restart(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    await add_shift(database, ALICE, paris(24, 8), paris(24, 20))
    assert await run(database, paris(23, 17, 59)) == []
    [reminder] = await run(database, paris(23, 18))
    assert reminder.target == ALICE and reminder.action == "direct_message"
    assert reminder.text == "Rappel : vous êtes de garde demain 8 h – 20 h (IDE, Hyères)."
    assert await run(database, paris(23, 18, 1)) == []
    await database.close()
    database = await Database.open(tmp_path / "bot.sqlite")  # the bot restarts
    assert await run(database, paris(23, 19)) == []
    assert await run(database, paris(24, 7, 59)) == []
    await database.close()


async def test_a_person_chooses_the_time_or_turns_reminders_off(database: Database) -> None:
    await add_shift(database, ALICE, paris(24, 8), paris(24, 20))
    await add_shift(database, BOB, paris(24, 20), paris(25, 8))
    assert await say(database, ALICE, "rappels de garde à 19h30", paris(23, 9)) == (
        "Rappels de garde à 19:30 la veille de chacune de vos gardes (jamais entre 21:00 et 08:00)."
    )
    assert await say(database, BOB, "Rappels de garde non", paris(23, 9)) == (
        "Rappels de garde désactivés. « rappels de garde oui » les réactive."
    )
    assert await run(database, paris(23, 18)) == []
    [reminder] = await run(database, paris(23, 19, 30))
    assert reminder.target == ALICE
    assert await run(database, paris(24, 18)) == []  # Bob's night: he turned them off
    assert "Je ne lis pas cette heure" in await say(
        database, ALICE, "rappels de garde à 25h", paris(23, 9)
    )
    assert await say(database, ALICE, "duty reminders on", paris(23, 9)) == (
        "Rappels de garde activés : la veille de chacune de vos gardes."
    )


def test_never_in_the_quiet_hours() -> None:
    quiet = QuietHours()
    early = DutyReminderPolicy(hours_before=8)
    # A duty at 14:00: planned 06:00 (quiet), sent when the quiet hours end at 08:00.
    assert reminder_at(paris(24, 14), early, quiet) == paris(24, 8)
    # A duty at 08:00: planned at midnight, moved back before the quiet hours began.
    assert reminder_at(paris(24, 8), early, quiet) == paris(23, 20, 59)
    late = DutyReminderPolicy(day_before_at=time(22, 30))
    assert reminder_at(paris(25, 20), late, quiet) == paris(25, 8)
    assert reminder_at(paris(25, 20), late, QuietHours(start=time(0), end=time(0))) == paris(
        24, 22, 30
    )


async def test_a_duty_due_during_the_quiet_hours_waits_for_their_end(database: Database) -> None:
    config = CONFIG.model_copy(update={"duty_reminders": DutyReminderPolicy(hours_before=8)})
    await add_shift(database, ALICE, paris(24, 14), paris(24, 20))
    assert await run(database, paris(24, 6), config) == []
    assert await run(database, paris(24, 7, 59), config) == []
    [reminder] = await run(database, paris(24, 8), config)
    assert reminder.text.startswith("Rappel : vous êtes de garde aujourd'hui 14 h – 20 h")


async def test_a_reminder_overdue_in_the_quiet_hours_waits_for_their_end(
    database: Database,
) -> None:
    """Due at 18:00 but the bot was down until 22:00: it catches up at 08:00, not at
    night."""
    await add_shift(database, ALICE, paris(24, 14), paris(24, 20))
    assert await run(database, paris(23, 22)) == []
    assert await run(database, paris(24, 7, 59)) == []
    [reminder] = await run(database, paris(24, 8))
    assert reminder.text.startswith("Rappel : vous êtes de garde aujourd'hui 14 h – 20 h")


async def test_the_coordination_is_told_once_when_a_duty_has_nobody(database: Database) -> None:
    await add_shift(database, BOB, paris(24, 20), paris(25, 8))
    async with database.transaction() as db:
        leave = Leave(BOB, paris(24, 0), paris(26, 0))
        await rota_repository.add_leave(db, leave, "chat", BOB, paris(20, 9))
    [notice] = await run(database, paris(23, 18))
    assert notice.room_id == ROOM
    assert notice.text == (
        "Personne pour la garde demain 20 h – 8 h (IDE, Hyères) : Bob est en congé. "
        "Pour la confier : « garde du 24/11 IDE Hyères : nom »."
    )
    assert await run(database, paris(23, 20)) == []


async def test_the_weekly_gaps_summary_goes_once_to_the_coordination(database: Database) -> None:
    await add_shift(database, BOB, paris(28, 20), paris(29, 8))  # Saturday night
    await add_shift(database, ALICE, paris(30, 8), paris(30, 20))
    async with database.transaction() as db:
        leave = Leave(BOB, paris(28, 0), paris(30, 0))
        await rota_repository.add_leave(db, leave, "chat", BOB, paris(20, 9))
    assert await run(database, paris(27, 9, 59)) == []  # Friday, before 10:00
    [summary] = await run(database, paris(27, 10))
    assert summary.room_id == ROOM
    assert summary.text.splitlines() == [
        "Trous dans le planning, 7 prochains jours : 1 problème",
        "• Bob : garde sam. 28 nov. 20 h – 8 h (IDE, Hyères) pendant son congé",
        "Pour confier une garde sans personne : « garde du 24/12 nuit IDE Hyères : nom ».",
    ]
    assert await run(database, paris(27, 11)) == []
