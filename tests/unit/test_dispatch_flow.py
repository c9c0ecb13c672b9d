"""Dispatch requests end to end over a real SQLite: create, broadcast, accept, escalate."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message, route_reaction
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.duty_rota import Leave, WeeklySlot
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    LA_CRAU,
    TOULON,
    FakeDirectory,
    FakeHomeserver,
    context_for,
    make_config,
    message,
    professional,
    reaction,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
ALICE, BOB, CARLA, DAN, EVE = (f"@{n}:cpts.test" for n in ("alice", "bob", "carla", "dan", "eve"))


def directory() -> FakeDirectory:
    return FakeDirectory(
        [
            professional(ALICE, "60", HYERES, phone="04 94 00 00 01"),
            professional(BOB, "60", HYERES),
            professional(CARLA, "60", LA_CRAU),
            professional(DAN, "60", TOULON),
            professional(EVE, "70", HYERES),
            professional("@dr:cpts.test", "10", HYERES, phone="04 94 11 11 11"),
        ]
    )


@pytest.fixture
async def env(tmp_path: Path):
    from tests.unit.dispatch_support import open_database

    database = await open_database(tmp_path)
    yield database
    await database.close()


async def say(database, feature, config, msg, now=NOW) -> bool:
    async with database.transaction() as db:
        context = context_for(db, config, now, msg)
        return await route_message(Routes.of(feature), msg, context)


async def react(database, feature, config, event, now=NOW) -> bool:
    async with database.transaction() as db:
        context = context_for(db, config, now, event)
        return await route_reaction(Routes.of(feature), event, context)


async def test_dispatch_in_one_message_first_accept_wins(env) -> None:
    config = make_config()
    known = directory()
    known.professionals.append(professional(COORDINATOR, "10", TOULON, phone="04 94 99 99 99"))
    feature = DispatchFeature(known)
    server = FakeHomeserver(env)
    request = message(
        COORDINATOR,
        "déclenchement IDE domicile Hyères ce soir 20h pansement "
        "post-op, patient d'accord\npatient: Mme Durand, 3 rue des Lilas, 06 12 34 56 78",
        NOW,
    )
    assert await say(env, feature, config, request)
    sent = await server.flush(NOW)
    broadcasts = {s.target: s for s in sent if s.action == "direct_message"}
    assert set(broadcasts) == {ALICE, BOB}
    for item in broadcasts.values():
        assert "Durand" not in item.text and "Lilas" not in item.text
        assert "pansement post-op" in item.text
        assert "lun. 23 nov. 20:00" in item.text
    confirmation = next(s for s in sent if s.action == "message")
    assert confirmation.text.startswith("Déclenchement n°1 envoyé à 2 professionnels")
    # Bob replies "je prends", then Alice reacts 👍: Bob wins, Alice is told it is taken.
    assert await say(
        env,
        feature,
        config,
        message(
            BOB,
            "ok je prends",
            NOW,
            room=broadcasts[BOB].room_id,
            reply_to=broadcasts[BOB].event_id,
            is_direct=True,
        ),
    )
    assert await react(env, feature, config, reaction(ALICE, "👍", broadcasts[ALICE].event_id, NOW))
    sent = await server.flush(NOW)
    to_bob = [s for s in sent if s.target == BOB]
    # The requester by their card: name, profession, phone; not their Matrix ID.
    details = next(s.text for s in to_bob if "Durand" in s.text)
    assert "Demandé par : Coord (médecin) — 04 94 99 99 99" in details, details
    assert COORDINATOR not in details
    to_coord = [s for s in sent if s.target == COORDINATOR]
    # The requester's phone rings (a message, not a notice).
    assert any("pris par Bob (IDE)" in s.text and not s.payload["notice"] for s in to_coord), [
        s.text for s in to_coord
    ]
    assert all(not item.payload["notice"] for item in broadcasts.values())
    to_alice = [s.text for s in sent if s.target == ALICE]
    assert any("pris par Bob" in text for text in to_alice)
    assert any("Déjà pris par Bob" in text for text in to_alice)
    edits = [s for s in sent if s.action == "edit"]
    assert {s.payload["replaces"] for s in edits} >= {broadcasts[ALICE].event_id}
    async with env.transaction() as db:
        dispatch = await repo.get(db, 1)
        events = [row["event"] for row in await repo.transitions(db, 1)]
    assert dispatch is not None and dispatch.taken_by == BOB and dispatch.state == "taken"
    assert events == ["create", "accept"]


async def start(env, feature, config, server, text=None):
    text = text or "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord"
    await say(env, feature, config, message(COORDINATOR, text, NOW))
    return {s.target: s for s in await server.flush(NOW) if s.action == "direct_message"}


async def test_a_requester_without_a_card_is_named_by_their_matrix_name(env) -> None:
    """« Demandé par : » names a coordinator the directory does not list by the name
    Matrix shows for them (stored as their message arrived), never by their Matrix ID."""
    from cpts_bot.storage.matrix_names import remember_name

    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    async with env.transaction() as db:
        await remember_name(db, COORDINATOR, "Claire (coordination)", NOW)
    request = message(
        COORDINATOR,
        "déclenchement IDE domicile Hyères ce soir 20h pansement, patient d'accord\n"
        "patient: Mme Durand, 3 rue des Lilas",
        NOW,
    )
    assert await say(env, feature, config, request)
    broadcasts = {s.target: s for s in await server.flush(NOW) if s.action == "direct_message"}
    taken = message(
        BOB,
        "je prends",
        NOW,
        room=broadcasts[BOB].room_id,
        reply_to=broadcasts[BOB].event_id,
        is_direct=True,
    )
    assert await say(env, feature, config, taken)
    details = next(
        s.text for s in await server.flush(NOW) if s.target == BOB and "Durand" in s.text
    )
    assert "Demandé par : Claire (coordination)" in details, details
    assert COORDINATOR not in details


async def test_guided_exchange_asks_for_each_missing_piece(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    steps = [
        ("déclenchement", "Quelle profession ?"),
        ("une infirmière", "Où ?"),
        ("à Mars-sur-Lune", "Où ?"),  # unknown place: asked again
        ("Hyères", "Pour quand ?"),
        ("le 31 novembre", "Le 31 novembre n'existe pas."),
        ("demain 8h", "Quel soin ?"),
        ("prise de sang à jeun patient: M. Martin", "Le patient est-il informé et d'accord"),
        ("oui", "Déclenchement n°1 envoyé à 2"),
    ]
    for text, expected in steps:
        assert await say(env, feature, config, message(COORDINATOR, text, NOW))
        replies = [s.text for s in await server.flush(NOW) if s.action == "message"]
        assert replies and replies[-1].startswith(expected), (text, replies)
    async with env.transaction() as db:
        dispatch = await repo.get(db, 1)
        assert await repo.get_draft(db, COORDINATOR) is None
    assert dispatch is not None
    assert dispatch.what == "prise de sang à jeun" and dispatch.details == "M. Martin"
    assert dispatch.needed_at == datetime(2026, 11, 24, 8, 0, tzinfo=PARIS)
    # Without a draft, a plain word is not for this feature.
    assert not await say(env, feature, config, message(COORDINATOR, "Hyères", NOW))


async def test_a_date_that_does_not_exist_keeps_the_rest_of_the_request(env) -> None:
    """« le 31/02 » in a one-line request: said, the time asked, nothing else retyped."""
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    text = "déclenchement IDE Hyères le 31/02 20h pansement, patient d'accord"
    assert await say(env, feature, config, message(COORDINATOR, text, NOW))
    (reply,) = [s.text for s in await server.flush(NOW) if s.action == "message"]
    assert reply.split("\n") == [
        "Le 31 février n'existe pas.",
        "Pour quand ? " + reply.split("Pour quand ? ", 1)[1],
    ]
    assert await say(env, feature, config, message(COORDINATOR, "demain 20h", NOW))
    sent = await server.flush(NOW)
    assert any(s.text.startswith("Déclenchement n°1 envoyé à 2") for s in sent), sent
    async with env.transaction() as db:
        dispatch = await repo.get(db, 1)
    assert dispatch is not None and dispatch.what == "pansement"
    assert dispatch.needed_at == datetime(2026, 11, 24, 20, 0, tzinfo=PARIS)


async def test_an_english_reader_gets_english_punctuation(env) -> None:
    """No space before the colon in English: « Mon 23 Nov 20:00: dressing »."""
    from cpts_bot.storage.core_repository import set_language

    async with env.transaction() as db:
        await set_language(db, ALICE, "en", NOW)
    config = make_config()
    server = FakeHomeserver(env)
    broadcasts = await start(env, DispatchFeature(directory()), config, server)
    assert broadcasts[ALICE].text.splitlines()[1] == "Mon 23 Nov 20:00: pansement"
    assert broadcasts[BOB].text.splitlines()[1] == "lun. 23 nov. 20:00 : pansement"


async def test_relancer_while_still_asked_says_until_when(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    await start(env, feature, config, server)
    assert await say(env, feature, config, message(COORDINATOR, "relancer 1", NOW))
    (reply,) = [s.text for s in await server.flush(NOW)]
    assert reply.startswith("Le déclenchement n°1 attend encore une réponse (jusqu'à "), reply
    assert reply.endswith(") ; « relancer » le repropose à tous une fois expiré."), reply


async def test_a_draft_can_be_dropped_and_expires(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    await say(env, feature, config, message(COORDINATOR, "déclenchement kiné", NOW))
    assert await say(env, feature, config, message(COORDINATOR, "annuler", NOW))
    assert (await server.flush(NOW))[-1].text == "Demande de déclenchement abandonnée."
    await say(env, feature, config, message(COORDINATOR, "déclenchement kiné", NOW))
    later = NOW + timedelta(hours=1)
    assert not await say(env, feature, config, message(COORDINATOR, "Hyères", later), later)


async def test_only_allowed_people_may_request(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    assert await say(env, feature, config, message(ALICE, "déclenchement IDE Hyères ce soir", NOW))
    assert (await server.flush(NOW))[-1].text.startswith("Seuls les coordinateurs")
    allowed = make_config(dispatch={"requesters": ["@dr:cpts.test"]})
    await say(
        env,
        feature,
        allowed,
        message(
            "@dr:cpts.test", "déclenchement IDE Hyères ce soir 20h injection, patient d'accord", NOW
        ),
    )
    targets = {s.target for s in await server.flush(NOW) if s.action == "direct_message"}
    assert targets == {ALICE, BOB}


async def test_accept_from_someone_not_asked_is_refused(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    sent = await start(env, feature, config, server)
    assert await say(
        env,
        feature,
        config,
        message(CARLA, "je prends", NOW, room="!dm-carla", reply_to=sent[ALICE].event_id),
    )
    assert (await server.flush(NOW))[-1].text == ("Le déclenchement n°1 ne vous a pas été proposé.")
    async with env.transaction() as db:
        dispatch = await repo.get(db, 1)
    assert dispatch is not None and dispatch.state == "open"


async def test_hand_back_reopens_and_offers_again(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    sent = await start(env, feature, config, server)
    await react(env, feature, config, reaction(BOB, "✅", sent[BOB].event_id, NOW))
    details = next(
        s for s in await server.flush(NOW) if s.correlation and ":details:" in s.correlation
    )
    later = NOW + timedelta(minutes=5)
    assert await say(
        env,
        feature,
        config,
        message(
            BOB,
            "je ne peux plus, désolé",
            later,
            room=details.room_id,
            reply_to=details.event_id,
            is_direct=True,
        ),
        later,
    )
    sent_after = await server.flush(later)
    assert any(s.target == COORDINATOR and "ne peut plus" in s.text for s in sent_after)
    offers = [s for s in sent_after if s.action == "direct_message" and s.target == ALICE]
    assert offers and offers[0].text.startswith("Déclenchement n°1")
    # The new offer can be taken.
    assert await react(env, feature, config, reaction(ALICE, "👍🏽", offers[0].event_id, later))
    async with env.transaction() as db:
        dispatch = await repo.get(db, 1)
        events = [row["event"] for row in await repo.transitions(db, 1)]
    assert dispatch is not None and dispatch.taken_by == ALICE
    assert events == ["create", "accept", "hand_back", "accept"]
    # Bob handed back: he cannot take it again by his old message.
    assert await react(env, feature, config, reaction(BOB, "👍", sent[BOB].event_id, later))
    assert "Déjà pris par Alice" in (await server.flush(later))[-1].text


async def test_cancel_by_requester_only_and_taker_is_told(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    sent = await start(env, feature, config, server)
    await react(env, feature, config, reaction(BOB, "👍", sent[BOB].event_id, NOW))
    await server.flush(NOW)
    assert await say(env, feature, config, message(ALICE, "annuler 1", NOW))
    assert (await server.flush(NOW))[-1].text.startswith("Seul le demandeur")
    assert await say(env, feature, config, message(COORDINATOR, "annuler 1", NOW))
    sent_after = await server.flush(NOW)
    assert any(s.target == BOB and "annulé" in s.text for s in sent_after)
    assert sent_after[-1].text == "Déclenchement n°1 annulé."
    assert await say(env, feature, config, message(COORDINATOR, "annuler 1", NOW))
    assert "rien à faire" in (await server.flush(NOW))[-1].text


async def test_status_and_my_dispatches(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    sent = await start(env, feature, config, server)
    await say(
        env,
        feature,
        config,
        message(ALICE, "pas dispo", NOW, room=sent[ALICE].room_id, reply_to=sent[ALICE].event_id),
    )
    await say(env, feature, config, message(COORDINATOR, "statut 1", NOW))
    status = (await server.flush(NOW))[-1].text
    assert status.startswith("En attente de réponse jusqu'à 16:00.")
    assert "Sollicités : 2, refus : 1." in status
    await say(env, feature, config, message(COORDINATOR, "mes déclenchements", NOW))
    mine = (await server.flush(NOW))[-1].text
    assert mine.splitlines()[1] == "n°1 — IDE — Hyères — lun. 23 nov. 20:00 — en attente"
    await say(env, feature, config, message(CARLA, "statut 1", NOW))
    assert (await server.flush(NOW))[-1].text == "Il n'y a pas de déclenchement n°1."


async def test_plain_ok_in_a_direct_chat_takes_the_only_waiting_dispatch(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    sent = await start(env, feature, config, server)
    assert await say(
        env, feature, config, message(ALICE, "Ok !", NOW, room=sent[ALICE].room_id, is_direct=True)
    )
    async with env.transaction() as db:
        dispatch = await repo.get(db, 1)
    assert dispatch is not None and dispatch.taken_by == ALICE
    # Not in a shared room, and not when nothing waits.
    assert not await say(env, feature, config, message(BOB, "ok", NOW, room="!x:cpts.test"))
    assert not await say(
        env, feature, config, message(CARLA, "ok", NOW, room="!dm-carla", is_direct=True)
    )


async def test_duty_room_broadcast_mentions_each_professional(env) -> None:
    config = make_config(rooms={"duty": {"IDE": "!ide-garde:cpts.test"}})
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    await say(
        env,
        feature,
        config,
        message(COORDINATOR, "déclenchement urgent IDE Hyères maintenant perfusion", NOW),
    )
    sent = await server.flush(NOW)
    room = next(s for s in sent if s.target == "!ide-garde:cpts.test")
    assert room.text.startswith("URGENT déclenchement n°1")
    assert set(room.payload["mentions"]) == {ALICE, BOB}
    assert not [s for s in sent if s.action == "direct_message"]
    assert await say(
        env,
        feature,
        config,
        message(ALICE, "je prends", NOW, room=room.room_id, reply_to=room.event_id),
    )
    after = await server.flush(NOW)
    assert any(s.target == "!ide-garde:cpts.test" and "pris par Alice" in s.text for s in after)
    assert any(s.action == "edit" and s.payload["replaces"] == room.event_id for s in after)


async def test_the_rota_decides_who_is_asked_and_leave_is_excluded(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    async with env.transaction() as db:
        # Alice is on duty on Monday evenings in Hyères; Bob is not.
        await rota_repository.add_slot(
            db,
            WeeklySlot(ALICE, "60", frozenset({HYERES}), 0, time(18), time(22)),
            "chat",
            COORDINATOR,
            NOW,
        )
    assert set(await start(env, feature, config, server)) == {ALICE}
    async with env.transaction() as db:
        await rota_repository.add_leave(
            db, Leave(ALICE, NOW, NOW + timedelta(days=2)), "chat", ALICE, NOW
        )
    # Alice on leave: nobody on duty, so every nurse of Hyères not on leave.
    assert set(await start(env, feature, config, server)) == {BOB}


async def test_on_sent_ignores_other_correlations(env) -> None:
    from cpts_bot.features.dispatch.escalation_service import on_sent

    async with env.transaction() as db:
        assert not await on_sent(db, "alert:3:!room", "!room", "$x", NOW)
        assert not await on_sent(db, "dispatch:abc:broadcast:@a:b", "!room", "$x", NOW)


async def test_answers_to_the_details_or_the_requester_notice(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    sent = await start(env, feature, config, server)
    await start(
        env,
        feature,
        config,
        server,
        "déclenchement IDE Hyères demain 9h injection, patient d'accord",
    )
    await react(env, feature, config, reaction(BOB, "👍", sent[BOB].event_id, NOW))
    after = await server.flush(NOW)
    details = next(s for s in after if s.correlation and ":details:" in s.correlation)
    notice = next(s for s in after if s.correlation and ":requester:" in s.correlation)
    # "ok" to the details: it is already Bob's; dispatch 2 is not taken by mistake.
    assert await say(
        env,
        feature,
        config,
        message(BOB, "ok", NOW, room=details.room_id, reply_to=details.event_id, is_direct=True),
    )
    assert (await server.flush(NOW))[-1].text == "Le déclenchement n°1 est déjà à vous."
    assert await say(
        env,
        feature,
        config,
        message(BOB, "non", NOW, room=details.room_id, reply_to=details.event_id, is_direct=True),
    )
    assert "je ne peux plus" in (await server.flush(NOW))[-1].text
    assert await say(
        env,
        feature,
        config,
        message(COORDINATOR, "ok merci", NOW, room=notice.room_id, reply_to=notice.event_id),
    )
    assert await server.flush(NOW) == []
    async with env.transaction() as db:
        second = await repo.get(db, 2)
        first = await repo.get(db, 1)
    assert second is not None and second.state == "open"
    assert first is not None and first.state == "taken"


async def test_one_message_per_fact_for_the_winner_and_the_others(env) -> None:
    """The one who did not answer gets their broadcast edited and nothing else; the
    winner's own broadcast says they took it (not « taken by <themselves> »)."""
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    broadcasts = await start(env, feature, config, server)
    bob = broadcasts[BOB]
    await say(
        env,
        feature,
        config,
        message(BOB, "je prends", NOW, room=bob.room_id, reply_to=bob.event_id, is_direct=True),
    )
    sent = await server.flush(NOW)
    to_alice = [s for s in sent if s.target in (ALICE, broadcasts[ALICE].room_id)]
    assert [s.action for s in to_alice] == ["edit"], [s.text for s in to_alice]
    assert to_alice[0].text.startswith("[Pris par Bob]")
    own = [s for s in sent if s.action == "edit" and s.payload["replaces"] == bob.event_id]
    assert len(own) == 1 and own[0].text.startswith("[Vous l'avez pris]"), own
    # Once taken, nobody is still told how to take it.
    assert "je prends" not in to_alice[0].text and "je prends" not in own[0].text


def test_durations_and_24_hour_slots_as_people_say_them() -> None:
    from datetime import time as clock

    from cpts_bot.features.dispatch.context_service import (
        format_duration,
        format_hours,
        format_span,
    )
    from cpts_bot.i18n import Translator

    french = Translator("fr")
    assert format_duration(timedelta(seconds=20), french) == "moins d'une minute"
    assert format_duration(timedelta(minutes=12, seconds=59), french) == "12 min"
    assert format_duration(timedelta(minutes=65), french) == "1 h 05"
    assert format_duration(timedelta(hours=2), french) == "2 h"
    assert format_hours(clock(20), clock(8), french) == "20:00–08:00"
    assert format_hours(clock(0), clock(0), french) == "toute la journée (24 h)"
    assert format_hours(clock(8), clock(8), french) == "24 h à partir de 08:00"
    midnight = datetime(2026, 11, 23, 0, 0, tzinfo=PARIS)
    assert format_span(midnight, midnight + timedelta(days=1), french) == (
        "toute la journée (24 h)"
    )
    assert format_span(midnight, midnight + timedelta(hours=8), french) == "00:00–08:00"
