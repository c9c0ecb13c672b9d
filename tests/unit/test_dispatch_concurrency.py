"""N professionals accept at once, in any order, each in its own transaction on its own
SQLite connection: exactly one wins, and every other one is told it is taken."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpts_bot.chat.command_dispatch import Routes, route_message, route_reaction
from cpts_bot.chat.dispatch_feature import DispatchFeature
from cpts_bot.domain.times import PARIS
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    FakeDirectory,
    FakeHomeserver,
    context_for,
    make_config,
    message,
    professional,
    reaction,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
CONFIG = make_config()


async def _race(folder: Path, count: int, order: list[int], by_reaction: list[bool]) -> None:
    users = [f"@nurse{i}:cpts.test" for i in range(count)]
    feature = DispatchFeature(FakeDirectory([professional(u, "60", HYERES) for u in users]))
    main = await Database.open(folder / "bot.sqlite")
    server = FakeHomeserver(main)
    request = message(COORDINATOR, "déclenchement IDE Hyères maintenant prise de sang", NOW)
    async with main.transaction() as db:
        assert await route_message(
            Routes.of(feature), request, context_for(db, CONFIG, NOW, request)
        )
    broadcasts = {s.target: s for s in await server.flush(NOW) if s.action == "direct_message"}
    assert set(broadcasts) == set(users)

    # One connection per professional: the race is decided by SQLite, not by one lock.
    connections = [await Database.open(folder / "bot.sqlite") for _ in users]

    async def accept(index: int) -> None:
        user = users[index]
        sent = broadcasts[user]
        async with connections[index].transaction() as db:
            if by_reaction[index]:
                event = reaction(user, "👍", sent.event_id, NOW)
                handled = await route_reaction(
                    Routes.of(feature), event, context_for(db, CONFIG, NOW, event)
                )
            else:
                event = message(
                    user,
                    "je prends",
                    NOW,
                    room=sent.room_id,
                    reply_to=sent.event_id,
                    is_direct=True,
                )
                handled = await route_message(
                    Routes.of(feature), event, context_for(db, CONFIG, NOW, event)
                )
            assert handled

    try:
        outcomes = await asyncio.gather(*(accept(index) for index in order), return_exceptions=True)
    finally:
        for connection in connections:
            await connection.close()
    try:
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        await _check(main, server, users)
    finally:
        await main.close()


async def _check(main: Database, server: FakeHomeserver, users: list[str]) -> None:
    rows = await main.fetch_all("SELECT actor FROM dispatch_transitions WHERE event = 'accept'")
    assert len(rows) == 1
    winner = rows[0]["actor"]
    dispatch = await main.fetch_one("SELECT state, taken_by FROM dispatches")
    assert dispatch is not None and tuple(dispatch) == ("taken", winner)
    sent = await server.flush(NOW)
    details = [s for s in sent if s.correlation and ":details:" in s.correlation]
    assert [s.target for s in details] == [winner]
    to_requester = [s for s in sent if s.target == COORDINATOR]
    assert len(to_requester) == 1 and "pris par" in to_requester[0].text
    for user in users:
        if user == winner:
            continue
        # One message for one fact: they accepted too late, and are told so once (beside
        # the edit of their broadcast).
        texts = [
            s.text
            for s in sent
            if s.target in (user, FakeHomeserver.room_of("direct_message", user))
            and s.action != "edit"
        ]
        assert len(texts) == 1 and "Déjà pris par" in texts[0], (user, texts)
        assert not any(s.target == user for s in details)
    answers = await main.fetch_all("SELECT user_id, answer FROM dispatch_recipients")
    assert {row["user_id"]: row["answer"] for row in answers} == {
        user: ("accepted" if user == winner else "late") for user in users
    }


@st.composite
def races(draw: st.DrawFn) -> tuple[int, list[int], list[bool]]:
    count = draw(st.integers(min_value=2, max_value=6))
    order = draw(st.permutations(list(range(count))))
    by_reaction = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    return count, order, by_reaction


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(races())
def test_concurrent_accepts_have_exactly_one_winner(
    race: tuple[int, list[int], list[bool]],
) -> None:
    count, order, by_reaction = race
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_race(Path(folder), count, order, by_reaction))
