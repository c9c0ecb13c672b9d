"""Territorial alerts over the real Synapse: scheduled posting in encrypted rooms, exactly
once across a restart, coordinators only, acknowledgements, pinning."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from datetime import UTC, datetime

import pytest
from nio import RoomCreateResponse, RoomGetStateEventResponse
from nio.api import RoomPreset

from cpts_bot.core.times import from_iso
from cpts_bot.devtools.matrix_user import MatrixUser, Received

pytestmark = pytest.mark.synapse

ALERT_NUMBER = re.compile(r"Alerte n° (\d+)")
# One check a second keeps the waits short; the default (5 s) is measured in bench/.
ALERTS_SETTINGS = {"check_seconds": 1}


async def group_room(owner: MatrixUser, invite: list[str], moderators: list[str]) -> str:
    """An encrypted group room; ``moderators`` get power 50 (they may pin)."""
    assert owner.client is not None
    response = await owner.client.room_create(
        is_direct=False,
        invite=invite,
        preset=RoomPreset.private_chat,
        initial_state=[
            {
                "type": "m.room.encryption",
                "state_key": "",
                "content": {"algorithm": "m.megolm.v1.aes-sha2"},
            }
        ],
        # Recent room versions keep the creator out of "users" (creators outrank all).
        power_level_override={"users": {user: 50 for user in moderators}} if moderators else None,
    )
    assert isinstance(response, RoomCreateResponse), response
    return response.room_id


def alert_posts(user: MatrixUser, bot: str, room_id: str, number: int | None = None) -> list:
    """The alert posts ``user`` received from the bot in ``room_id``."""
    return [
        item
        for item in user.from_user(bot, room_id)
        if ALERT_NUMBER.search(item.body)
        and (number is None or f"Alerte n° {number}" in item.body)
        and item.reply_to is None
    ]


async def create_alert(coordinator: MatrixUser, room: str, line: str) -> int:
    """Send an alert line and confirm it with « oui »; the alert's number."""
    asked = await coordinator.wait_reply(await coordinator.send(room, line))
    match = re.search(r"Alerte n° (\d+) à confirmer", asked.body)
    assert match, asked.body
    confirmed = await coordinator.wait_reply(await coordinator.send(room, "oui"))
    assert "confirmée" in confirmed.body, confirmed.body
    return int(match.group(1))


def bot_database(bot) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{bot.data_dir / 'cpts-bot.sqlite'}?mode=ro", uri=True)


async def test_an_urgent_alert_is_posted_once_per_room_acknowledged_and_pinned(users, make_bot):
    coordinator = await users.client("coordinator")
    nurse = await users.client("nurse")
    physio = await users.client("physio")
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[nurse.user_id, physio.user_id],
        alerts=ALERTS_SETTINGS,
    )
    # The bot may pin in the alerts room, not in the duty room.
    alerts_room = await group_room(
        coordinator, [bot.user_id, nurse.user_id, physio.user_id], moderators=[bot.user_id]
    )
    duty_room = await group_room(coordinator, [bot.user_id, nurse.user_id], moderators=[])
    bot.rooms_file.write_text(
        bot.rooms_file.read_text("utf-8")
        + f"rooms:\n  alerts: ['{alerts_room}']\n  duty:\n    IDE: '{duty_room}'\n",
        "utf-8",
    )
    bot.start()
    for room, members in ((alerts_room, (bot, nurse, physio)), (duty_room, (bot, nurse))):
        for member in members:
            await coordinator.wait_joined(room, member.user_id)
    direct = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(direct, bot.user_id)

    # (c) a professional may not create an alert: a refusal in French.
    nurse_direct = await nurse.create_encrypted_room([bot.user_id])
    await nurse.wait_joined(nurse_direct, bot.user_id)
    refused = await nurse.wait_reply(
        await nurse.send(nurse_direct, "alerte urgent: Fausse alerte | pour: tous")
    )
    assert refused.body == "Désolé : « alerte » est réservé à la coordination.", refused.body

    # (a) scheduled a few seconds ahead, posted once in each target room.
    number = await create_alert(
        coordinator,
        direct,
        "alerte urgent: Canicule niveau 3 : pensez aux patients isolés"
        " | quand: dans 15 secondes | pour: tous, IDE",
    )
    with bot_database(bot) as db:
        spec = db.execute("SELECT schedule FROM alerts WHERE id = ?", (number,)).fetchone()[0]
    scheduled = from_iso(spec.removeprefix("once "))
    in_alerts = await nurse.wait_for(
        lambda me: alert_posts(me, bot.user_id, alerts_room, number), timeout=60
    )
    in_duty = await nurse.wait_for(
        lambda me: alert_posts(me, bot.user_id, duty_room, number), timeout=30
    )
    assert datetime.now(UTC) >= scheduled
    for post in (in_alerts[0], in_duty[0]):
        assert post.decrypted
        assert post.msgtype == "m.text"  # a message that notifies, not a notice
        assert post.body.startswith("@room 🔴 ALERTE URGENTE — Canicule niveau 3"), post.body
        assert post.content["m.mentions"] == {"room": True}
        assert "pensez aux patients isolés" in post.body
        assert "réagissez" in post.body.lower() or "réagir" in post.body.lower(), post.body
    # A few more checks of the job pass: still one post per room.
    await asyncio.sleep(3)
    assert len(alert_posts(nurse, bot.user_id, alerts_room, number)) == 1
    assert len(alert_posts(nurse, bot.user_id, duty_room, number)) == 1
    assert len(alert_posts(physio, bot.user_id, alerts_room, number)) == 1

    # (e) pinned in the room where the bot may pin; the duty room is left as it is.
    post_id = in_alerts[0].event_id
    assert coordinator.client is not None

    async def pinned(room: str) -> list[str]:
        state = await coordinator.client.room_get_state_event(room, "m.room.pinned_events")
        if isinstance(state, RoomGetStateEventResponse):
            return list(state.content.get("pinned", []))
        return []

    deadline = time.monotonic() + 20
    while post_id not in await pinned(alerts_room):
        assert time.monotonic() < deadline, "the alert was never pinned"
        await asyncio.sleep(0.3)
    assert await pinned(duty_room) == []
    # The bot may not pin in the duty room: the coordinator who wrote the alert is told,
    # in their direct chat, not left to find out.
    refused = await coordinator.wait_for(
        lambda me: [
            item
            for item in me.from_user(bot.user_id)
            if f"Je n'ai pas pu épingler l'alerte n° {number}" in item.body
        ],
        timeout=30,
    )
    assert len(refused) == 1 and refused[0].room_id == direct

    # (d) the nurse acknowledges by a reaction sent in clear, as Element Web sends them
    # (see docs/e2ee.md); the physio has not.
    await nurse.react(alerts_room, post_id, "👀", encrypted=False)
    deadline = time.monotonic() + 30
    while True:
        report = await coordinator.wait_reply(
            await coordinator.send(direct, f"qui a lu l'alerte {number} ?")
        )
        if "✅" in report.body or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    lines = report.body.splitlines()
    assert "lue par 1 sur 2" in lines[0], report.body
    # The nurse wrote to the bot: she is named by her Matrix display name (Synapse's
    # default, her localpart), not her Matrix ID.
    nurse_name = nurse.user_id.split(":")[0].lstrip("@")
    assert any(line.startswith("✅") and nurse_name in line for line in lines), report.body
    assert any(
        line.startswith("⏳") and physio.user_id in line and nurse.user_id not in line
        for line in lines
    ), report.body
    assert coordinator.user_id not in report.body and bot.user_id not in report.body

    # Cancelling unpins.
    cancelled = await coordinator.wait_reply(
        await coordinator.send(direct, f"annuler alerte {number}")
    )
    assert "annulée" in cancelled.body, cancelled.body
    deadline = time.monotonic() + 20
    while post_id in await pinned(alerts_room):
        assert time.monotonic() < deadline, "the cancelled alert stayed pinned"
        await asyncio.sleep(0.3)
    assert "Traceback" not in bot.log_text()
    bot.stop()


async def test_an_alert_due_while_the_bot_is_stopped_is_posted_once_after_restart(users, make_bot):
    coordinator = await users.client("coordinator")
    nurse = await users.client("nurse")
    bot = make_bot(
        coordinators=[coordinator.user_id], allowed=[nurse.user_id], alerts=ALERTS_SETTINGS
    )
    alerts_room = await group_room(coordinator, [bot.user_id, nurse.user_id], moderators=[])
    bot.rooms_file.write_text(
        bot.rooms_file.read_text("utf-8") + f"rooms:\n  alerts: ['{alerts_room}']\n", "utf-8"
    )
    bot.start()
    await coordinator.wait_joined(alerts_room, bot.user_id)
    await coordinator.wait_joined(alerts_room, nurse.user_id)
    direct = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(direct, bot.user_id)

    number = await create_alert(
        coordinator,
        direct,
        "alerte important: Rupture d'amoxicilline | quand: dans 12 secondes | pour: tous",
    )
    assert bot.stop() == 0
    with bot_database(bot) as db:
        spec = db.execute("SELECT schedule FROM alerts WHERE id = ?", (number,)).fetchone()[0]
        fired = db.execute(
            "SELECT COUNT(*) FROM alert_firings WHERE alert_id = ?", (number,)
        ).fetchone()[0]
    scheduled = from_iso(spec.removeprefix("once "))
    assert fired == 0 and datetime.now(UTC) < scheduled, "the bot stopped after the firing time"
    # Down across the firing time (waiting for the clock, not for an event).
    await asyncio.sleep((scheduled - datetime.now(UTC)).total_seconds() + 2)
    assert alert_posts(nurse, bot.user_id, alerts_room) == []

    bot.start()
    posts: list[Received] = await nurse.wait_for(
        lambda me: alert_posts(me, bot.user_id, alerts_room, number), timeout=60
    )
    post = posts[0]
    assert post.decrypted and post.msgtype == "m.text"
    assert post.body.startswith("🟠 Alerte importante — Rupture d'amoxicilline"), post.body
    # Posted seconds after its time, but later than the check interval (1 s here): it is
    # marked late, as every late post is.
    assert "(publiée en retard : elle était prévue" in post.body, post.body
    # Restarted again: still exactly one post.
    assert bot.stop() == 0
    bot.start()
    await asyncio.sleep(3)
    assert len(alert_posts(nurse, bot.user_id, alerts_room, number)) == 1
    with bot_database(bot) as db:
        rows = db.execute(
            "SELECT status FROM alert_firings WHERE alert_id = ?", (number,)
        ).fetchall()
    assert rows == [("posted",)]
    bot.stop()


async def test_a_listed_room_the_bot_is_not_in_does_not_hold_up_the_others(users, make_bot):
    coordinator = await users.client("coordinator")
    nurse = await users.client("nurse")
    bot = make_bot(
        coordinators=[coordinator.user_id], allowed=[nurse.user_id], alerts=ALERTS_SETTINGS
    )
    never_invited = await group_room(coordinator, [nurse.user_id], moderators=[])
    alerts_room = await group_room(coordinator, [bot.user_id, nurse.user_id], moderators=[])
    bot.rooms_file.write_text(
        bot.rooms_file.read_text("utf-8")
        + f"rooms:\n  alerts: ['{never_invited}', '{alerts_room}']\n",
        "utf-8",
    )
    bot.start()
    await coordinator.wait_joined(alerts_room, bot.user_id)
    await coordinator.wait_joined(alerts_room, nurse.user_id)
    direct = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(direct, bot.user_id)
    number = await create_alert(
        coordinator, direct, "alerte urgent: Coupure d'eau au centre | pour: tous"
    )
    await nurse.wait_for(lambda me: alert_posts(me, bot.user_id, alerts_room, number), timeout=60)
    assert alert_posts(nurse, bot.user_id, never_invited) == []
    listed = await coordinator.wait_reply(await coordinator.send(direct, "alertes"))
    assert listed.body.startswith(
        ("Aucune alerte", "Alertes en cours", "En attente d'accusés de lecture")
    ), listed.body
    # A refusal is permanent: the row is closed after its few attempts (seconds apart).
    for _ in range(60):
        if "send abandoned" in bot.log_text():
            break
        await asyncio.sleep(1)
    assert "send abandoned" in bot.log_text()
    bot.stop()


async def test_plus_tard_to_an_alert_postpones_that_readers_reminder(users, make_bot):
    """A reader answers « plus tard » to an urgent alert: no acknowledgement, a word in
    their direct chat, left out of the reminder round, reminded alone a reminder delay
    (1 min here) after they said it."""
    coordinator = await users.client("coordinator")
    nurse = await users.client("nurse")
    physio = await users.client("physio")
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[nurse.user_id, physio.user_id],
        alerts=ALERTS_SETTINGS,
    )
    alerts_room = await group_room(
        coordinator, [bot.user_id, nurse.user_id, physio.user_id], moderators=[]
    )
    bot.rooms_file.write_text(
        bot.rooms_file.read_text("utf-8") + f"rooms:\n  alerts: ['{alerts_room}']\n", "utf-8"
    )
    bot.start()
    for member in (bot, nurse, physio):
        await coordinator.wait_joined(alerts_room, member.user_id)
    direct = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(direct, bot.user_id)
    nurse_direct = await nurse.create_encrypted_room([bot.user_id])
    await nurse.wait_joined(nurse_direct, bot.user_id)

    number = await create_alert(
        coordinator, direct, "alerte urgent: Exercice plan blanc | pour: tous | rappel: 1 min"
    )
    posts = await nurse.wait_for(
        lambda me: alert_posts(me, bot.user_id, alerts_room, number), timeout=60
    )
    said = time.monotonic()
    await nurse.send(alerts_room, "Plus tard", reply_to=posts[0].event_id)

    def told(me: MatrixUser) -> list[Received]:
        return [
            item
            for item in me.from_user(bot.user_id)
            if item.body.startswith(f"⏰ C'est noté : je vous rappellerai l'alerte n° {number}")
        ]

    (note,) = await nurse.wait_for(told, timeout=30)
    assert note.room_id != alerts_room  # said to the nurse alone, not in the shared room
    with bot_database(bot) as db:
        acknowledged = db.execute("SELECT COUNT(*) FROM alert_acknowledgements").fetchone()[0]
        snoozed = db.execute("SELECT user_id FROM alert_snoozes").fetchall()
    assert acknowledged == 0 and snoozed == [(nurse.user_id,)]

    def reminders(me: MatrixUser) -> list[Received]:
        return [
            item
            for item in me.from_user(bot.user_id)
            if item.body.startswith(f"Rappel : merci d'accuser lecture de l'alerte n° {number}")
        ]

    await nurse.wait_for(reminders, timeout=120)
    assert time.monotonic() - said >= 59, "reminded before the snooze ended"
    with bot_database(bot) as db:
        queued = db.execute(
            "SELECT target FROM outbox WHERE correlation LIKE 'alert-reminder:%' ORDER BY id"
        ).fetchall()
    # The round went to the physio first; the nurse got their own reminder, once.
    assert queued == [(physio.user_id,), (nurse.user_id,)]
    await asyncio.sleep(3)
    assert len(reminders(nurse)) == 1
    assert "Traceback" not in bot.log_text()
    bot.stop()
