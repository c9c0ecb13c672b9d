"""Test support for the rota and dispatch features: a territory, a fake directory, and a
fake homeserver that "sends" the outbox and reports event ids back (as the adapter does)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from cpts_bot.core.messages import IncomingMessage, IncomingReaction
from cpts_bot.features.cover.texts_service import on_sent as swap_on_sent
from cpts_bot.features.directory.models import PracticeSite, Professional
from cpts_bot.features.dispatch.escalation_service import on_sent
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.core_repository import mark_sent
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

HYERES, LA_CRAU, CARQUEIRANNE, TOULON = "83069", "83047", "83034", "83137"
COORDINATOR = "@coord:cpts.test"


def make_config(**extra: Any) -> RoomsConfig:
    data: dict[str, Any] = {
        "territory": {
            "name": "CPTS test",
            "communes": [
                {
                    "insee": HYERES,
                    "name": "Hyères",
                    "postal_codes": ["83400"],
                    "aliases": ["Hyeres les Palmiers"],
                    "localities": ["Porquerolles"],
                    "neighbours": [LA_CRAU, CARQUEIRANNE],
                },
                {"insee": LA_CRAU, "name": "La Crau", "postal_codes": ["83260"]},
                {"insee": CARQUEIRANNE, "name": "Carqueiranne", "postal_codes": ["83320"]},
                {"insee": TOULON, "name": "Toulon", "postal_codes": ["83000"]},
            ],
        },
        "coordinators": [COORDINATOR],
        "access": {"servers": ["cpts.test"]},
    }
    rooms = extra.pop("rooms", None)
    if rooms:
        data["rooms"] = rooms
    dispatch = extra.pop("dispatch", None)
    if dispatch:
        data["dispatch"] = dispatch
    if extra:
        data["extra"] = extra
    return RoomsConfig.model_validate(data)


def professional(
    user: str, profession: str, *communes: str, active: bool = True, phone: str = ""
) -> Professional:
    return Professional(
        key=f"cpts:{user}",
        last_name=user.split(":")[0].lstrip("@").title(),
        first_name="",
        profession_code=profession,
        sites=tuple(PracticeSite(commune, commune, phone=phone) for commune in communes),
        matrix_id=user,
        active=active,
    )


@dataclass
class FakeDirectory:
    """An in-memory ProfessionalLookup."""

    professionals: list[Professional] = field(default_factory=list)

    async def members(
        self, db: aiosqlite.Connection, profession_code: str, communes: Collection[str] | None
    ) -> list[Professional]:
        return [
            p
            for p in self.professionals
            if p.profession_code == profession_code
            and p.active
            and (communes is None or p.communes & set(communes))
        ]

    async def by_matrix_id(self, db: aiosqlite.Connection, user_id: str) -> Professional | None:
        return next((p for p in self.professionals if p.matrix_id == user_id), None)


_ids = itertools.count(1)


def message(
    sender: str,
    body: str,
    now: datetime,
    *,
    room: str = "!coord:cpts.test",
    reply_to: str | None = None,
    is_direct: bool = False,
) -> IncomingMessage:
    return IncomingMessage(
        event_id=f"$m{next(_ids)}",
        room_id=room,
        sender=sender,
        body=body,
        timestamp=now,
        reply_to=reply_to,
        is_direct=is_direct,
    )


def reaction(
    sender: str, key: str, reacts_to: str, now: datetime, room: str = "!dm:cpts.test"
) -> IncomingReaction:
    return IncomingReaction(
        event_id=f"$r{next(_ids)}",
        room_id=room,
        sender=sender,
        key=key,
        reacts_to=reacts_to,
        timestamp=now,
    )


def context_for(
    db: aiosqlite.Connection,
    config: RoomsConfig,
    now: datetime,
    event: IncomingMessage | IncomingReaction | None,
) -> Context:
    outbox = OutboxWriter(db, now)
    if isinstance(event, IncomingMessage):
        outbox = OutboxWriter(db, now, reply_to_event=event.event_id, reply_room=event.room_id)
    return Context(
        db=db,
        now=now,
        outbox=outbox,
        config=config,
        translator=Translator(config.language),
        bot_user_id="@bot:cpts.test",
    )


@dataclass(frozen=True)
class Sent:
    id: int
    action: str
    target: str
    text: str
    room_id: str
    event_id: str
    correlation: str | None
    payload: dict[str, Any]


class FakeHomeserver:
    """Sends the outbox: gives each row an event id, calls ``on_sent`` like the adapter."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.sent: list[Sent] = []
        self._events = itertools.count(1)

    @staticmethod
    def room_of(action: str, target: str) -> str:
        return f"!dm-{target}" if action == "direct_message" else target

    async def flush(self, now: datetime) -> list[Sent]:
        new: list[Sent] = []
        async with self.database.transaction() as db:
            async with db.execute("SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id") as c:
                rows = list(await c.fetchall())
            for row in rows:
                event_id = f"$e{next(self._events)}"
                room_id = self.room_of(row["action"], row["target"])
                await mark_sent(db, row["id"], event_id, now, room_id)
                if row["correlation"] and row["correlation"].startswith("dispatch:"):
                    await on_sent(db, row["correlation"], room_id, event_id, now)
                if row["correlation"] and row["correlation"].startswith("swap:"):
                    await swap_on_sent(db, row["correlation"], room_id, event_id, now)
                payload = json.loads(row["payload"])
                new.append(
                    Sent(
                        row["id"],
                        row["action"],
                        row["target"],
                        payload.get("text", ""),
                        room_id,
                        event_id,
                        row["correlation"],
                        payload,
                    )
                )
        self.sent.extend(new)
        return new


async def open_database(tmp_path: Path, name: str = "bot.sqlite") -> Database:
    return await Database.open(tmp_path / name)
