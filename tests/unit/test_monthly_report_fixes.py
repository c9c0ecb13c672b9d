"""What a coordinator read and could not use: the monthly report's response time (it said
« 0 s »), plural forms (« 1 placées »), Matrix IDs where names are expected, and
« alertes » leaving out an urgent alert still waiting for acknowledgements."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from cpts_bot.core.messages import Reply
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.features.reports.tracking_repository import TrackedRequest, record_request
from cpts_bot.i18n import Translator
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.services.people import person_label
from cpts_bot.storage.core_repository import InboxItem, mark_sent, store_batch
from cpts_bot.storage.database import Database
from cpts_bot.storage.matrix_names import remember_name
from cpts_bot.storage.outbox import OutboxWriter
from tests.unit.test_alerts_feature import NOW, Chat, chat  # noqa: F401

QUESTION = "$question"


async def test_the_response_time_runs_to_the_answers_delivery(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    async with database.transaction() as db:
        # The bot read the question 50 ms after it arrived and queued its answer.
        await record_request(
            db,
            TrackedRequest(
                requested_at=NOW,
                kind="question",
                category="orientation",
                outcome="answered",
                answered_at=NOW + timedelta(milliseconds=50),
                source_event_id=QUESTION,
            ),
        )
        outbox = OutboxWriter(db, NOW, reply_to_event=QUESTION, reply_room="!dm:cpts.test")
        await outbox.reply(Reply("IDE à Hyères : …"))
        other = OutboxWriter(db, NOW, reply_to_event="$other", reply_room="!dm:cpts.test")
        await other.reply(Reply("autre chose"))
    async with database.transaction() as db:
        async with db.execute("SELECT id FROM outbox ORDER BY id") as cursor:
            first, second = [row["id"] for row in await cursor.fetchall()]
        await mark_sent(db, first, "$a1", NOW + timedelta(seconds=4), "!dm:cpts.test")
        await mark_sent(db, second, "$a2", NOW + timedelta(seconds=9), "!dm:cpts.test")
        report = await build_monthly_report(db, Month(2026, 11), Translator("fr"), charts=False)
    assert report.stats.median_answer_ms == 4000
    assert (
        "Délai médian de réponse (de l'arrivée de la question à la remise de la réponse) : 4 s"
        in report.text
    )
    await database.close()


async def test_a_person_outside_the_directory_is_named_by_their_matrix_name(
    tmp_path: Path,
) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    coordinator = "@coord:cpts.test"
    async with database.transaction() as db:
        assert await person_label(db, coordinator, Translator("fr")) == coordinator
    # Her message arrives with the name Matrix shows for her; the bot names her by it.
    payload = {"body": "déclenchement …", "sender_name": "Claire (coordination)"}
    item = InboxItem("$m1", "!coord:cpts.test", coordinator, "message", payload)
    assert await store_batch(database, [item], "s1", NOW) == 1
    async with database.transaction() as db:
        assert await person_label(db, coordinator, Translator("fr")) == "Claire (coordination)"
        await remember_name(db, coordinator, coordinator, NOW)  # an ID is not a name
        assert await person_label(db, coordinator, Translator("fr")) == "Claire (coordination)"
    await database.close()


async def test_alertes_lists_an_urgent_alert_still_waiting_for_acknowledgements(
    chat: Chat,  # noqa: F811
) -> None:
    await chat.say("alerte urgent: Canicule | quand: maintenant | pour: tous")
    await chat.say("oui")
    await chat.tick(NOW + timedelta(seconds=2))
    await chat.send_all()
    (listing,) = await chat.say("alertes", at=NOW + timedelta(minutes=5))
    assert listing["payload"]["text"].splitlines() == [
        "En attente d'accusés de lecture : 1",
        "🔴 1. Canicule — lundi 23 novembre 2026 à 11:00 — lu par : 0/3",
    ]
