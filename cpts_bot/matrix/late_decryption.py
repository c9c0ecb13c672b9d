"""Decrypt, later, an event stored while its room key was missing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nio import AsyncClient, MegolmEvent

from cpts_bot.core.messages import KIND_MESSAGE, KIND_REACTION
from cpts_bot.matrix.event_listener import to_inbox_item
from cpts_bot.matrix.sender_trust import (
    SenderTrustGate,
    authenticated_device_id,
    notice_context,
)
from cpts_bot.storage import core_repository as repo


async def decrypt_stored_event(
    client: AsyncClient, row: repo.InboxRow, gate: SenderTrustGate
) -> dict[str, Any] | None:
    """Retry decrypting an event stored undecryptable: its payload (with its ``kind``,
    message or reaction) once the room key has come, None while it is still missing, or
    ``{"drop": True}`` when it is not for the bot or the sender's device is not trusted."""
    source = dict(row.payload["source"])
    source.setdefault("room_id", row.room_id)
    event = MegolmEvent.from_dict(source)
    if not isinstance(event, MegolmEvent):
        return None
    event.room_id = row.room_id
    try:
        decrypted = client.decrypt_event(event)
    except Exception:
        return None
    room = client.rooms.get(row.room_id)
    if room is None:
        return None
    item = to_inbox_item(decrypted, room, client.user_id)
    if item is None or item.kind not in (KIND_MESSAGE, KIND_REACTION):
        return {"drop": True}
    decision = await gate.check(
        client,
        row.sender,
        authenticated_device_id(client, decrypted),
        room_id=row.room_id,
        event_id=row.event_id,
        now=datetime.now(UTC),
        what=notice_context(item),
    )
    return {**item.payload, "kind": item.kind} if decision.trusted else {"drop": True}
