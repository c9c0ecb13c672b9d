"""Human hand-off over a real SQLite and the outbox writer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.features.handoff.chat import HandoffFeature
from cpts_bot.features.handoff.phrases import asks_for_a_person
from cpts_bot.features.handoff.service import hand_off
from cpts_bot.features.reports.request_tracking_service import RecentQuestion, RecentQuestions
from cpts_bot.features.reports.tracking_repository import TrackedRequest, outcome_history
from cpts_bot.services.context import Context
from cpts_bot.storage.database import Database
from tests.unit.alerts_reports_support import (
    COORDINATION_ROOM,
    COORDINATOR,
    GP,
    make_config,
    make_context,
    mark_sent,
    message,
    open_database,
    outbox_rows,
)


async def route(feature: HandoffFeature, event: IncomingMessage, context: Context) -> bool:
    """``event`` through the router's steps, with only the hand-off feature."""
    return await route_message(Routes.of(feature), event, context)


ASKED = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
GP_ROOM = "!dm-gp:example.org"


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database, closed even when the test fails (its thread would hang)."""
    opened = await open_database(tmp_path)
    yield opened
    await opened.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("je veux parler à la coordination", True),
        ("Je voudrais parler a quelqu'un", True),
        ("un humain svp", True),
        ("appeler la coordination", True),
        ("pouvez-vous contacter la CPTS", True),
        ("talk to a human", True),
        ("kiné à domicile Bron ?", False),
        ("la coordination est fermée ?", False),
        ("IDE pour humain diabétique", False),
    ],
)
def test_detects_requests_for_a_person(text: str, expected: bool) -> None:
    assert asks_for_a_person(text) is expected


async def test_hand_off_then_answer_in_thread_is_relayed(database: Database) -> None:
    feature = HandoffFeature()
    asked = message(
        "Je veux parler à la coordination pour un patient sans médecin traitant",
        GP,
        GP_ROOM,
        ASKED,
        "$ask",
    )
    async with database.transaction() as db:
        assert await route(feature, asked, make_context(db, ASKED, asked))
    rows = await outbox_rows(database)
    post, acknowledgement = rows
    assert post["target"] == COORDINATION_ROOM and post["correlation"] == "handoff:1"
    assert GP in post["payload"]["text"] and "sans médecin traitant" in post["payload"]["text"]
    assert acknowledgement["target"] == GP_ROOM
    assert acknowledgement["payload"]["in_reply_to"] == "$ask"
    assert acknowledgement["payload"]["text"].startswith("Transmis à la coordination")

    # The adapter sends the post, then tells the feature its event id.
    async with database.transaction() as db:
        assert await feature.on_sent(db, "handoff:1", COORDINATION_ROOM, "$post")
        assert not await feature.on_sent(db, "dispatch:4:@x:hs", COORDINATION_ROOM, "$other")
    await mark_sent(database, post["txn_id"], "$post")

    answered_at = ASKED + timedelta(minutes=12)
    unrelated = message("bonjour à tous", COORDINATOR, COORDINATION_ROOM, answered_at, "$hi")
    answer = message(
        "Le Dr Martin prend de nouveaux patients : 04 00 00 00 00",
        COORDINATOR,
        COORDINATION_ROOM,
        answered_at,
        "$answer",
        thread_root="$post",
    )
    async with database.transaction() as db:
        assert not await route(feature, unrelated, make_context(db, answered_at, unrelated))
        assert await route(feature, answer, make_context(db, answered_at, answer))
    relay, tick = await outbox_rows(database, after=acknowledgement["id"])
    assert relay["target"] == GP_ROOM and relay["payload"]["in_reply_to"] == "$ask"
    assert relay["payload"]["text"] == (
        "Réponse de la coordination : Le Dr Martin prend de nouveaux patients : 04 00 00 00 00"
    )
    assert (tick["action"], tick["payload"]) == ("reaction", {"relates_to": "$answer", "key": "✅"})
    handoff = await database.fetch_one("SELECT * FROM handoffs WHERE id = 1")
    assert handoff["answered_by"] == COORDINATOR and handoff["answer_count"] == 1
    async with database.transaction() as db:
        history = await outcome_history(db, handoff["request_id"])
    assert history == [("handed_off", ASKED), ("handoff_answered", answered_at)]
    tracked = await database.fetch_one("SELECT kind, response_ms FROM tracked_requests")
    assert (tracked["kind"], tracked["response_ms"]) == ("handoff", 12 * 60 * 1000)

    # A second answer, as a reply to the post, is relayed too; the first time stays.
    later = answered_at + timedelta(minutes=5)
    more = message(
        "Ou le centre de santé.", COORDINATOR, COORDINATION_ROOM, later, "$more", reply_to="$post"
    )
    async with database.transaction() as db:
        assert await route(feature, more, make_context(db, later, more))
    handoff = await database.fetch_one("SELECT * FROM handoffs WHERE id = 1")
    assert handoff["answer_count"] == 2 and handoff["answered_at"].startswith("2026-11-23T08:12")


async def test_service_used_by_other_features_records_the_reason(database: Database) -> None:
    async with database.transaction() as db:
        context = make_context(db, ASKED)
        result = await hand_off(
            db,
            context.outbox,
            context.config,
            requester=GP,
            origin_room_id=GP_ROOM,
            origin_event_id="$q",
            question="ortho Bron",
            requested_at=ASKED,
            reason="aucun orthophoniste à Bron",
            profession_asked="ortho",
            commune_asked="69029",
        )
    assert result is not None and result.coordination_room_id == COORDINATION_ROOM
    (post,) = await outbox_rows(database)
    assert "Contexte : aucun orthophoniste à Bron" in post["payload"]["text"]
    row = await database.fetch_one("SELECT summary, profession_asked FROM tracked_requests")
    assert tuple(row) == ("aucun orthophoniste à Bron", "ortho")


async def test_the_post_quotes_what_was_typed_then_the_question_just_before(
    database: Database,
) -> None:
    """« je veux parler à la coordination » right after a directory question: the post
    quotes those words, and shows the question before on a line of its own."""
    recent = RecentQuestions()
    recent.remember(
        GP,
        GP_ROOM,
        RecentQuestion(
            request_id=0,
            request=TrackedRequest(
                requested_at=ASKED - timedelta(minutes=1),
                kind="question",
                category="orientation",
                outcome="answered",
                requester_profession="10",
                profession_asked="91",
                commune_asked="69029",
                summary="",
                free_text="ortho bilan langage enfant 4 ans bron",
            ),
            criteria="orthophoniste, Bron",
            total=1,
        ),
    )
    asked = message("je veux parler à la coordination", GP, GP_ROOM, ASKED, "$ask")
    async with database.transaction() as db:
        assert await route(HandoffFeature(recent), asked, make_context(db, ASKED, asked))
    post = (await outbox_rows(database))[0]["payload"]["text"].splitlines()
    assert post[1] == "« je veux parler à la coordination »"
    assert post[2] == "Sa question juste avant : « ortho bilan langage enfant 4 ans bron »"
    assert post[3].startswith("Contexte : ") and "orthophoniste, Bron" in post[3]
    row = await database.fetch_one("SELECT free_text, summary FROM tracked_requests")
    assert row["free_text"] == "je veux parler à la coordination"
    assert "bilan" not in row["summary"]


async def test_without_a_coordination_room_the_user_is_told(database: Database) -> None:
    asked = message("un humain", GP, GP_ROOM, ASKED, "$ask")
    async with database.transaction() as db:
        context = make_context(db, ASKED, asked, config=make_config(coordination=None))
        assert await route(HandoffFeature(), asked, context)
    (reply,) = await outbox_rows(database)
    assert reply["payload"]["text"].startswith("Aucun salon de coordination")
    assert await database.fetch_all("SELECT * FROM handoffs") == []
