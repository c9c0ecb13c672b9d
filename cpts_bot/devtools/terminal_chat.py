"""``cpts-bot chat --as demo-gp``: talk to the demo bot from a terminal, end-to-end encrypted.

Logs in as a demo user (the device of the previous session when there is one), makes sure
of their direct chat with the bot, then shows every message of every room as it arrives
(``chat_session.py``) while the lines typed are sent or obeyed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from cpts_bot.core.errors import ConfigurationError
from cpts_bot.devtools.chat_session import ChatSession, direct_rooms
from cpts_bot.devtools.matrix_user import MatrixUser

# After the last line typed (end of input), how long to keep showing what arrives.
QUIET_SECONDS = 5
AT_MOST_SECONDS = 60


class NoDemo(ConfigurationError):
    """No demo to talk to, or no such demo user."""


def _demo_user(folder: Path, who: str) -> tuple[MatrixUser, dict[str, object], str]:
    """The user's client (not started), the demo's description, the bot's Matrix ID."""
    demo_file = folder / "demo.json"
    if not demo_file.exists():
        raise NoDemo("No demo is running here: start it first with ./scripts/demo.")
    demo = json.loads(demo_file.read_text())
    if who not in demo["users"]:
        raise NoDemo(f"Unknown demo user {who!r}; choose one of {', '.join(demo['users'])}.")
    passwords = json.loads((folder / "passwords.json").read_text())
    session_file = folder / "clients" / f"{who}-terminal.json"
    session = json.loads(session_file.read_text()) if session_file.exists() else {}
    user = MatrixUser(
        demo["homeserver"],
        demo["users"][who],
        passwords[who],
        folder / "clients" / f"{who}-terminal",
        device_name="terminal chat",
        device_id=session.get("device_id"),
        access_token=session.get("access_token"),
    )
    return user, session, demo["bot"]


async def open_session(folder: Path, who: str, out=print) -> ChatSession:  # type: ignore[no-untyped-def]
    """Log ``who`` in, find or create their direct chat with the bot, start showing."""
    user, session, bot = _demo_user(folder, who)
    await user.start()
    assert user.client is not None
    room_id = session.get("room_id")
    known = direct_rooms(user, str(bot))
    if room_id not in known:  # the chat the bot already writes in, else a new one
        room_id = next(iter(known), None)
    if room_id is None:
        room_id = await user.create_encrypted_room([str(bot)])
        await user.wait_joined(str(room_id), str(bot))
    session_file = folder / "clients" / f"{who}-terminal.json"
    session_file.write_text(
        json.dumps(
            {"device_id": user.device_id, "room_id": room_id, "access_token": user.access_token}
        )
    )
    chat = ChatSession(user, str(bot), str(room_id), out)
    out(
        f"Connected as {user.user_id}, in your encrypted direct chat with {bot}. Every"
        " message of every room appears here, numbered. /help lists the commands."
    )
    chat.follow()
    return chat


async def talk(chat: ChatSession, lines: AsyncIterator[str]) -> None:
    """Act on each line; at the end of the input, show what still comes for a while."""
    async for line in lines:
        if not await chat.handle(line):
            return
    await chat.quiet(QUIET_SECONDS, AT_MOST_SECONDS)


async def _stdin_lines() -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        yield line


async def _chat(state_dir: Path, who: str) -> int:
    try:
        chat = await open_session((state_dir / "demo").resolve(), who, _print)
    except NoDemo as error:
        print(error, file=sys.stderr)
        return 2
    try:
        await talk(chat, _stdin_lines())
    finally:
        await chat.user.stop()
    return 0


def _print(text: str) -> None:
    print(text, flush=True)


def run_chat(state_dir: Path, who: str) -> int:
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("nio").setLevel(logging.CRITICAL)
    try:
        return asyncio.run(_chat(state_dir, who))
    except KeyboardInterrupt:
        return 0
