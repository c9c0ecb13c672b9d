"""Test support for the declared commands: a territory of made-up commune names (on real
INSEE codes, which the configuration checks), a router
built like the bot's, and a direct chat with it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cpts_bot.app import build_features
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.i18n import Translator
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
COORDINATOR = "@coord:cpts.test"
GP = "@gp:cpts.test"
BOT = "@bot:cpts.test"
COORDINATION_ROOM = "!coordination:cpts.test"


def make_config(first_commune: str = "Saint-Exemple-sur-Mer") -> RoomsConfig:
    return RoomsConfig.model_validate(
        {
            "territory": {
                "name": "CPTS Exemple",
                "communes": [
                    {"insee": "26001", "name": first_commune, "postal_codes": ["26150"]},
                    {"insee": "26002", "name": "Val-Témoin", "postal_codes": ["26140"]},
                ],
            },
            "coordinators": [COORDINATOR],
            "access": {"servers": ["cpts.test"]},
            "rooms": {"coordination": COORDINATION_ROOM},
        }
    )


def context_for(db: Any, config: RoomsConfig, language: str = "fr", event: str = "$q") -> Any:
    outbox = OutboxWriter(db, NOW, reply_to_event=event, reply_room="!dm:cpts.test")
    return Context(
        db=db,
        now=NOW,
        outbox=outbox,
        config=config,
        translator=Translator(language),
        bot_user_id=BOT,
    )


def router_for(database: Database, config: RoomsConfig) -> CommandRouter:
    features = build_features(database, config)
    return CommandRouter(
        database,
        config,
        BOT,
        features.chat,
        on_outbox=lambda: None,
    )


def direct(body: str, sender: str = GP) -> IncomingMessage:
    return IncomingMessage(
        event_id="$q",
        room_id="!dm:cpts.test",
        sender=sender,
        body=body,
        timestamp=NOW,
        is_direct=True,
    )


async def replies(database: Database) -> list[str]:
    rows = await database.fetch_all("SELECT payload FROM outbox ORDER BY id")
    return [json.loads(row["payload"])["text"] for row in rows]


async def say(database: Database, router: CommandRouter, body: str, sender: str = GP) -> str:
    """What the router answers to ``body`` in a direct chat (the last reply)."""
    async with database.transaction() as db:
        context = context_for(db, router._config)
        await router._handle_message(direct(body, sender), context)
    return (await replies(database))[-1]
