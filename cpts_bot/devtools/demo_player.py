"""Plays the demo's scenes with real E2EE clients and prints what each user sees."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cpts_bot.core.errors import CptsBotError
from cpts_bot.devtools.demo_scenes import (
    DIRECT,
    GROUP_ROOMS,
    Expect,
    React,
    ReplyTo,
    Say,
    Scene,
    Step,
    number_in,
)
from cpts_bot.devtools.matrix_user import MatrixUser, Received

BOT_NAME = "cpts-bot"
WAIT_SECONDS = 60


class ScriptStopped(CptsBotError):
    """A step of the script did not happen in time."""


@dataclass
class DemoRooms:
    """Where the demo runs: its homeserver, accounts and group rooms."""

    folder: Path
    homeserver: str
    users: dict[str, str]
    bot_user: str
    group_rooms: dict[str, str]
    group_members: dict[str, tuple[str, ...]] = field(default_factory=dict)


class Player:
    """Plays steps with one logged-in client per user; prints the transcript as it goes."""

    def __init__(self, rooms: DemoRooms, out: object = None) -> None:
        self.rooms = rooms
        self.out = out or sys.stdout
        self.passwords = json.loads((rooms.folder / "passwords.json").read_text())
        self.clients: dict[str, MatrixUser] = {}
        self.direct: dict[str, str] = {}
        self.history: dict[str, int] = {}  # messages of earlier runs, seen at start
        self.used: set[tuple[str, str]] = set()  # (who, event id) already shown
        self.named: dict[str, Received] = {}
        self.transcript: list[str] = []
        self._where: tuple[str, str] | None = None

    def _session_file(self, who: str) -> Path:
        return self.rooms.folder / "clients" / f"{who}-script.json"

    async def start(self, who: str) -> MatrixUser:
        """Log ``who`` in (the device of the previous run, if any) and keep it syncing."""
        if who in self.clients:
            return self.clients[who]
        session_file = self._session_file(who)
        session = json.loads(session_file.read_text()) if session_file.exists() else {}
        client = MatrixUser(
            self.rooms.homeserver,
            self.rooms.users[who],
            self.passwords[who],
            self.rooms.folder / "clients" / who,
            device_name="demo script",
            device_id=session.get("device_id"),
            access_token=session.get("access_token"),
        )
        await client.start()
        self.clients[who] = client
        self.history[who] = len(client.received)
        assert client.client is not None
        room_id = session.get("room_id")
        if room_id in client.client.rooms:
            self.direct[who] = room_id
        self._save_session(who, room_id)
        for key, members in self.rooms.group_members.items():
            if who in members:
                room = self.rooms.group_rooms[key]
                await client.wait_joined(room, client.user_id, timeout=WAIT_SECONDS)
        return client

    def _save_session(self, who: str, room_id: str | None) -> None:
        client = self.clients[who]
        session = {
            "device_id": client.device_id,
            "access_token": client.access_token,
            "room_id": room_id,
        }
        self._session_file(who).write_text(json.dumps(session))

    async def direct_room(self, who: str) -> str:
        """``who``'s encrypted direct chat with the bot (created on first use)."""
        client = await self.start(who)
        if who not in self.direct:
            room_id = await client.create_encrypted_room([self.rooms.bot_user])
            await client.wait_joined(room_id, self.rooms.bot_user)
            self.direct[who] = room_id
            self._save_session(who, room_id)
        return self.direct[who]

    def _room_name(self, room_id: str) -> str:
        for key, room in self.rooms.group_rooms.items():
            if room == room_id:
                return key
        return DIRECT

    def line(self, text: str) -> None:
        """One line of the transcript, printed at once."""
        self.transcript.append(text)
        print(text, file=self.out, flush=True)  # type: ignore[call-overload]

    def _show(self, who: str, room: str, speaker: str, text: str) -> None:
        if self._where != (who, room):
            where = (
                "direct chat with the bot" if room == DIRECT else f"room « {GROUP_ROOMS[room]} »"
            )
            self.line(f"  [{who} sees, {where}]")
            self._where = (who, room)
        lines = text.splitlines() or [""]
        self.line(f"{speaker} > {lines[0]}")
        for more in lines[1:]:
            self.line(" " * (len(speaker) + 3) + more)

    async def _room(self, who: str, room: str) -> str:
        if room == DIRECT:
            return await self.direct_room(who)
        await self.start(who)
        return self.rooms.group_rooms[room]

    async def play(self, steps: list[Step]) -> list[str]:
        for step in steps:
            if isinstance(step, Scene):
                for text in ("", f"=== {step.title} ===", ""):
                    self.line(text)
                self._where = None
            elif isinstance(step, Say):
                await self._say(step)
            elif isinstance(step, ReplyTo):
                client = await self.start(step.who)
                message = self.named[step.message]
                await client.send(message.room_id, step.text, reply_to=message.event_id)
                room = self._room_name(message.room_id)
                self._show(step.who, room, f"{step.who} (replying to it)", step.text)
            elif isinstance(step, React):
                client = await self.start(step.who)
                message = self.named[step.message]
                await client.react(message.room_id, message.event_id, step.key, encrypted=True)
                room = self._room_name(message.room_id)
                self._show(step.who, room, f"{step.who} (reacting to it)", step.key)
            else:
                received = await self._expect(step)
                self._show(step.who, step.room, BOT_NAME, received.body)
        return self.transcript

    async def _say(self, step: Say) -> None:
        room_id = await self._room(step.who, step.room)
        numbers = {name: number_in(message.body) for name, message in self.named.items()}
        text = step.text.format(**numbers) if "{" in step.text else step.text
        event_id = await self.clients[step.who].send(room_id, text)
        self._show(step.who, step.room, step.who, text)
        if step.answer:
            try:
                reply = await self.clients[step.who].wait_reply(event_id, timeout=WAIT_SECONDS)
            except TimeoutError:
                raise ScriptStopped(f"no answer to {step.who}'s « {text} »") from None
            self.used.add((step.who, reply.event_id))
            self._show(step.who, step.room, BOT_NAME, reply.body)

    async def _expect(self, step: Expect) -> Received:
        client = await self.start(step.who)
        bot, skip = self.rooms.bot_user, self.history[step.who]

        def found(me: MatrixUser) -> list[Received]:
            return [
                item
                for item in me.received[skip:]
                if item.sender == bot
                and (step.who, item.event_id) not in self.used
                and "m.new_content" not in item.content  # an edit of an earlier message
                and self._room_name(item.room_id) == step.room
                and step.matches(item)
            ]

        try:
            received = (await client.wait_for(found, timeout=WAIT_SECONDS))[0]
        except TimeoutError:
            raise ScriptStopped(f"{step.who} did not receive {step.description}") from None
        self.used.add((step.who, received.event_id))
        if step.name:
            self.named[step.name] = received
        return received

    async def stop(self) -> None:
        for client in self.clients.values():
            await client.stop()
