"""The terminal chat's numbering, how it shows edits, replies and files, and what each
command does (with a recording stand-in for the Matrix client; tests/integration/
test_demo.py drives it over Synapse)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cpts_bot.devtools.chat_session import ChatSession
from cpts_bot.devtools.matrix_user import Received

ME, BOT = "@demo-gp:localhost", "@cpts-bot:localhost"
DIRECT, ALERTS, OLD_DIRECT = "!direct:localhost", "!alerts:localhost", "!old:localhost"
COORDINATION = "!coordination:localhost"


def room(name: str | None, *members: str) -> SimpleNamespace:
    return SimpleNamespace(
        display_name=name or "cpts-bot",
        name=name,
        encrypted=True,
        users={m: None for m in members},
    )


@dataclass
class FakeUser:
    user_id: str = ME
    received: list[Received] = field(default_factory=list)
    listeners: list[Any] = field(default_factory=list)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    client: Any = field(
        default_factory=lambda: SimpleNamespace(
            rooms={
                DIRECT: room(None, ME, BOT),
                OLD_DIRECT: room(None, ME, BOT),
                ALERTS: room("Alertes", ME, BOT, "@demo-nurse:localhost"),
                COORDINATION: room("Coordination", ME, BOT),
            }
        )
    )

    def receive(self, event_id: str, room_id: str, body: str, **content: Any) -> None:
        item = Received(
            event_id,
            room_id,
            content.pop("sender", BOT),
            body,
            content.get("msgtype", "m.text"),
            None,
            content.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id"),
            {"body": body, **content},
            True,
        )
        self.received.append(item)
        for listener in self.listeners:
            listener(item)

    async def send(self, room_id: str, body: str, reply_to: str | None = None) -> str:
        self.calls.append(("send", room_id, body, reply_to))
        return f"$sent{len(self.calls)}"

    async def react(self, room_id: str, event_id: str, key: str, encrypted: bool) -> str:
        self.calls.append(("react", room_id, event_id, key))
        return "$reaction"

    async def send_file(self, room_id: str, name: str, data: bytes) -> str:
        self.calls.append(("file", room_id, name, data))
        return "$file"


async def session() -> tuple[ChatSession, FakeUser, list[str]]:
    user, screen = FakeUser(), []
    chat = ChatSession(user, BOT, DIRECT, screen.append)  # type: ignore[arg-type]
    chat.follow()
    return chat, user, screen


async def test_every_message_is_numbered_with_its_room_and_what_it_answers_or_edits() -> None:
    chat, user, screen = await session()
    await chat.handle("je prends")
    user.receive("$offer", OLD_DIRECT, "Déclenchement n°1 — IDE\nRépondez « je prends »")
    user.receive("$alert", ALERTS, "Alerte n° 2", sender="@demo-coord:localhost")
    user.receive("$post", COORDINATION, "🙋 Demande n° 1")
    user.receive(
        "$edit",
        OLD_DIRECT,
        "* [Pris]",
        **{
            "m.new_content": {"body": "[Pris par Karim LAURENT]"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": "$offer"},
        },
    )
    user.receive("$ics", DIRECT, "vos gardes", msgtype="m.file", filename="gardes.ics")
    user.receive(
        "$ok",
        DIRECT,
        "Rien n'attend",
        **{"m.relates_to": {"m.in_reply_to": {"event_id": "$sent1"}}},
    )
    assert screen == [
        "[1] direct chat · cpts-bot > Déclenchement n°1 — IDE",
        "                             Répondez « je prends »",
        "[2] Alertes · demo-coord > Alerte n° 2",
        "[3] Coordination · cpts-bot > 🙋 Demande n° 1",
        "[4] direct chat · cpts-bot edits [1] > [Pris par Karim LAURENT]",
        "[5] direct chat · cpts-bot sends a file > 📎 « gardes.ics »",
        "                             vos gardes",
        "[6] direct chat · cpts-bot answering your « je prends » > Rien n'attend",
    ]


async def test_commands_reply_react_switch_room_and_send_a_file(tmp_path: Path) -> None:
    chat, user, _screen = await session()
    user.receive("$offer", OLD_DIRECT, "Déclenchement n°1")
    user.receive("$alert", ALERTS, "Alerte n° 2")
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"consignes")
    for line in (
        "/r 1 je prends",
        "/👍 2",
        "/react 1 ❌",
        "/room Alertes",
        "bonjour",
        f"/file {notes}",
        "/room 1",
        "//slash",
        "",
    ):
        assert await chat.handle(line)
    assert user.calls == [
        ("send", OLD_DIRECT, "je prends", "$offer"),
        ("react", ALERTS, "$alert", "👍"),
        ("react", OLD_DIRECT, "$offer", "❌"),
        ("send", ALERTS, "bonjour", None),
        ("file", ALERTS, "notes.txt", b"consignes"),
        ("send", DIRECT, "/slash", None),
    ]
    assert not await chat.handle("/quit")


async def test_wrong_commands_are_told_and_send_nothing() -> None:
    chat, user, screen = await session()
    user.receive("$offer", DIRECT, "Déclenchement n°1")
    for line in (
        "/r 7 je prends",
        "/👍 0",
        "/room Nulle part",
        "/frobnicate",
        "/file /nonexistent",
    ):
        assert await chat.handle(line)
    assert user.calls == []
    assert screen[1:5] == [
        "(no message [7]: the numbers go from 1 to 1)",
        "(no message [0]: the numbers go from 1 to 1)",
        "(no room 'Nulle part': /rooms lists them)",
        "(unknown command /frobnicate: /help lists them)",
    ]
    assert "No such file" in screen[5]
    await chat.handle("/rooms")
    assert screen[-4:] == [
        "  1. direct chat (current)",
        "  2. Alertes",
        "  3. Coordination",
        "  4. direct chat",
    ]
