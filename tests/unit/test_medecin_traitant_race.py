"""GPs accepting the same patient at once, each in its own transaction on its own SQLite
connection: exactly one is placed, the others are told; and the monthly reminder is sent
once per month, not after an opt-out."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.domain.times import PARIS
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import HYERES, context_for, message, reaction
from tests.unit.medecin_traitant_support import (
    PHARMACIST,
    Desk,
    add_professional,
    mt_config,
    offers_to,
    to,
)

NOW = datetime(2026, 11, 10, 10, 0, tzinfo=PARIS).astimezone(UTC)
CONFIG = mt_config()


async def _race(folder: Path, order: list[int], by_reaction: list[bool]) -> None:
    gps = [f"@dr.gp{i}:cpts.test" for i in range(len(order))]
    main = await Database.open(folder / "bot.sqlite")
    async with main.transaction() as db:
        await add_professional(db, PHARMACIST, HYERES, NOW, profession="21")
        for user in gps:
            await add_professional(db, user, HYERES, NOW)
    desk = Desk(main, CONFIG)
    for user in gps:
        assert await desk.say(user, "je peux prendre 1 nouveau patient", NOW)
    assert await desk.say(PHARMACIST, "patient sans médecin traitant, 75 ans, Hyères\nM. X", NOW)
    flushed = await desk.flush(NOW)
    offers = {user: offers_to(flushed, user) for user in gps}
    sent = {user: found[0] for user, found in offers.items() if found}
    assert set(sent) == set(gps)
    connections = [await Database.open(folder / "bot.sqlite") for _ in gps]

    async def accept(index: int) -> None:
        user, offer = gps[index], sent[gps[index]]
        async with connections[index].transaction() as db:
            if by_reaction[index]:
                event = reaction(user, "👍", offer.event_id, NOW)
                assert await desk.feature.handle_reaction(
                    event, context_for(db, CONFIG, NOW, event)
                )
            else:
                event = message(user, "je prends", NOW, room=offer.room_id, reply_to=offer.event_id)
                context = context_for(db, CONFIG, NOW, event)
                assert await route_message(Routes.of(desk.feature), event, context)

    try:
        await asyncio.gather(*(accept(index) for index in order))
    finally:
        for connection in connections:
            await connection.close()
    rows = await main.fetch_all(
        "SELECT actor FROM medecin_traitant_transitions WHERE event = 'accept'"
    )
    assert len(rows) == 1
    winner = rows[0]["actor"]
    placed = await main.fetch_one("SELECT state, placed_with FROM medecin_traitant_requests")
    assert placed is not None and tuple(placed) == ("placed", winner)
    after = await desk.flush(NOW)
    for user in gps:
        if user == winner:
            assert "M. X" in to(after, user)
        else:
            assert "M. X" not in to(after, user) and "confrère" in to(after, user)
    assert to(after, PHARMACIST).count("accepte d'être le médecin traitant") == 1
    await main.close()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(2, 4).flatmap(
        lambda n: st.tuples(
            st.permutations(range(n)), st.lists(st.booleans(), min_size=n, max_size=n)
        )
    )
)
def test_concurrent_accepts_have_exactly_one_winner(race: tuple[list[int], list[bool]]) -> None:
    order, by_reaction = race
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_race(Path(folder), list(order), by_reaction))


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
