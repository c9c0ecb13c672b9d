"""Undecryptable events: retried after each sync, their keys requested once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nio import EncryptionError, LocalProtocolError, MegolmEvent, RoomMessageText

from cpts_bot.matrix.key_hygiene import UndecryptableEvents, retry_undecryptable

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _megolm(event_id: str, session_id: str = "S1") -> MegolmEvent:
    event = MegolmEvent.from_dict(
        {
            "type": "m.room.encrypted",
            "event_id": event_id,
            "sender": "@a:hs",
            "origin_server_ts": 1,
            "room_id": "!r:hs",
            "content": {
                "algorithm": "m.megolm.v1.aes-sha2",
                "ciphertext": "x",
                "sender_key": "K",
                "device_id": "D",
                "session_id": session_id,
            },
        }
    )
    assert isinstance(event, MegolmEvent)
    return event


def _text(event_id: str) -> RoomMessageText:
    event = RoomMessageText.from_dict(
        {
            "type": "m.room.message",
            "event_id": event_id,
            "sender": "@a:hs",
            "origin_server_ts": 1,
            "content": {"msgtype": "m.text", "body": "bonjour"},
        }
    )
    assert isinstance(event, RoomMessageText)
    return event


class Client:
    """Decrypts only the sessions whose key has "arrived"; counts key requests."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.requested: list[str] = []

    def decrypt_event(self, event: MegolmEvent) -> RoomMessageText:
        if event.session_id not in self.keys:
            raise EncryptionError("no session found")
        return _text(event.event_id)

    async def request_room_key(self, event: MegolmEvent) -> None:
        if event.session_id in self.requested:
            raise LocalProtocolError("A key sharing request is already sent")
        self.requested.append(event.session_id)


async def test_retry_requests_each_session_once_and_decrypts_when_the_key_arrives() -> None:
    client = Client()
    events = [_megolm("$1"), _megolm("$2"), _megolm("$3", "S2")]
    assert await retry_undecryptable(client, events) == []  # type: ignore[arg-type]
    assert client.requested == ["S1", "S2"]
    client.keys.add("S1")
    done = await retry_undecryptable(client, events)  # type: ignore[arg-type]
    assert [(original.event_id, new.body) for original, new in done] == [
        ("$1", "bonjour"),
        ("$2", "bonjour"),
    ]
    assert client.requested == ["S1", "S2"]


async def test_pending_events_leave_once_decrypted_or_too_old() -> None:
    client = Client()
    pending = UndecryptableEvents(give_up_after=timedelta(hours=1))
    pending.add(_megolm("$1"), "!r:hs", NOW)
    pending.add(_megolm("$1"), "!r:hs", NOW)  # the same event twice: kept once
    pending.add(_megolm("$2", "S2"), "!r:hs", NOW)
    assert len(pending) == 2
    assert await pending.retry(client, NOW) == []  # type: ignore[arg-type]
    client.keys.add("S2")
    decrypted = await pending.retry(client, NOW + timedelta(minutes=1))  # type: ignore[arg-type]
    assert [event.event_id for event in decrypted] == ["$2"]
    assert len(pending) == 1
    assert await pending.retry(client, NOW + timedelta(hours=2)) == []  # type: ignore[arg-type]
    assert len(pending) == 0
