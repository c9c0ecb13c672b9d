"""The terminal chat's core: every message received, numbered, and the user's commands.

Every message the user receives, in every room, is printed as it arrives with a number
(``[3]``); an edit is printed as the edit of the message it changes, a file with its
name. A line typed is sent to the current room, unless it is a command (see ``HELP``).
Printing and reading are given (``out``, the lines), so tests drive it as a terminal.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cpts_bot.devtools.matrix_user import MatrixUser, Received

HELP = """\
Commands (anything else is sent to the current room):
  /r 3 je prends      reply to message [3], in its room
  /👍 3               react 👍 to message [3] (also /react 3 ❌, any emoji)
  /rooms              list your rooms; /room 2 (or /room Alertes) switches to one
  /file PATH          send a file to the current room
  /help               this help; /quit (or Ctrl-D) leaves"""
_REPLY = re.compile(r"^/r\s+(\d+)\s+(.+)$", re.DOTALL)
_REACT = re.compile(r"^/react\s+(\d+)\s+(\S+)$")
_EMOJI = re.compile(r"^/(\S+)\s+(\d+)$")
_ROOM = re.compile(r"^/room\s+(.+)$")
_FILE = re.compile(r"^/file\s+(.+)$")
_WORDS = {"r", "react", "room", "rooms", "file", "help", "quit"}


def direct_rooms(user: MatrixUser, bot: str) -> list[str]:
    """The encrypted rooms of ``user`` and ``bot`` alone, without a name (a named room
    of two, like a coordination room of one coordinator, is not a direct chat)."""
    assert user.client is not None
    return [
        room_id
        for room_id, room in user.client.rooms.items()
        if room.encrypted and not room.name and set(room.users) == {user.user_id, bot}
    ]


def _loop_time() -> float:
    return asyncio.get_running_loop().time()


@dataclass(eq=False)
class ChatSession:
    """One user's numbered view of all their rooms, and what they type."""

    user: MatrixUser
    bot: str
    direct_room: str
    out: Callable[[str], None]
    room_id: str = field(init=False)
    numbered: list[Received] = field(init=False, default_factory=list)
    sent: dict[str, str] = field(init=False, default_factory=dict)  # event id -> typed text
    last_activity: float = field(init=False, default_factory=_loop_time)

    def __post_init__(self) -> None:
        self.room_id = self.direct_room

    def follow(self) -> None:
        """Print what was received so far, then every message as it arrives."""
        for item in self.user.received:
            self.show(item)
        self.user.listeners.append(self.show)

    def room_name(self, room_id: str) -> str:
        """« direct chat » for a room of this user and the bot alone, else its name."""
        if room_id == self.direct_room or room_id in direct_rooms(self.user, self.bot):
            return "direct chat"
        assert self.user.client is not None
        room = self.user.client.rooms.get(room_id)
        return room.display_name if room is not None else room_id

    def _number_of(self, event_id: str | None) -> int | None:
        for number, item in enumerate(self.numbered, start=1):
            if item.event_id == event_id:
                return number
        return None

    def show(self, item: Received) -> None:
        """Print ``item`` with its number, its room and what it answers or edits."""
        self.numbered.append(item)
        self.last_activity = _loop_time()
        sender = item.sender.split(":")[0].lstrip("@")
        relates = item.content.get("m.relates_to") or {}
        body = item.body
        if "m.new_content" in item.content:
            body = item.content["m.new_content"].get("body", body)
            edited = self._number_of(relates.get("event_id"))
            what = f"edits [{edited}]" if edited else "edits a message"
        elif item.msgtype == "m.file":
            name = item.content.get("filename") or item.body
            caption = f"\n{item.body}" if item.body != name else ""
            what, body = "sends a file", f"📎 « {name} »{caption}"
        elif item.reply_to in self.sent:
            what = f"answering your « {_short(self.sent[item.reply_to])} »"
        else:
            answered = self._number_of(item.reply_to)
            what = f"replying to [{answered}]" if answered else ""
        head = f"[{len(self.numbered)}] {self.room_name(item.room_id)} · {sender}"
        lines = body.splitlines() or [""]
        self.out(f"{head}{' ' + what if what else ''} > {lines[0]}")
        for line in lines[1:]:
            self.out(" " * (len(head) + 3) + line)

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the user leaves."""
        text = line.strip()
        self.last_activity = _loop_time()
        if not text:
            return True
        if text in ("/quit", "/exit"):
            return False
        try:
            await self._command(text)
        except (OSError, LookupError) as error:
            self.out(f"({error})")
        return True

    async def _command(self, text: str) -> None:
        if not text.startswith("/") or text.startswith("//"):  # « //… » sends « /… »
            said = text[1:] if text.startswith("//") else text
            self.sent[await self.user.send(self.room_id, said)] = said
        elif reply := _REPLY.match(text):
            message = self._message(reply.group(1))
            said = reply.group(2)
            self.sent[await self.user.send(message.room_id, said, reply_to=message.event_id)] = said
        elif react := _REACT.match(text):
            await self._react(react.group(1), react.group(2))
        elif (emoji := _EMOJI.match(text)) and emoji.group(1) not in _WORDS:
            await self._react(emoji.group(2), emoji.group(1))
        elif text == "/rooms":
            self._list_rooms()
        elif room := _ROOM.match(text):
            self.room_id = self._room(room.group(1).strip())
            self.out(f"(now writing in « {self.room_name(self.room_id)} »)")
        elif file := _FILE.match(text):
            name, data = await asyncio.to_thread(_read_file, file.group(1).strip())
            await self.user.send_file(self.room_id, name, data)
            self.out(f"(file « {name} » sent to « {self.room_name(self.room_id)} »)")
        elif text == "/help":
            self.out(HELP)
        else:
            self.out(f"(unknown command {text.split()[0]}: /help lists them)")

    def _message(self, number: str) -> Received:
        index = int(number)
        if not 1 <= index <= len(self.numbered):
            raise LookupError(
                f"no message [{index}]: the numbers go from 1 to {len(self.numbered)}"
            )
        return self.numbered[index - 1]

    async def _react(self, number: str, key: str) -> None:
        message = self._message(number)
        await self.user.react(message.room_id, message.event_id, key, encrypted=True)
        self.out(f"(reacted {key} to [{number}])")

    def _rooms(self) -> list[str]:
        assert self.user.client is not None
        others = sorted(set(self.user.client.rooms) - {self.direct_room}, key=self.room_name)
        return [self.direct_room, *others]

    def _list_rooms(self) -> None:
        for number, room_id in enumerate(self._rooms(), start=1):
            current = " (current)" if room_id == self.room_id else ""
            self.out(f"  {number}. {self.room_name(room_id)}{current}")

    def _room(self, wanted: str) -> str:
        rooms = self._rooms()
        if wanted.isdigit() and 1 <= int(wanted) <= len(rooms):
            return rooms[int(wanted) - 1]
        for room_id in rooms:
            if self.room_name(room_id).casefold() == wanted.casefold():
                return room_id
        raise LookupError(f"no room {wanted!r}: /rooms lists them")

    async def quiet(self, seconds: float, at_most: float) -> None:
        """Wait until nothing has happened for ``seconds`` (``at_most`` in all)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + at_most
        while True:
            remaining = min(deadline, self.last_activity + seconds) - loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(remaining)


def _read_file(name: str) -> tuple[str, bytes]:
    path = Path(name).expanduser()
    return path.name, path.read_bytes()


def _short(text: str, length: int = 30) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= length else line[: length - 1] + "…"
