"""The month's « places déclarées par les médecins »: the places the GPs declared, the
same whichever GP wins a race for a patient and whether they accept by a reply or by a
reaction, even when the periodic job runs with a moment read before an accept's writes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.core.times import PARIS
from cpts_bot.features.medecin_traitant.figures import declared_places
from cpts_bot.features.medecin_traitant.models import CapacityScope, GpRoom
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.i18n import Translator
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.scheduling.periodic_jobs import JobRunner, PeriodicJob
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import HYERES
from tests.unit.medecin_traitant_support import (
    GP_A,
    GP_B,
    PHARMACIST,
    Desk,
    add_professional,
    mt_config,
    offers_to,
)

MONTH = Month(2026, 11)
START, END = MONTH.start_utc(), MONTH.end_utc()
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=PARIS).astimezone(UTC)
# The periodic job read its clock, then waited for the write lock while an accept ran.
STALE = timedelta(seconds=30)


async def _accept(
    desk: Desk, user: str, offer_event: str, room: str, by_reaction: bool, at: datetime
) -> None:
    if by_reaction:
        assert await desk.react(user, "👍", offer_event, at)
    else:
        assert await desk.say(user, "je prends", at, room=room, reply_to=offer_event)
    await desk.tick(at - STALE)


async def _race_report(folder: Path, winner: str, by_reaction: bool) -> str:
    database = await Database.open(folder / "bot.sqlite")
    async with database.transaction() as db:
        await add_professional(db, PHARMACIST, HYERES, NOW, profession="21")
        await add_professional(db, GP_A, HYERES, NOW)
        await add_professional(db, GP_B, HYERES, NOW)
    desk = Desk(database, mt_config())
    await desk.say(PHARMACIST, "patient sans médecin traitant, 45 ans, Hyères\nM. Un", NOW)
    await desk.say(PHARMACIST, "patient sans médecin traitant, 75 ans, ALD, Hyères\nM. Deux", NOW)
    await desk.flush(NOW)
    assert await desk.say(GP_A, "je peux prendre 1 nouveau patient", NOW)
    assert await desk.say(GP_B, "je peux prendre 2 nouveaux patients ce mois-ci", NOW)
    sent = await desk.flush(NOW)
    offers = {gp: offers_to(sent, gp) for gp in (GP_A, GP_B)}
    assert all(len(found) == 1 and "n°2" in found[0].text for found in offers.values())
    loser = GP_B if winner == GP_A else GP_A
    first = offers[winner][0]
    at = NOW + timedelta(minutes=1)
    await _accept(desk, winner, first.event_id, first.room_id, by_reaction, at)
    after = await desk.flush(at)
    next_offer = [o for o in offers_to(after, loser) if "n°1" in o.text]
    assert len(next_offer) == 1, [o.text for o in offers_to(after, loser)]
    at += timedelta(minutes=1)
    await _accept(desk, loser, next_offer[0].event_id, next_offer[0].room_id, by_reaction, at)
    await desk.flush(at)
    await desk.tick(at + timedelta(minutes=1))
    async with database.transaction() as db:
        report = await build_monthly_report(db, MONTH, Translator("fr"), charts=False)
    await database.close()
    return report.text


@pytest.mark.parametrize("by_reaction", [False, True], ids=["reply", "reaction"])
@pytest.mark.parametrize("winner", [GP_A, GP_B], ids=["alpha-wins", "bravo-wins"])
def test_declared_places_do_not_depend_on_the_race(
    tmp_path: Path, winner: str, by_reaction: bool
) -> None:
    text = asyncio.run(_race_report(tmp_path, winner, by_reaction))
    assert "Médecin traitant : 2 demandes reçues, 2 placées, 0 en attente" in text
    assert "Places déclarées par les médecins : 3 (par 2 médecins), placements : 2" in text


def _room(
    user: str,
    capacity: int,
    at: datetime,
    scope: CapacityScope = CapacityScope.ONCE,
    accepting: bool = True,
) -> GpRoom:
    return GpRoom(user, capacity, scope, accepting, at)


def test_declared_places_keep_what_was_declared_in_the_month() -> None:
    inside = START + timedelta(days=2)
    later = inside + timedelta(days=3)
    declarations = [
        _room("@filled", 1, inside),
        _room("@filled", 0, later, accepting=False),  # « je confirme » once it was full
        _room("@stopped", 2, inside, CapacityScope.THIS_MONTH),
        _room("@stopped", 0, later, accepting=False),  # « je ne prends plus »
        _room("@raised", 1, inside),
        _room("@raised", 3, later),
        _room("@old", 4, START - timedelta(days=40), CapacityScope.EVERY_MONTH),
        _room("@last-month", 2, START - timedelta(days=5), CapacityScope.THIS_MONTH),
        _room("@never", 0, inside, accepting=False),
        _room("@next-month", 5, END),
    ]
    expected = sorted([1, 2, 3, 4])
    assert sorted(declared_places(declarations, START, END)) == expected
    # Equal timestamps, any order: the same figure.
    assert sorted(declared_places(list(reversed(declarations)), START, END)) == expected


def test_a_stop_before_the_month_leaves_nothing_declared() -> None:
    declarations = [
        _room("@gp", 3, START - timedelta(days=20)),
        _room("@gp", 0, START - timedelta(days=2), accepting=False),
    ]
    assert declared_places(declarations, START, END) == []


async def _clock_after_wait(tmp_path: Path) -> tuple[datetime, datetime]:
    database = await Database.open(tmp_path / "bot.sqlite")
    moments = iter([NOW, NOW + timedelta(seconds=1)])
    seen: list[datetime] = []

    async def job(context) -> None:  # type: ignore[no-untyped-def]
        seen.append(context.now)

    config: RoomsConfig = mt_config()
    runner = JobRunner(database, config, "@bot:cpts.test", lambda: None, lambda: next(moments))
    async with database.transaction():
        waiting = asyncio.ensure_future(runner.run(PeriodicJob("probe", 1, job)))
        await asyncio.sleep(0.05)
        writer_moment = next(moments)  # the transaction holding the lock reads the clock
    await waiting
    await database.close()
    return writer_moment, seen[0]


def test_a_job_reads_the_clock_once_it_holds_the_write_lock(tmp_path: Path) -> None:
    writer_moment, job_moment = asyncio.run(_clock_after_wait(tmp_path))
    assert job_moment > writer_moment
