"""An undecryptable event waits for its key, is answered once the key comes, and is
answered with an apology (never lost silently) if the key never comes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cpts_bot.core.messages import KIND_UNDECRYPTABLE
from cpts_bot.core.times import to_iso
from cpts_bot.inbox.command_router import UNDECRYPTABLE_GIVE_UP_AFTER_S, CommandRouter
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database

CONFIG = RoomsConfig.model_validate(
    {
        "territory": {"name": "CPTS Test", "communes": [{"insee": "69388", "name": "Lyon 8e"}]},
        "coordinators": ["@coord:hs"],
    }
)
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class Keys:
    """A decryptor whose key arrives when the test says so."""

    def __init__(self) -> None:
        self.arrived = False

    async def __call__(self, row: repo.InboxRow) -> dict[str, Any] | None:
        if not self.arrived:
            return None
        return {
            "kind": "message",
            "body": "aide",
            "timestamp": row.payload["timestamp"],
            "is_direct": True,
            "room_encrypted": True,
        }


async def store_undecryptable(
    database: Database, event_id: str = "$e1", is_direct: bool = True
) -> None:
    payload = {
        "timestamp": to_iso(START),
        "source": {},
        "is_direct": is_direct,
        "room_name": "Alertes",
    }
    item = repo.InboxItem(event_id, "!room", "@coord:hs", KIND_UNDECRYPTABLE, payload)
    await repo.store_batch(database, [item], "token1", START)


async def outbox_rows(database: Database) -> list[tuple[str, str, str]]:
    import json

    rows = await database.fetch_all("SELECT action, target, payload FROM outbox ORDER BY id")
    return [(row["action"], row["target"], json.loads(row["payload"])["text"]) for row in rows]


async def outbox_texts(database: Database) -> list[str]:
    import json

    rows = await database.fetch_all("SELECT payload FROM outbox ORDER BY id")
    return [json.loads(row["payload"])["text"] for row in rows]


async def test_answered_once_the_key_arrives(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    keys = Keys()
    clock = [START]
    router = CommandRouter(
        database,
        CONFIG,
        "@bot:hs",
        [],
        on_outbox=lambda: None,
        decryptor=keys,
        clock=lambda: clock[0],
    )
    await store_undecryptable(database)
    await router.drain()
    assert await outbox_texts(database) == []
    assert len(await repo.pending_inbox(database)) == 1
    keys.arrived = True
    await router.drain()
    texts = await outbox_texts(database)
    assert len(texts) == 1 and "Voici ce que je sais faire" in texts[0]
    assert await repo.pending_inbox(database) == []
    await router.drain()
    assert len(await outbox_texts(database)) == 1
    await database.close()


async def test_a_key_that_never_comes_gets_an_apology_once(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    clock = [START]
    router = CommandRouter(
        database,
        CONFIG,
        "@bot:hs",
        [],
        on_outbox=lambda: None,
        decryptor=Keys(),
        clock=lambda: clock[0],
    )
    await store_undecryptable(database)
    clock[0] = START + timedelta(seconds=UNDECRYPTABLE_GIVE_UP_AFTER_S + 1)
    await router.drain()
    await router.drain()
    rows = await outbox_rows(database)
    assert len(rows) == 1
    action, target, text = rows[0]
    assert (action, target) == ("message", "!room")  # the direct chat it came from
    assert text.startswith("Je n'ai pas pu déchiffrer ce que vous avez envoyé à 09:00")
    await database.close()


async def test_in_a_shared_room_the_notice_goes_to_the_direct_chat_once_a_day(
    tmp_path: Path,
) -> None:
    """Never in the shared room (it may be a reaction, and it concerns one person), and
    not once per event: chatter the bot cannot read would flood the person."""
    database = await Database.open(tmp_path / "bot.sqlite")
    clock = [START]
    router = CommandRouter(
        database,
        CONFIG,
        "@bot:hs",
        [],
        on_outbox=lambda: None,
        decryptor=Keys(),
        clock=lambda: clock[0],
    )
    await store_undecryptable(database, "$e1", is_direct=False)
    await store_undecryptable(database, "$e2", is_direct=False)
    clock[0] = START + timedelta(seconds=UNDECRYPTABLE_GIVE_UP_AFTER_S + 1)
    await router.drain()
    rows = await outbox_rows(database)
    assert len(rows) == 1, rows
    action, target, text = rows[0]
    assert (action, target) == ("direct_message", "@coord:hs")
    assert "à 09:00 dans « Alertes »" in text and "message" in text
    assert await repo.pending_inbox(database) == []
    await database.close()
