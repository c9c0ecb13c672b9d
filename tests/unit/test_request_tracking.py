"""Every request lands in the tracking table: directory questions, the hand-off after a
question, card updates, dispatches, retention (real SQLite and the outbox writer)."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import yaml
from directory_fixtures import index, territory

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.features.card.chat import CardFeature
from cpts_bot.features.directory.chat import DirectoryFeature, StaticIndexProvider
from cpts_bot.features.dispatch import repository as dispatches
from cpts_bot.features.dispatch.models import DispatchRequest
from cpts_bot.features.dispatch.states import DispatchEvent
from cpts_bot.features.handoff.chat import HandoffFeature
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.features.reports.request_tracking_service import (
    RecentQuestions,
    requester_profession,
)
from cpts_bot.features.reports.tracking_repository import outcome_history
from cpts_bot.i18n import Translator
from cpts_bot.reporting.cli_commands import run_retention
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.services.context import Context
from cpts_bot.services.data_minimisation import apply_retention_policy
from cpts_bot.settings import Rooms, RoomsConfig, TrackingConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
from tests.unit.alerts_reports_support import outbox_rows

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROOM = "!dm:cpts.example"
DOCTOR = "@dr.house:cpts.example"
NURSE = "@ines.durand:cpts.example"
COORDINATION = "!coordination:cpts.example"


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "x.sqlite")
    yield db
    await db.close()


def config(coordination: str | None = COORDINATION, retention_days: int = 90) -> RoomsConfig:
    return RoomsConfig(
        territory=territory(),
        coordinators=["@coord:cpts.example"],
        rooms=Rooms(coordination=coordination),
        tracking=TrackingConfig(retention_days=retention_days),
    )


class Chat:
    """Messages to the features, as the router hands them over: one transaction each."""

    def __init__(self, database: Database, coordination: str | None = COORDINATION) -> None:
        self.database = database
        self.recent = RecentQuestions()
        self.config = config(coordination)
        self.features: list[Any] = [
            HandoffFeature(self.recent),
            CardFeature(),
            DirectoryFeature(StaticIndexProvider(index()), recent_questions=self.recent),
        ]
        self.count = 0
        self.sender = DOCTOR

    async def say(self, body: str, *, at: datetime = START, delay: timedelta = timedelta(0)) -> str:
        """Send ``body`` written at ``at``, handled ``delay`` later; return its event id."""
        self.count += 1
        message = IncomingMessage(
            event_id=f"$event{self.count}",
            room_id=ROOM,
            sender=self.sender,
            body=body,
            timestamp=at,
            is_direct=True,
        )
        async with self.database.transaction() as connection:
            context = Context(
                db=connection,
                now=at + delay,
                outbox=OutboxWriter(
                    connection, at + delay, reply_to_event=message.event_id, reply_room=ROOM
                ),
                config=self.config,
                translator=Translator("fr"),
                bot_user_id="@bot:cpts.example",
            )
            await route_message(Routes.of(*self.features), message, context)
        return message.event_id


async def tracked(database: Database) -> list[aiosqlite.Row]:
    return await database.fetch_all("SELECT * FROM tracked_requests ORDER BY id")


async def add_professional(
    database: Database, key: str, profession: str, matrix_id: str, last_name: str = "DURAND"
) -> None:
    async with database.transaction() as db:
        await db.execute(
            "INSERT INTO directory_professionals (key, last_name, first_name, profession_code,"
            " source, created_at, updated_at) VALUES (?, ?, 'Inès', ?, 'cpts', ?, ?)",
            (key, last_name, profession, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        )
        await db.execute(
            "INSERT INTO directory_sites (professional_key, source, commune_insee)"
            " VALUES (?, 'cpts', '69388')",
            (key,),
        )
        await db.execute(
            "INSERT INTO directory_cards (professional_key, matrix_id, updated_at, updated_by)"
            " VALUES (?, ?, ?, 'import')",
            (key, matrix_id, "2026-01-01T00:00:00Z"),
        )


async def test_an_answered_question_is_tracked_with_what_was_understood(
    database: Database,
) -> None:
    await add_professional(database, "cpts:1", "10", DOCTOR, "HOUSE")
    chat = Chat(database)
    await chat.say("kiné respi à domicile lyon 8 pour Mme Dupont", delay=timedelta(seconds=2))
    [row] = await tracked(database)
    assert row["kind"] == "question"
    assert row["category"] == "orientation"
    assert row["outcome"] == "answered"
    assert row["profession_asked"] == "70"
    assert row["commune_asked"] == "69388"
    assert row["requester_profession"] == "10"
    assert row["response_ms"] == 2000
    assert row["source_event_id"] == "$event1"
    # The words typed (a patient's name) only in the purged column, not in the summary.
    assert "Dupont" in row["free_text"]
    assert "Dupont" not in row["summary"]
    assert row["summary"].startswith("find: masseur-kinésithérapeute")
    [reply] = await outbox_rows(database)
    assert "coordination" not in reply["payload"]["text"]


async def test_nothing_found_is_tracked_and_offers_the_hand_off(database: Database) -> None:
    chat = Chat(database)
    await chat.say("dermatologue à Bron")
    [row] = await tracked(database)
    assert row["outcome"] == "nothing_found"
    assert row["profession_asked"] == "10"
    assert row["commune_asked"] == "69029"
    assert row["requester_profession"] is None
    assert "relaxed: neighbours, whole_territory" in row["summary"]
    [reply] = await outbox_rows(database)
    assert reply["payload"]["text"].splitlines()[-1] == (
        "Écrivez « coordination » pour transmettre votre demande à l'équipe."
    )
    assert "Écrivez « coordination »" in reply["payload"]["html"]


async def test_no_hand_off_offer_without_a_coordination_room(database: Database) -> None:
    chat = Chat(database, coordination=None)
    await chat.say("dermatologue à Bron")
    [row] = await tracked(database)
    assert row["outcome"] == "nothing_found"
    [reply] = await outbox_rows(database)
    assert "Écrivez « coordination »" not in reply["payload"]["text"]


async def test_counts_and_follow_ups(database: Database) -> None:
    chat = Chat(database)
    await chat.say("combien d'infirmiers à Vénissieux ?")
    await chat.say("infirmier")
    await chat.say("plus")  # the next page of the same question: not a new request
    rows = await tracked(database)
    assert [(row["category"], row["outcome"]) for row in rows] == [
        ("directory", "answered"),
        ("orientation", "answered"),
    ]
    assert rows[0]["commune_asked"] and rows[1]["commune_asked"] is None


async def test_coordination_after_nothing_found_hands_the_question_on(
    database: Database,
) -> None:
    chat = Chat(database)
    await chat.say("dermatologue à Bron pour un eczéma")
    later = START + timedelta(minutes=3)
    await chat.say("coordination", at=later)
    rows = await tracked(database)
    assert [(row["kind"], row["outcome"]) for row in rows] == [
        ("question", "nothing_found"),
        ("handoff", "handed_off"),
    ]
    handoff = rows[1]
    assert handoff["profession_asked"] == "10" and handoff["commune_asked"] == "69029"
    assert handoff["summary"].startswith("l'annuaire n'a rien trouvé pour : dermatologue, Bron")
    post = next(row for row in await outbox_rows(database) if row["target"] == COORDINATION)
    assert post["correlation"].startswith("handoff:")
    assert "« dermatologue à Bron pour un eczéma »" in post["payload"]["text"]
    assert "l'annuaire n'a rien trouvé" in post["payload"]["text"]
    # Handed on once: a second "coordination" is a plain hand-off, without the question.
    await chat.say("coordination", at=later + timedelta(minutes=1))
    posts = [row for row in await outbox_rows(database) if row["target"] == COORDINATION]
    assert "dermatologue" not in posts[-1]["payload"]["text"]


async def test_an_old_question_is_not_carried(database: Database) -> None:
    chat = Chat(database)
    await chat.say("dermatologue à Bron")
    await chat.say("je veux parler à la coordination", at=START + timedelta(hours=2))
    post = next(row for row in await outbox_rows(database) if row["target"] == COORDINATION)
    assert "dermatologue" not in post["payload"]["text"]
    assert (await tracked(database))[1]["profession_asked"] is None


async def test_a_card_update_is_tracked_without_its_values(database: Database) -> None:
    await add_professional(database, "cpts:2", "60", NURSE)
    chat = Chat(database)
    chat.sender = NURSE
    await chat.say("je ne prends plus de nouveaux patients", delay=timedelta(seconds=1))
    [row] = await tracked(database)
    assert (row["kind"], row["category"], row["outcome"]) == ("update", "update", "answered")
    assert row["requester_profession"] == "60"
    assert row["summary"] == "own card: modality:new_patients"
    assert row["response_ms"] == 1000
    assert "patients" in row["free_text"]


def new_dispatch(created: datetime, profession: str = "60") -> DispatchRequest:
    return DispatchRequest(
        requester=DOCTOR,
        request_room=ROOM,
        profession=profession,
        communes=("69388",),
        needed_at=created + timedelta(hours=3),
        needed_precision="hour",
        what="pansement à domicile",
        details="Mme X, 3 rue Y",
        urgent=False,
        expires_at=created + timedelta(hours=2),
        next_step_at=None,
    )


async def test_dispatch_rows_follow_the_dispatch_tables(database: Database) -> None:
    created = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)
    async with database.transaction() as db:
        taken = await dispatches.create(db, new_dispatch(created), created)
        accepted = await dispatches.apply_transition(
            db, taken, DispatchEvent.ACCEPT, NURSE, created + timedelta(minutes=4)
        )
        assert accepted is not None
        back = await dispatches.apply_transition(
            db, accepted, DispatchEvent.HAND_BACK, NURSE, created + timedelta(minutes=30)
        )
        assert back is not None
        await dispatches.apply_transition(
            db, back, DispatchEvent.EXPIRE, "bot", created + timedelta(hours=2)
        )
        second = await dispatches.create(db, new_dispatch(created, "70"), created)
        second = await dispatches.apply_transition(
            db, second, DispatchEvent.DECLINE, NURSE, created + timedelta(minutes=1)
        )
        assert second is not None
        done = await dispatches.apply_transition(
            db, second, DispatchEvent.ACCEPT, NURSE, created + timedelta(minutes=10)
        )
        assert done is not None
        await dispatches.apply_transition(
            db, done, DispatchEvent.COMPLETE, NURSE, created + timedelta(hours=1)
        )
        third = await dispatches.create(db, new_dispatch(created), created)
        await dispatches.apply_transition(
            db, third, DispatchEvent.CANCEL, DOCTOR, created + timedelta(minutes=2)
        )
        figures = await dispatches.figures(
            db, Month(2026, 10).start_utc(), Month(2026, 10).end_utc()
        )
        report = await build_monthly_report(db, Month(2026, 10), Translator("en"), charts=False)
        history = await outcome_history(db, 1)
    rows = await tracked(database)
    assert [row["outcome"] for row in rows] == [
        "dispatch_expired",
        "dispatch_completed",
        "dispatch_cancelled",
    ]
    assert [row["response_ms"] for row in rows] == [4 * 60_000, 10 * 60_000, None]
    assert [outcome for outcome, _ in history] == [
        "dispatch_open",
        "dispatch_taken",
        "dispatch_open",
        "dispatch_expired",
    ]
    assert all(row["free_text"] == "pansement à domicile" for row in rows)
    assert not any("Mme X" in (row["summary"] or "") for row in rows)
    # Professions in words in the report, not their codes.
    assert "Professions most asked for: nurse 2, physiotherapist 1" in report.text
    # One source: the report says what the dispatch tables say.
    stats = report.stats
    assert stats.dispatches_total == figures.created == 3
    assert dict(stats.dispatch_outcomes) == {
        f"dispatch_{state}": count for state, count in figures.by_state.items()
    }
    assert figures.taken_within_minutes_median is not None
    assert stats.median_time_to_accept_ms == figures.taken_within_minutes_median * 60_000


async def test_the_purge_job_empties_old_free_texts(database: Database) -> None:
    chat = Chat(database)
    await chat.say("infirmier", at=START - timedelta(days=40))
    await chat.say("kiné", at=START - timedelta(days=5))
    async with database.transaction() as db:
        context = Context(
            db=db,
            now=START,
            outbox=OutboxWriter(db, START),
            config=config(retention_days=30),
            translator=Translator("fr"),
            bot_user_id="@bot:cpts.example",
        )
        await apply_retention_policy(context)
    old, recent = await tracked(database)
    assert old["free_text"] is None and old["free_text_purged_at"] is not None
    assert old["summary"] and old["profession_asked"] == "60"
    assert recent["free_text"] == "kiné"


def retention_args(tmp_path: Path, db: Path, days: int | None) -> argparse.Namespace:
    return argparse.Namespace(days=days, apply=True, db=db, rooms_file=tmp_path / "rooms.yaml")


async def test_the_retention_command_defaults_to_the_rooms_file(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = Chat(database)
    await chat.say("infirmier", at=START - timedelta(days=20))
    await chat.say("kiné", at=START - timedelta(days=5))
    path = tmp_path / "x.sqlite"
    (tmp_path / "rooms.yaml").write_text(
        yaml.safe_dump(
            {
                "territory": {"name": "T", "communes": [{"insee": "69388", "name": "Lyon 8e"}]},
                "coordinators": ["@coord:cpts.example"],
                "tracking": {"retention_days": 10},
            }
        ),
        "utf-8",
    )
    assert await _in_thread(run_retention, retention_args(tmp_path, path, None), START) == 0
    assert "retention 10 days" in capsys.readouterr().out
    reopened = await Database.open(path)
    try:
        rows = await reopened.fetch_all("SELECT free_text FROM tracked_requests ORDER BY id")
    finally:
        await reopened.close()
    assert [row[0] for row in rows] == [None, "kiné"]
    # --days wins over the rooms file; a missing rooms file means the default.
    (tmp_path / "rooms.yaml").unlink()
    assert await _in_thread(run_retention, retention_args(tmp_path, path, None), START) == 0
    assert "retention 90 days" in capsys.readouterr().out
    assert await _in_thread(run_retention, retention_args(tmp_path, path, 3), START) == 0
    assert "retention 3 days" in capsys.readouterr().out


async def _in_thread(function: Any, *args: Any) -> Any:
    """The command runs its own event loop: run it off this one."""
    import asyncio

    return await asyncio.to_thread(function, *args)


async def test_the_words_of_a_longer_request_go_with_the_question(database: Database) -> None:
    chat = Chat(database)
    await chat.say("dermatologue à Bron")
    await chat.say("je veux parler à la coordination, c'est pour demain", at=START)
    post = next(row for row in await outbox_rows(database) if row["target"] == COORDINATION)
    text = post["payload"]["text"]
    # What the GP typed is quoted; the question just before comes on its own line.
    assert "« je veux parler à la coordination, c'est pour demain »" in text
    assert "Sa question juste avant : « dermatologue à Bron »" in text


async def test_the_requester_profession_is_one_query_not_a_whole_card(
    database: Database,
) -> None:
    """On the answer's path: one statement for the profession, not the card's seven reads."""
    await add_professional(database, "cpts:1", "10", DOCTOR, "HOUSE")
    statements: list[str] = []
    async with database.transaction() as db:
        await db.set_trace_callback(statements.append)
        assert await requester_profession(db, DOCTOR) == "10"
        assert await requester_profession(db, NURSE) is None
        await db.set_trace_callback(None)
    assert len(statements) == 2
