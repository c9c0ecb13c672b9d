"""« Plus tard »: readers postpone an alert's reminder for themselves (by chat, over a
real SQLite); and the draft's « oui / non » is a declared command, not a self-routing
feature."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes
from cpts_bot.features.alerts.chat import AlertsFeature
from tests.unit.alerts_reports_support import ALERTS_ROOM, COORDINATOR, GP, NURSE, open_database
from tests.unit.test_alerts_feature import DM, MEMBERS, NOW, Chat

MK = "@mk:example.org"
NURSE_DM = "!dm-nurse:example.org"


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    database = await open_database(tmp_path)
    yield Chat(database, AlertsFeature(members=MEMBERS))
    await database.close()


async def posted_alert(chat: Chat, line: str) -> str:
    """Create, confirm and post ``line`` now; the event id of its post in the alerts room."""
    await chat.say(line)
    await chat.say("oui")
    summary, _rows = await chat.tick(NOW + timedelta(seconds=2))
    assert summary.posted
    await chat.send_all()
    row = await chat.database.fetch_one(
        "SELECT event_id FROM alert_posts WHERE room_id = ?", (ALERTS_ROOM,)
    )
    return row["event_id"]


def direct_messages(rows: list[dict], user: str) -> list[str]:
    return [
        row["payload"]["text"]
        for row in rows
        if row["action"] == "direct_message" and row["target"] == user
    ]


async def acknowledged(chat: Chat) -> list[str]:
    rows = await chat.database.fetch_all("SELECT user_id FROM alert_acknowledgements")
    return [row["user_id"] for row in rows]


async def test_plus_tard_postpones_the_reminder_of_that_reader_only(chat: Chat) -> None:
    post = await posted_alert(chat, "alerte urgent: Canicule | rappel: 30 min")
    said = NOW + timedelta(minutes=5)
    rows = await chat.say("Plus tard", at=said, sender=NURSE, room=ALERTS_ROOM, reply_to=post)
    # Not an acknowledgement; the reader is told in their direct chat, not in the room.
    assert await acknowledged(chat) == []
    (told,) = rows
    assert (told["action"], told["target"]) == ("direct_message", NURSE)
    assert told["payload"]["text"] == (
        "⏰ C'est noté : je vous rappellerai l'alerte n° 1 le lundi 23 novembre 2026 à 11:35,"
        " sauf si vous en accusez lecture d'ici là (en y réagissant ou en y répondant)."
    )
    # The round, 30 min after the post, reminds the others, not the nurse.
    summary, rows = await chat.tick(NOW + timedelta(minutes=31))
    assert summary.reminded == 2
    assert sorted(row["target"] for row in rows if row["action"] == "direct_message") == [GP, MK]
    # 30 min after « plus tard »: the nurse alone, once.
    summary, rows = await chat.tick(said + timedelta(minutes=29))
    assert summary.reminded == 0
    summary, rows = await chat.tick(said + timedelta(minutes=30))
    (reminder,) = direct_messages(rows, NURSE)
    assert reminder.startswith("Rappel : merci d'accuser lecture de l'alerte n° 1")
    assert reminder.endswith(
        "Pas maintenant ? Répondez « plus tard » à ce message : je vous le rappellerai plus tard."
    )
    assert rows[0]["correlation"] == "alert-reminder:1"
    summary, rows = await chat.tick(said + timedelta(minutes=45))
    assert summary.reminded == 0 and rows == []


async def test_later_to_the_reminder_snoozes_again_and_a_reaction_to_it_acknowledges(
    chat: Chat,
) -> None:
    post = await posted_alert(chat, "alerte important: Rupture | rappel: 20 min")
    await chat.say("later", at=NOW, sender=NURSE, room=ALERTS_ROOM, reply_to=post)
    await chat.tick(NOW + timedelta(minutes=20, seconds=5))
    await chat.send_all()
    reminder = await chat.database.fetch_one(
        "SELECT event_id FROM outbox WHERE correlation = 'alert-reminder:1' AND target = ?",
        (NURSE,),
    )
    again = NOW + timedelta(minutes=25)
    rows = await chat.say(
        "rappelle-moi plus tard",
        at=again,
        sender=NURSE,
        room=NURSE_DM,
        reply_to=reminder["event_id"],
    )
    assert "11:45" in direct_messages(rows, NURSE)[0]
    summary, rows = await chat.tick(again + timedelta(minutes=20))
    assert direct_messages(rows, NURSE) and summary.reminded == 1
    await chat.send_all()
    latest = await chat.database.fetch_all(
        "SELECT event_id FROM outbox WHERE correlation = 'alert-reminder:1' AND target = ?"
        " ORDER BY id",
        (NURSE,),
    )
    assert await chat.react(latest[-1]["event_id"], NURSE, NURSE_DM, again + timedelta(hours=1))
    assert await acknowledged(chat) == [NURSE]


async def test_a_sleep_reaction_snoozes_and_acknowledging_meanwhile_cancels_the_reminder(
    chat: Chat,
) -> None:
    post = await posted_alert(chat, "alerte urgent: Canicule")  # no reminder delay: 1 h
    assert await chat.react(post, NURSE, ALERTS_ROOM, NOW + timedelta(minutes=1), key="💤")
    snooze = await chat.database.fetch_one("SELECT remind_at FROM alert_snoozes")
    assert snooze["remind_at"].startswith("2026-11-23T11:01")
    assert await acknowledged(chat) == []
    await chat.say(
        "bien reçu", at=NOW + timedelta(minutes=10), sender=NURSE, room=ALERTS_ROOM, reply_to=post
    )
    assert await acknowledged(chat) == [NURSE]
    summary, rows = await chat.tick(NOW + timedelta(hours=2))
    assert summary.reminded == 0 and direct_messages(rows, NURSE) == []
    done = await chat.database.fetch_one("SELECT reminded_at FROM alert_snoozes")
    assert done["reminded_at"] is not None  # forgotten, never sent


async def test_plus_tard_to_an_information_changes_nothing(chat: Chat) -> None:
    post = await posted_alert(chat, "alerte: Réunion CPTS jeudi")
    rows = await chat.say("plus tard", at=NOW, sender=NURSE, room=ALERTS_ROOM, reply_to=post)
    assert rows == []
    assert await chat.database.fetch_all("SELECT * FROM alert_snoozes") == []


async def test_the_draft_answer_is_a_pending_exchange_of_the_draft(chat: Chat) -> None:
    routes = Routes.of(chat.feature)
    assert routes.self_routed == []  # nothing routes itself any more
    # The draft's « oui / non » is the pending exchange of its follow-up, not a command.
    draft_follow_up = next(f for f in routes.follow_ups.helped if f.prefix == "alert-draft:")
    assert draft_follow_up.waiting is not None
    assert all("oui" not in command.examples for command in routes.commands.commands)
    # No draft: « oui » is not claimed (someone else's pending exchange may take it).
    assert await chat.say("oui") == [{"unhandled": True}]
    (echo,) = await chat.say("alerte: Réunion")
    assert echo["correlation"] == "alert-draft:1"
    # Another room is another exchange: the draft waits in the direct chat.
    assert await chat.say("oui", room="!elsewhere:example.org") == [{"unhandled": True}]
    await chat.send_all()
    event = await chat.database.fetch_one(
        "SELECT event_id FROM outbox WHERE correlation = 'alert-draft:1'"
    )
    # A reply to the echo is a follow-up of the draft.
    (confirmed,) = await chat.say("Oui !", reply_to=event["event_id"])
    assert confirmed["payload"]["text"].startswith("Alerte n° 1 confirmée")
    assert await chat.say("oui") == [{"unhandled": True}]  # nothing pending any more
    assert await chat.say("non", sender=GP, room=DM) == [{"unhandled": True}]
    status = await chat.database.fetch_one("SELECT status FROM alerts")
    assert status["status"] == "active"
    assert COORDINATOR
