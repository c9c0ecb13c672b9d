"""The keys' upkeep after a sync (:func:`share_keys`), and the events the bot could not
decrypt yet: keep them, ask for their keys, try again.

A room key often arrives a sync or two after the message it opens (to-device messages
and the timeline travel separately), or has to be requested from another device of the
bot's account. Keep undecryptable events here, call :meth:`retry` after every sync, and
hand what it returns to the inbox as if it had just arrived.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from nio import AsyncClient, EncryptionError, Event, LocalProtocolError, MegolmEvent

logger = logging.getLogger(__name__)


async def share_keys(client: AsyncClient) -> None:
    """What nio says is due after a sync: upload this device's one-time keys, query the
    devices whose keys changed, claim one-time keys for new Olm sessions, and send the
    to-device messages queued (room keys, key requests)."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


@dataclass
class PendingEvent:
    event: MegolmEvent
    room_id: str
    first_seen: datetime
    key_requested: bool = False


async def retry_undecryptable(
    client: AsyncClient, pending_events: list[MegolmEvent]
) -> list[tuple[MegolmEvent, Event]]:
    """Try to decrypt each event again; request the key of those still locked (once per
    session). Returns the ``(undecrypted, decrypted)`` pairs that succeeded. Each event
    must carry its ``room_id``."""
    decrypted = []
    for event in pending_events:
        try:
            result = client.decrypt_event(event)
        except EncryptionError:
            try:
                await client.request_room_key(event)
            except LocalProtocolError:
                pass  # already requested for this session
            continue
        if isinstance(result, Event) and not isinstance(result, MegolmEvent):
            decrypted.append((event, result))
    return decrypted


class UndecryptableEvents:
    """The events waiting for their room key, dropped after ``give_up_after``."""

    def __init__(self, give_up_after: timedelta = timedelta(hours=6)) -> None:
        self._pending: dict[str, PendingEvent] = {}
        self._give_up_after = give_up_after

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, event: MegolmEvent, room_id: str, now: datetime) -> None:
        """Keep ``event`` (from room ``room_id``) until its key arrives."""
        event.room_id = room_id
        self._pending.setdefault(event.event_id, PendingEvent(event, room_id, now))

    async def retry(self, client: AsyncClient, now: datetime) -> list[Event]:
        """Decrypt what can be now (in arrival order); forget what is too old."""
        for event_id, pending in list(self._pending.items()):
            if now - pending.first_seen > self._give_up_after:
                logger.warning(
                    "Giving up on event %s in %s: its room key never came",
                    event_id,
                    pending.room_id,
                )
                del self._pending[event_id]
        done = await retry_undecryptable(client, [p.event for p in self._pending.values()])
        for original, _ in done:
            self._pending.pop(original.event_id, None)
        return [event for _, event in done]
