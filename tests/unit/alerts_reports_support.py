"""Shared test support for tracking, hand-off, reports and alerts: config, context, outbox."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from cpts_bot.core.messages import IncomingMessage
from cpts_bot.core.times import from_iso
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.settings import Commune, Rooms, RoomsConfig, Territory
from cpts_bot.storage.core_repository import mark_sent as repo_mark_sent
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

COORDINATOR = "@coord:example.org"
NURSE = "@nurse:example.org"
GP = "@gp:example.org"
COORDINATION_ROOM = "!coordination:example.org"
ALERTS_ROOM = "!alerts:example.org"
NURSE_DUTY_ROOM = "!ide-duty:example.org"
PHYSIO_DUTY_ROOM = "!mk-duty:example.org"
BOT = "@cpts-bot:example.org"


def make_config(coordination: str | None = COORDINATION_ROOM) -> RoomsConfig:
    return RoomsConfig(
        territory=Territory(name="Test", communes=[Commune(insee="69388", name="Lyon 8e")]),
        coordinators=[COORDINATOR],
        rooms=Rooms(
            coordination=coordination,
            alerts=[ALERTS_ROOM],
            duty={"IDE": NURSE_DUTY_ROOM, "MK": PHYSIO_DUTY_ROOM},
        ),
    )


async def open_database(tmp_path: Path) -> Database:
    return await Database.open(tmp_path / "bot.sqlite")


def make_context(
    db: aiosqlite.Connection,
    now: datetime,
    message: IncomingMessage | None = None,
    config: RoomsConfig | None = None,
    language: str = "fr",
) -> Context:
    outbox = OutboxWriter(
        db,
        now,
        reply_to_event=message.event_id if message else None,
        reply_room=message.room_id if message else None,
    )
    return Context(
        db=db,
        now=now,
        outbox=outbox,
        config=config or make_config(),
        translator=Translator(language),
        bot_user_id=BOT,
    )


def message(
    body: str, sender: str, room: str, at: datetime, event_id: str, **extra: Any
) -> IncomingMessage:
    return IncomingMessage(
        event_id=event_id, room_id=room, sender=sender, body=body, timestamp=at, **extra
    )


async def outbox_rows(database: Database, *, after: int = 0) -> list[dict[str, Any]]:
    """Outbox rows (payload decoded), in order."""
    rows = await database.fetch_all(
        "SELECT id, txn_id, action, target, payload, correlation FROM outbox WHERE id > ?"
        " ORDER BY id",
        (after,),
    )
    return [
        {
            "id": row["id"],
            "txn_id": row["txn_id"],
            "action": row["action"],
            "target": row["target"],
            "payload": json.loads(row["payload"]),
            "correlation": row["correlation"],
        }
        for row in rows
    ]


async def mark_sent(database: Database, txn_id: str, event_id: str) -> None:
    """What the Matrix adapter does after a send (its on_sent hook aside)."""
    async with database.transaction() as db:
        async with db.execute("SELECT id, created_at FROM outbox WHERE txn_id = ?", (txn_id,)) as c:
            row = await c.fetchone()
        await repo_mark_sent(db, row["id"], event_id, from_iso(row["created_at"]))
