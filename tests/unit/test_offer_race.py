"""The offer engine's race, for every kind of offer (dispatch, cover request, médecin
traitant): N people accept at once, in any order, by reply or by 👍, each in its own
transaction on its own SQLite connection. Exactly one wins; the requester is told once;
every loser is told exactly once that someone else won (a kind that tells the others
with the win does not tell them again when their late answer comes)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpts_bot.chat.command_dispatch import Routes, route_message, route_reaction
from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.times import PARIS
from cpts_bot.features.cover.chat import ShiftSwapFeature
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.duty_rota import OneOffShift
from cpts_bot.settings import RoomsConfig
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
    reaction,
)
from tests.unit.medecin_traitant_support import (
    PHARMACIST,
    Desk,
    add_professional,
    mt_config,
    offers_to,
)

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS).astimezone(UTC)
REQUESTER = "@anne:cpts.test"


@dataclass
class Race:
    """One kind's offer, sent to ``users``: how to answer it and what to look at."""

    main: Database
    routes: Routes
    config: RoomsConfig
    flush: Callable[[datetime], Awaitable[list[Sent]]]
    requester: str
    offers: dict[str, Sent]
    accepts: str  # SQL: the actor of each accept transition
    subject: str  # SQL: (state, who won)
    won: str  # the winning state
    # What else the kind promises, given the winner, the losers and what was sent.
    check: Callable[[Database, str, list[str], list[Sent]], Awaitable[None]]


async def _dispatch(folder: Path, users: list[str]) -> Race:
    config = make_config()
    feature = DispatchFeature(FakeDirectory([professional(u, "60", HYERES) for u in users]))
    main = await Database.open(folder / "bot.sqlite")
    server = FakeHomeserver(main)
    request = message(
        COORDINATOR, "déclenchement IDE Hyères maintenant prise de sang, patient d'accord", NOW
    )
    async with main.transaction() as db:
        assert await route_message(
            Routes.of(feature), request, context_for(db, config, NOW, request)
        )
    sent = {s.target: s for s in await server.flush(NOW) if s.action == "direct_message"}
    return Race(
        main,
        Routes.of(feature),
        config,
        server.flush,
        COORDINATOR,
        {user: sent[user] for user in users},
        "SELECT actor FROM dispatch_transitions WHERE event = 'accept'",
        "SELECT state, taken_by FROM dispatches",
        "taken",
        _dispatch_check,
    )


async def _dispatch_check(main: Database, winner: str, losers: list[str], sent: list[Sent]) -> None:
    """The details go to the winner only; the requester hears who took it; each loser
    hears it was already taken; the answers are recorded."""
    details = [s.target for s in sent if s.correlation and ":details:" in s.correlation]
    assert details == [winner]
    assert "pris par" in _told(sent, COORDINATOR)[0]
    for loser in losers:
        assert "Déjà pris par" in _told(sent, loser)[0]
    answers = await main.fetch_all("SELECT user_id, answer FROM dispatch_recipients")
    assert {row["user_id"]: row["answer"] for row in answers} == {
        user: ("accepted" if user == winner else "late") for user in [winner, *losers]
    }


async def _cover(folder: Path, users: list[str]) -> Race:
    config = make_config(rooms={"coordination": "!coordination:cpts.test"})
    people = [professional(user, "60", HYERES) for user in [REQUESTER, *users]]
    feature = ShiftSwapFeature(FakeDirectory(people))
    main = await Database.open(folder / "bot.sqlite")
    server = FakeHomeserver(main)
    start = local_to_utc(date(2026, 12, 24), time(20))
    end = local_to_utc(date(2026, 12, 25), time(8))
    async with main.transaction() as db:
        shift = OneOffShift(REQUESTER, "60", frozenset({HYERES}), start, end)
        await rota_repository.add_shift(db, shift, rota_repository.SOURCE_CSV, "csv", NOW)
    text = "Je cherche un remplaçant pour ma garde du 24/12"
    request = message(REQUESTER, text, NOW, room=f"!dm-{REQUESTER}", is_direct=True)
    async with main.transaction() as db:
        assert await route_message(
            Routes.of(feature), request, context_for(db, config, NOW, request)
        )
    sent = {
        s.target: s for s in await server.flush(NOW) if (s.correlation or "").startswith("swap:")
    }
    return Race(
        main,
        Routes.of(feature),
        config,
        server.flush,
        REQUESTER,
        {user: sent[user] for user in users},
        "SELECT actor FROM shift_swap_transitions WHERE event = 'accept'",
        "SELECT state, taken_by FROM shift_swaps",
        "taken",
        _cover_check,
    )


async def _cover_check(main: Database, winner: str, losers: list[str], sent: list[Sent]) -> None:
    """Only the winner's handover reaches the rota; the history is created, accepted."""
    handovers = await main.fetch_all("SELECT to_user FROM duty_handovers")
    assert [row["to_user"] for row in handovers] == [winner]
    events = await main.fetch_all("SELECT event FROM shift_swap_transitions ORDER BY id")
    assert [row["event"] for row in events] == ["create", "accept"]
    for loser in losers:
        assert "déjà" in _told(sent, loser)[0]


async def _medecin_traitant(folder: Path, users: list[str]) -> Race:
    config = mt_config()
    main = await Database.open(folder / "bot.sqlite")
    async with main.transaction() as db:
        await add_professional(db, PHARMACIST, HYERES, NOW, profession="21")
        for user in users:
            await add_professional(db, user, HYERES, NOW)
    desk = Desk(main, config)
    for user in users:
        assert await desk.say(user, "je peux prendre 1 nouveau patient", NOW)
    assert await desk.say(PHARMACIST, "patient sans médecin traitant, 75 ans, Hyères\nM. X", NOW)
    flushed = await desk.flush(NOW)
    return Race(
        main,
        Routes.of(desk.feature),
        config,
        desk.flush,
        PHARMACIST,
        {user: offers_to(flushed, user)[0] for user in users},
        "SELECT actor FROM medecin_traitant_transitions WHERE event = 'accept'",
        "SELECT state, placed_with FROM medecin_traitant_requests",
        "placed",
        _medecin_traitant_check,
    )


async def _medecin_traitant_check(
    main: Database, winner: str, losers: list[str], sent: list[Sent]
) -> None:
    """The referrer's words go to the winner only; each loser hears a colleague accepted."""
    assert "M. X" in "\n".join(_told(sent, winner))
    assert "accepte d'être le médecin traitant" in _told(sent, PHARMACIST)[0]
    for loser in losers:
        assert "M. X" not in _told(sent, loser)[0] and "confrère" in _told(sent, loser)[0]


KINDS = {"dispatch": _dispatch, "cover": _cover, "medecin_traitant": _medecin_traitant}


async def _accept(race: Race, connection: Database, user: str, by_reaction: bool) -> None:
    offer = race.offers[user]
    async with connection.transaction() as db:
        if by_reaction:
            event = reaction(user, "👍", offer.event_id, NOW, room=offer.room_id)
            context = context_for(db, race.config, NOW, event)
            assert await route_reaction(race.routes, event, context)
        else:
            event = message(
                user, "je prends", NOW, room=offer.room_id, reply_to=offer.event_id, is_direct=True
            )
            context = context_for(db, race.config, NOW, event)
            assert await route_message(race.routes, event, context)


def _told(sent: list[Sent], user: str) -> list[str]:
    """The messages (not the edits of earlier ones) ``user`` got."""
    return [s.text for s in sent if s.target in (user, f"!dm-{user}") and s.action != "edit"]


async def _race(kind: str, folder: Path, order: list[int], by_reaction: list[bool]) -> None:
    users = [f"@nurse{i}:cpts.test" for i in range(len(order))]
    race = await KINDS[kind](folder, users)
    connections = [await Database.open(folder / "bot.sqlite") for _ in users]
    try:
        await asyncio.gather(
            *(_accept(race, connections[i], users[i], by_reaction[i]) for i in order)
        )
    finally:
        for connection in connections:
            await connection.close()
    try:
        rows = await race.main.fetch_all(race.accepts)
        assert len(rows) == 1
        winner = rows[0]["actor"]
        subject = await race.main.fetch_one(race.subject)
        assert subject is not None and tuple(subject) == (race.won, winner)
        sent = await race.flush(NOW)
        assert len(_told(sent, race.requester)) == 1, _told(sent, race.requester)
        assert _told(sent, winner)
        losers = [user for user in users if user != winner]
        for loser in losers:
            assert len(_told(sent, loser)) == 1, (kind, loser, _told(sent, loser))
        await race.check(race.main, winner, losers, sent)
    finally:
        await race.main.close()


@st.composite
def races(draw: st.DrawFn) -> tuple[list[int], list[bool]]:
    count = draw(st.integers(min_value=2, max_value=4))
    order = draw(st.permutations(list(range(count))))
    by_reaction = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    return list(order), by_reaction


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(race=races())
def test_first_accept_wins_and_every_loser_is_told_once(
    kind: str, race: tuple[list[int], list[bool]]
) -> None:
    order, by_reaction = race
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_race(kind, Path(folder), order, by_reaction))
