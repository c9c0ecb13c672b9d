"""The monthly reminder to GPs is sent once per month, not after an opt-out (the race of
GPs accepting the same patient, for every kind of offer: ``test_offer_race.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpts_bot.core.times import PARIS
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import HYERES
from tests.unit.medecin_traitant_support import (
    Desk,
    add_professional,
    mt_config,
    to,
)

NOW = datetime(2026, 11, 10, 10, 0, tzinfo=PARIS).astimezone(UTC)
CONFIG = mt_config()


async def test_monthly_reminder_once_and_opt_out(tmp_path: Path) -> None:
    gp, other = "@dr.rappel:cpts.test", "@dr.silence:cpts.test"
    database = await Database.open(tmp_path / "bot.sqlite")
    async with database.transaction() as db:
        await add_professional(db, gp, HYERES, NOW)
        await add_professional(db, other, HYERES, NOW)
    desk = Desk(database, CONFIG)
    assert await desk.say(gp, "je peux prendre 2 nouveaux patients", NOW)
    assert await desk.say(other, "je peux prendre 1 nouveau patient", NOW)
    assert await desk.say(other, "stop rappels", NOW)
    await desk.flush(NOW)
    december = datetime(2026, 12, 1, 9, 5, tzinfo=PARIS).astimezone(UTC)
    await desk.tick(december - timedelta(hours=1))
    assert to(await desk.flush(december), gp) == ""
    await desk.tick(december)
    await desk.tick(december + timedelta(hours=2))
    sent = await desk.flush(december)
    reminders = [s for s in sent if s.correlation and ":reminder:" in s.correlation]
    assert [s.target for s in reminders] == [gp]
    assert "avez-vous toujours de la place" in reminders[0].text
    assert "2 places restantes" in reminders[0].text
    # « je confirme » in reply to it: the same room, dated today.
    assert await desk.say(gp, "je confirme", december, reply_to=reminders[0].event_id)
    assert "déclarées le 1 décembre 2026" in to(await desk.flush(december), gp)
    await desk.tick(december + timedelta(days=3))
    assert [
        s for s in await desk.flush(december) if s.correlation and ":reminder:" in s.correlation
    ] == []
    await database.close()


async def test_a_monthly_reminder_owed_in_the_quiet_hours_waits_for_their_end(
    tmp_path: Path,
) -> None:
    """Owed since 09:00 on the 1st, the bot down until 22:00: the GP's phone does not
    ring at night; the reminder goes at 08:00."""
    gp = "@dr.nuit:cpts.test"
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        async with database.transaction() as db:
            await add_professional(db, gp, HYERES, NOW)
        desk = Desk(database, CONFIG)
        assert await desk.say(gp, "je peux prendre 2 nouveaux patients", NOW)
        await desk.flush(NOW)
        night = datetime(2026, 12, 1, 22, 0, tzinfo=PARIS).astimezone(UTC)
        morning = datetime(2026, 12, 2, 8, 0, tzinfo=PARIS).astimezone(UTC)
        for moment in (night, morning - timedelta(minutes=1)):
            await desk.tick(moment)
            assert [
                s for s in await desk.flush(moment) if ":reminder:" in (s.correlation or "")
            ] == []
        await desk.tick(morning)
        sent = await desk.flush(morning)
        assert [s.target for s in sent if ":reminder:" in (s.correlation or "")] == [gp]
    finally:
        await database.close()
