"""The welcome of a direct chat opened ahead of need: once its person joined, once per
chat, in their language, and none in a chat the bot has written in already."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpts_bot.app import welcome_joined
from cpts_bot.core.messages import Reply
from cpts_bot.matrix.direct_chats_ahead import DirectChatsAhead
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.services.direct_chat_welcome import queue_welcomes
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database
from cpts_bot.storage.direct_chat_welcomes import chats_to_welcome
from cpts_bot.storage.outbox import OutboxWriter
from tests.unit.dispatch_support import make_config
from tests.unit.test_outbox_lanes import FakeClient, FakeRoom

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ANNE, BRUNO, CLARA = "@anne:cpts.test", "@bruno:cpts.test", "@clara:cpts.test"


async def direct_messages(database: Database) -> list[tuple[str, str, bool]]:
    rows = await database.fetch_all(
        "SELECT target, payload FROM outbox WHERE action = 'direct_message' ORDER BY id"
    )
    return [
        (row["target"], json.loads(row["payload"])["text"], json.loads(row["payload"])["notice"])
        for row in rows
    ]


async def open_chats(database: Database, *users: str) -> None:
    """Direct chats the bot opened (ahead of need)."""
    async with database.transaction() as db:
        for index, user in enumerate(users):
            await repo.save_direct_room(db, user, f"!dm{index}:cpts.test", NOW, by_bot=True)


async def test_a_joined_chat_is_welcomed_once_in_its_persons_language(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        config = make_config()
        await open_chats(database, ANNE, BRUNO)
        async with database.transaction() as db:
            await repo.set_language(db, BRUNO, "en", NOW)
        assert [user for user, _ in await chats_to_welcome(database)] == [ANNE, BRUNO]
        assert await queue_welcomes(database, config, [ANNE, BRUNO], NOW) == 2
        [(to_anne, text_fr, notice), (to_bruno, text_en, _)] = await direct_messages(database)
        assert (to_anne, to_bruno) == (ANNE, BRUNO) and notice
        assert text_fr.startswith("Bonjour, je suis l'assistant de CPTS test.")
        assert "« je prends »" in text_fr and "« aide »" in text_fr
        assert text_en.startswith("Hello, I am the assistant of CPTS test.")
        assert "“help”" in text_en
        assert await chats_to_welcome(database) == []
        later = NOW + timedelta(minutes=1)
        assert await queue_welcomes(database, config, [ANNE, BRUNO], later) == 0
        assert len(await direct_messages(database)) == 2
    finally:
        await database.close()


async def test_a_chat_written_in_already_gets_no_welcome(tmp_path: Path) -> None:
    """A dispatch at first need opened the chat: it is in use when its person joins."""
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        await open_chats(database, ANNE)
        async with database.transaction() as db:
            await OutboxWriter(db, NOW).send_direct(ANNE, Reply("Déclenchement n°1 …"))
        assert await queue_welcomes(database, make_config(), [ANNE], NOW) == 0
        assert [text for _, text, _ in await direct_messages(database)] == ["Déclenchement n°1 …"]
        assert await chats_to_welcome(database) == []  # never looked at again
    finally:
        await database.close()


async def test_a_chat_its_person_opened_or_wrote_in_gets_no_welcome(tmp_path: Path) -> None:
    """A direct chat the person opened themselves (recorded as theirs) is in use."""
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        async with database.transaction() as db:
            await repo.save_direct_room(db, CLARA, "!theirs:cpts.test", NOW)  # Clara's own
        assert await chats_to_welcome(database) == []
        await open_chats(database, ANNE, BRUNO)
        async with database.transaction() as db:
            assert await repo.claim(db, "$aide", "!dm0:cpts.test", NOW)  # Anne asked
            await OutboxWriter(db, NOW, "$q", "!dm1:cpts.test").reply(Reply("réponse"))
        assert await queue_welcomes(database, make_config(), [ANNE, BRUNO], NOW) == 0
        assert await direct_messages(database) == []
        assert await chats_to_welcome(database) == []
    finally:
        await database.close()


async def test_only_those_who_joined_are_welcomed_and_the_outbox_is_woken(
    tmp_path: Path,
) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    try:
        await open_chats(database, ANNE, BRUNO, CLARA)
        for index, user in enumerate((ANNE, BRUNO, CLARA)):
            room = client.rooms[f"!dm{index}:cpts.test"] = FakeRoom()
            room.invited_users = {user} if user == BRUNO else set()  # type: ignore[attr-defined]
            if user != CLARA:  # Clara's chat: not synced yet
                room.add_member(user)
        gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
        gateway._wake.clear()
        calls: list[str] = []

        async def welcome() -> int:
            calls.append("welcome")
            return await welcome_joined(database, make_config(), gateway)

        async def opened(user_id: str) -> str:
            calls.append("open")
            return ""

        async def quiet(seconds: float) -> None:
            return None

        stop = asyncio.Event()

        async def share() -> int:
            calls.append("share")
            stop.set()  # one round
            return 0

        ahead = DirectChatsAhead(
            database, opened, quiet, lambda user: True, share_room_keys=share, welcome=welcome
        )
        ready = asyncio.Event()
        ready.set()
        await ahead.run(ready, stop)
        assert calls == ["welcome", "share"]  # each chat opened already: nothing to open
        assert [user for user, _, _ in await direct_messages(database)] == [ANNE]
        assert gateway._wake.is_set()
        assert [user for user, _ in await chats_to_welcome(database)] == [BRUNO, CLARA]
    finally:
        await database.close()
