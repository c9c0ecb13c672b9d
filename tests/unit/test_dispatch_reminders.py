"""Reminders until someone acts: the pure timetable with an injected clock, then the
scheduler's service over a real SQLite (once each, across a restart)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.models import Dispatch
from cpts_bot.features.dispatch.policy import DispatchPolicy, ReminderPolicy
from cpts_bot.features.dispatch.reminders import (
    DueReminder,
    ReminderKind,
    care_due_at,
    due_reminders,
)
from cpts_bot.features.dispatch.reminders_service import run_due_reminders
from cpts_bot.features.dispatch.states import DispatchState
from cpts_bot.features.rota.quiet_hours import QuietHours
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
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

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
EVENING = datetime(2026, 11, 23, 20, 0, tzinfo=PARIS).astimezone(UTC)
ALICE, BOB = "@alice:cpts.test", "@bob:cpts.test"
POLICY = ReminderPolicy()  # due 2 h after the care's time, coordination 1 h after that


def taken(
    id: int = 1,
    needed_at: datetime = EVENING,
    precision: str = "time",
    taken_at: datetime = NOW,
    step: int = 0,
    state: DispatchState = DispatchState.TAKEN,
) -> Dispatch:
    return Dispatch(
        id=id,
        state=state,
        requester=COORDINATOR,
        request_room="!r:cpts.test",
        profession="60",
        communes=(HYERES,),
        needed_at=needed_at,
        needed_precision=precision,
        what="pansement",
        expires_at=NOW + timedelta(hours=1),
        created_at=NOW,
        updated_at=NOW,
        taken_by=ALICE,
        taken_at=taken_at,
        reminder_step=step,
    )


def test_the_care_is_due_after_its_time_or_after_it_was_taken() -> None:
    assert care_due_at(taken(), POLICY) == EVENING + timedelta(hours=2)
    late = taken(taken_at=EVENING + timedelta(hours=1))  # « maintenant », taken later
    assert care_due_at(late, POLICY) == EVENING + timedelta(hours=3)
    tomorrow = datetime(2026, 11, 24, 0, 0, tzinfo=PARIS).astimezone(UTC)
    whole_day = taken(needed_at=tomorrow, precision="day")
    assert care_due_at(whole_day, POLICY) == datetime(2026, 11, 24, 20, 0, tzinfo=PARIS)
    assert care_due_at(taken(state=DispatchState.OPEN), POLICY) is None


def test_the_reminder_timetable() -> None:
    due = EVENING + timedelta(hours=2)
    dispatches = [
        taken(1),
        taken(2, step=1),
        taken(3, step=2),  # both sent: nothing more
        taken(4, state=DispatchState.COMPLETED),
        taken(5, needed_at=EVENING + timedelta(hours=5)),  # not yet
    ]
    assert due_reminders(dispatches, due - timedelta(seconds=1), POLICY) == []
    assert due_reminders(dispatches, due, POLICY) == [DueReminder(1, ReminderKind.TAKER, due)]
    later = due + timedelta(hours=1)
    assert due_reminders(dispatches, later, POLICY) == [
        DueReminder(1, ReminderKind.TAKER, due),
        DueReminder(2, ReminderKind.COORDINATION, later),
    ]
    assert due_reminders(dispatches, later, POLICY.model_copy(update={"enabled": False})) == []


def test_reminder_settings() -> None:
    policy = DispatchPolicy.model_validate(
        {"reminders": {"done_within_seconds": 5, "coordination_after_seconds": 3}}
    )
    assert policy.reminders.done_within == timedelta(seconds=5)
    assert policy.reminders.coordination_after == timedelta(seconds=3)
    assert DispatchPolicy().reminders.done_within == timedelta(hours=2)
    with pytest.raises(ValueError, match=r"extra|Extra"):
        DispatchPolicy.model_validate({"reminders": {"after": 3}})
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        DispatchPolicy.model_validate({"reminders": {"done_within_minutes": 0}})


DIRECTORY = FakeDirectory(
    [professional(ALICE, "60", HYERES, phone="0612345678"), professional(BOB, "60", HYERES)]
)


class Desk:
    def __init__(self, database: Database, config: RoomsConfig) -> None:
        self.database = database
        self.config = config
        self.feature = DispatchFeature(DIRECTORY)
        self.server = FakeHomeserver(database)

    async def say(
        self, sender: str, text: str, at: datetime, reply_to: Sent | None = None
    ) -> list[Sent]:
        incoming = message(
            sender,
            text,
            at,
            room=reply_to.room_id if reply_to else "!coord:cpts.test",
            reply_to=reply_to.event_id if reply_to else None,
            is_direct=reply_to is not None,
        )
        async with self.database.transaction() as db:
            context = context_for(db, self.config, at, incoming)
            await route_message(Routes.of(self.feature), incoming, context)
        return await self.server.flush(at)

    async def remind(self, at: datetime) -> list[Sent]:
        async with self.database.transaction() as db:
            deps = Context(db, at, OutboxWriter(db, at), self.config, DIRECTORY)
            await run_due_reminders(deps)
        return await self.server.flush(at)

    async def taken_by_alice(self) -> None:
        sent = await self.say(
            COORDINATOR, "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord", NOW
        )
        broadcast = next(s for s in sent if s.target == ALICE)
        await self.say(ALICE, "je prends", NOW + timedelta(minutes=3), reply_to=broadcast)


# These reminders fall at night (22:00): the quiet hours are tested on their own below.
NO_QUIET = {"quiet_hours": QuietHours(start=time(0), end=time(0))}
CONFIG = make_config(rooms={"coordination": "!coordination:cpts.test"}).model_copy(update=NO_QUIET)
DUE = EVENING + timedelta(hours=2)


async def test_the_taker_then_the_coordination_once_each_across_a_restart(
    tmp_path: Path,
) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    desk = Desk(database, CONFIG)
    await desk.taken_by_alice()
    assert await desk.remind(DUE - timedelta(minutes=1)) == []
    [reminder] = await desk.remind(DUE)
    assert reminder.target == ALICE and reminder.payload["notice"] is False
    assert reminder.text.startswith("Rappel : le déclenchement n°1 (IDE, Hyères, lun. 23 nov.")
    assert "envoyez « fait 1 »" in reminder.text
    assert await desk.remind(DUE + timedelta(minutes=30)) == []  # once
    # Restart: the reminder sent is in the database, never sent again.
    await database.close()
    database = desk.database = desk.server.database = await Database.open(tmp_path / "bot.sqlite")
    assert await desk.remind(DUE + timedelta(minutes=59)) == []
    [told] = await desk.remind(DUE + timedelta(hours=1))
    assert told.target == "!coordination:cpts.test"
    assert told.text.startswith("Le déclenchement n°1 (IDE, Hyères, lun. 23 nov. 20:00), pris par")
    assert "Alice" in told.text and "0612345678" in told.text
    assert "n'est toujours pas noté comme réalisé malgré un rappel" in told.text
    assert await desk.remind(DUE + timedelta(days=2)) == []
    notes = await database.fetch_all(
        "SELECT event, note FROM dispatch_transitions WHERE event = 'remind' ORDER BY id"
    )
    assert [tuple(row) for row in notes] == [("remind", "taker"), ("remind", "coordination")]
    [status] = await desk.say(COORDINATOR, "statut 1", DUE + timedelta(days=2))
    assert status.text.count("rappel envoyé") == 2
    await database.close()


async def test_a_dispatch_marked_done_is_not_reminded(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    desk = Desk(database, CONFIG)
    await desk.taken_by_alice()
    await desk.say(ALICE, "fait 1", EVENING + timedelta(hours=1))
    assert await desk.remind(DUE + timedelta(days=1)) == []
    await database.close()


async def test_taken_again_after_a_hand_back_the_new_taker_is_reminded(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    desk = Desk(database, CONFIG)
    await desk.taken_by_alice()
    assert [s.target for s in await desk.remind(DUE)] == [ALICE]
    back = EVENING + timedelta(hours=2, minutes=10)
    offered = await desk.say(ALICE, "je ne peux plus 1", back)
    broadcast = next(s for s in offered if s.target == BOB and s.action == "direct_message")
    await desk.say(BOB, "je prends", back, reply_to=broadcast)
    # Bob took it after its time: due two hours after he took it.
    assert await desk.remind(back + timedelta(minutes=119)) == []
    assert [s.target for s in await desk.remind(back + timedelta(hours=2))] == [BOB]
    await database.close()


async def test_the_periodic_job_sends_reminders_and_without_a_room_tells_coordinators(
    tmp_path: Path,
) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    desk = Desk(database, make_config().model_copy(update=NO_QUIET))
    await desk.taken_by_alice()
    for at in (DUE, DUE + timedelta(hours=1)):
        async with database.transaction() as db:
            await desk.feature.run_due_steps(context_for(db, desk.config, at, None))
    sent = await desk.server.flush(DUE)
    assert [(s.action, s.target) for s in sent] == [
        ("direct_message", ALICE),
        ("direct_message", COORDINATOR),
    ]
    await database.close()


def test_reminders_can_be_switched_off() -> None:
    policy = DispatchPolicy.model_validate({"reminders": {"enabled": False}})
    assert due_reminders([taken()], DUE + timedelta(days=1), policy.reminders) == []
    assert replace(taken(), reminder_step=0).reminder_step == 0


async def test_no_reminder_in_the_quiet_hours_but_for_an_urgent_request(tmp_path: Path) -> None:
    """Due at 22:00, inside the default quiet hours (21:00–08:00): sent at 08:00."""
    database = await Database.open(tmp_path / "bot.sqlite")
    desk = Desk(database, make_config(rooms={"coordination": "!coordination:cpts.test"}))
    await desk.taken_by_alice()
    assert await desk.remind(DUE) == []
    morning = datetime(2026, 11, 24, 8, 0, tzinfo=PARIS).astimezone(UTC)
    assert await desk.remind(morning - timedelta(minutes=1)) == []
    [reminder] = await desk.remind(morning)
    assert reminder.target == ALICE
    await database.close()
