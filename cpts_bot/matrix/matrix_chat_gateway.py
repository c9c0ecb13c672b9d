"""Send the outbox through matrix-nio: messages, direct messages, reactions, edits, pins.

nio returns errors as values; they are turned into :class:`SendFailed` here, in one
place. A transient failure (network, 5xx, rate limit beyond nio's own retries) keeps the
row for a later attempt; a permanent one (forbidden, unknown room) closes it after a few
attempts so that one bad row never blocks the queue.
"""

from __future__ import annotations

import asyncio
import html
import io
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from nio import (
    AsyncClient,
    ErrorResponse,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomPutStateResponse,
    RoomSendResponse,
    UploadResponse,
)
from nio.api import RoomPreset

from cpts_bot.domain.errors import MatrixError
from cpts_bot.matrix.nio_responses import error_of
from cpts_bot.matrix.sender_trust import SenderTrustGate, send_to_trusted_devices
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage import outbox as actions
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox_media import ACTION_IMAGE, media_bytes

log = logging.getLogger(__name__)

SentListener = Callable[[Any, str, str, str], Awaitable[None]]
MAX_PERMANENT_ATTEMPTS = 3
DIRECT_ROOMS_AT_ONCE = 8


class SendFailed(MatrixError):
    """A send the homeserver refused (``transient``: worth retrying)."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message, transient=transient)


def _check(response: Any) -> Any:
    if isinstance(response, ErrorResponse):
        error = error_of(response, "send")
        raise SendFailed(str(error), error.transient)
    return response


def message_content(payload: dict[str, Any]) -> dict[str, Any]:
    """The ``m.room.message`` content for an outbox payload (plain text + optional HTML)."""
    content: dict[str, Any] = {
        "msgtype": "m.notice" if payload.get("notice", True) else "m.text",
        "body": payload["text"],
    }
    body_html = payload.get("html")
    mentions = payload.get("mentions") or []
    if payload.get("room_mention"):
        content["body"] = "@room " + content["body"]
        if body_html:
            body_html = "@room " + body_html
    if body_html is None and mentions:
        body_html = html.escape(payload["text"]).replace("\n", "<br>")
    if body_html is not None:
        content["format"] = "org.matrix.custom.html"
        content["formatted_body"] = body_html
    content["m.mentions"] = {"user_ids": mentions} if mentions else {}
    if payload.get("room_mention"):
        content["m.mentions"]["room"] = True
    relates: dict[str, Any] = {}
    if payload.get("thread_root"):
        relates = {
            "rel_type": "m.thread",
            "event_id": payload["thread_root"],
            "is_falling_back": not payload.get("in_reply_to"),
        }
        relates["m.in_reply_to"] = {
            "event_id": payload.get("in_reply_to") or payload["thread_root"]
        }
    elif payload.get("in_reply_to"):
        relates = {"m.in_reply_to": {"event_id": payload["in_reply_to"]}}
    if relates:
        content["m.relates_to"] = relates
    return content


class MatrixChatGateway:
    """Drains the outbox in order; wakes up when :meth:`wake` is called."""

    def __init__(
        self,
        client: AsyncClient,
        database: Database,
        synced: asyncio.Event | None = None,
        gate: SenderTrustGate | None = None,
    ) -> None:
        self._gate = gate
        self._client = client
        self._synced = synced
        self._database = database
        self._wake = asyncio.Event()
        self._listeners: list[tuple[str, SentListener]] = []
        self.sent_count = 0

    def on_sent(self, prefix: str, listener: SentListener) -> None:
        """Call ``listener(db, correlation, room_id, event_id)`` after a correlated send."""
        self._listeners.append((prefix, listener))

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        if self._synced is not None:
            # nio knows the rooms (and whom to encrypt for) only after a first sync.
            await _wait_any(stop, self._synced, None)
        backoff = 1.0
        while not stop.is_set():
            self._wake.clear()
            try:
                rows = await repo.unsent_outbox(self._database)
                for start in range(0, len(rows), DIRECT_ROOMS_AT_ONCE):
                    chunk = rows[start : start + DIRECT_ROOMS_AT_ONCE]
                    await self._open_direct_rooms(chunk)
                    for row in chunk:
                        if stop.is_set():
                            return
                        await self._send_row(row)
                backoff = 1.0
                if len(rows) == 50:
                    continue
            except SendFailed as error:
                log.warning(
                    "send failed, will retry", extra={"error": str(error), "retry_in_s": backoff}
                )
                await _wait(stop, backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            await _wait_any(stop, self._wake, 30.0)

    async def _open_direct_rooms(self, rows: list[repo.OutboxRow]) -> None:
        """Create the missing direct chats of the next few rows side by side: a dispatch's
        first contact with many professionals would otherwise open them one after the
        other, and a small window keeps the first recipients' wait short. The sends stay
        in order; a failure here is retried by the send."""
        users = {row.target for row in rows if row.action == actions.ACTION_DIRECT_MESSAGE}
        missing = []
        for user_id in sorted(users):
            room_id = await repo.direct_room_of(self._database, user_id)
            if not room_id or room_id not in self._client.rooms:
                missing.append(user_id)
        if len(missing) < 2:
            return
        limit = asyncio.Semaphore(DIRECT_ROOMS_AT_ONCE)

        async def open_one(user_id: str) -> None:
            async with limit:
                await self.direct_room(user_id)

        results = await asyncio.gather(
            *(open_one(user) for user in missing), return_exceptions=True
        )
        failures = [result for result in results if isinstance(result, BaseException)]
        if failures:
            log.warning(
                "some direct chats could not be opened yet",
                extra={"count": len(failures), "error": repr(failures[0])},
            )

    async def _send_row(self, row: repo.OutboxRow) -> None:
        now = datetime.now(UTC)
        try:
            try:
                room_id, event_id = await self._perform(row)
            except SendFailed:
                raise
            except Exception as error:  # nio raises for local protocol states
                raise SendFailed(repr(error), transient=True) from error
        except SendFailed as error:
            give_up = not error.transient and row.attempts + 1 >= MAX_PERMANENT_ATTEMPTS
            await repo.record_failure(self._database, row.id, str(error), give_up, now)
            if give_up:
                log.error("send abandoned", extra={"outbox_id": row.id, "error": str(error)})
                return
            raise
        async with self._database.transaction() as db:
            await repo.mark_sent(db, row.id, event_id, now, room_id)
            if row.correlation and event_id:
                for prefix, listener in self._listeners:
                    if row.correlation.startswith(prefix):
                        await listener(db, row.correlation, room_id, event_id)
        self.sent_count += 1

    async def _perform(self, row: repo.OutboxRow) -> tuple[str, str | None]:
        payload = row.payload
        room_actions = (
            actions.ACTION_MESSAGE,
            actions.ACTION_REACTION,
            actions.ACTION_EDIT,
            ACTION_IMAGE,
        )
        if row.action in room_actions and row.target not in self._client.rooms:
            # A room the bot is not in (e.g. listed in rooms.yaml, never invited): a
            # permanent failure, so that it does not hold up the rest of the outbox.
            raise SendFailed(f"not a member of {row.target}", transient=False)
        if row.action == actions.ACTION_MESSAGE:
            return row.target, await self._send_event(
                row.target, "m.room.message", message_content(payload), row.txn_id
            )
        if row.action == actions.ACTION_DIRECT_MESSAGE:
            room_id = await self.direct_room(row.target)
            return room_id, await self._send_event(
                room_id, "m.room.message", message_content(payload), row.txn_id
            )
        if row.action == actions.ACTION_REACTION:
            content = {
                "m.relates_to": {
                    "rel_type": "m.annotation",
                    "event_id": payload["relates_to"],
                    "key": payload["key"],
                }
            }
            return row.target, await self._send_event(row.target, "m.reaction", content, row.txn_id)
        if row.action == actions.ACTION_EDIT:
            new_content = message_content(payload)
            new_content.pop("m.relates_to", None)
            content = {
                **new_content,
                "body": "* " + new_content["body"],
                "m.new_content": new_content,
                "m.relates_to": {"rel_type": "m.replace", "event_id": payload["replaces"]},
            }
            if "formatted_body" in new_content:
                content["formatted_body"] = "* " + new_content["formatted_body"]
            return row.target, await self._send_event(
                row.target, "m.room.message", content, row.txn_id
            )
        if row.action == ACTION_IMAGE:
            return row.target, await self._send_image(row)
        if row.action in (actions.ACTION_PIN, actions.ACTION_UNPIN):
            await self._change_pins(
                row.target, payload["event_id"], add=row.action == actions.ACTION_PIN
            )
            return row.target, None
        raise SendFailed(f"unknown outbox action {row.action!r}", transient=False)

    async def _send_event(
        self, room_id: str, event_type: str, content: dict[str, Any], txn_id: str
    ) -> str:
        if self._gate is not None:
            response = await send_to_trusted_devices(
                self._client,
                self._gate,
                room_id,
                event_type,
                content,
                tx_id=txn_id,
                now=datetime.now(UTC),
            )
        else:
            if self._client.should_query_keys:
                await self._client.keys_query()
            response = await self._client.room_send(
                room_id, event_type, content, tx_id=txn_id, ignore_unverified_devices=True
            )
        return (
            str(_check(response).event_id)
            if isinstance(response, RoomSendResponse)
            else (str(_check(response)))
        )

    async def _send_image(self, row: repo.OutboxRow) -> str:
        """Upload the image (encrypted in an encrypted room) and post an ``m.image``."""
        data = await media_bytes(self._database.connection, row.txn_id)
        if data is None:
            raise SendFailed(f"no image bytes for outbox row {row.id}", transient=False)
        payload = row.payload
        room = self._client.rooms.get(row.target)
        encrypted = bool(room and room.encrypted)
        upload, keys = await self._client.upload(
            io.BytesIO(data),
            content_type=payload.get("mimetype", "image/png"),
            filename=payload["filename"],
            encrypt=encrypted,
            filesize=len(data),
        )
        if not isinstance(upload, UploadResponse):
            error = error_of(upload, "upload")
            raise SendFailed(str(error), error.transient)
        content: dict[str, Any] = {
            "msgtype": "m.image",
            "body": payload.get("caption") or payload["filename"],
            "filename": payload["filename"],
            "info": {
                "mimetype": payload.get("mimetype", "image/png"),
                "size": len(data),
                "w": payload.get("width"),
                "h": payload.get("height"),
            },
        }
        if encrypted and keys is not None:
            content["file"] = {**keys, "url": upload.content_uri}
        else:
            content["url"] = upload.content_uri
        return await self._send_event(row.target, "m.room.message", content, row.txn_id)

    async def _change_pins(self, room_id: str, event_id: str, add: bool) -> None:
        current = await self._client.room_get_state_event(room_id, "m.room.pinned_events")
        pinned: list[str] = []
        if isinstance(current, RoomGetStateEventResponse):
            pinned = list(current.content.get("pinned", []))
        if add and event_id not in pinned:
            pinned.append(event_id)
        elif not add and event_id in pinned:
            pinned.remove(event_id)
        else:
            return
        response = await self._client.room_put_state(
            room_id, "m.room.pinned_events", {"pinned": pinned}
        )
        if not isinstance(response, RoomPutStateResponse):
            error = error_of(response, "pinning")
            log.info(
                "could not change pinned events", extra={"room_id": room_id, "error": str(error)}
            )

    async def direct_room(self, user_id: str) -> str:
        """The bot's encrypted direct chat with ``user_id``, created on first need."""
        room_id = await repo.direct_room_of(self._database, user_id)
        if room_id and room_id in self._client.rooms:
            return room_id
        response = _check(
            await self._client.room_create(
                is_direct=True,
                invite=[user_id],
                preset=RoomPreset.trusted_private_chat,
                initial_state=[
                    {
                        "type": "m.room.encryption",
                        "state_key": "",
                        "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                    }
                ],
            )
        )
        assert isinstance(response, RoomCreateResponse)
        await repo.save_direct_room(self._database, user_id, response.room_id, datetime.now(UTC))
        await repo.save_joined_at(self._database, response.room_id, datetime.now(UTC))
        await self._wait_for_room(response.room_id, user_id)
        return response.room_id

    async def _wait_for_room(self, room_id: str, invitee: str, timeout: float = 10.0) -> None:
        """The sync loop must have seen the new room, and the invitation, before nio can
        encrypt for it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            room = self._client.rooms.get(room_id)
            if room is not None and room.encrypted and invitee in room.users:
                break
            if asyncio.get_running_loop().time() > deadline:
                raise SendFailed(f"room {room_id} not synced yet", transient=True)
            await asyncio.sleep(0.1)
        # nio starts tracking a room's members' devices only at the end of its handling
        # of the sync response, which may come after this point: the first message would
        # then be encrypted for none of the invitee's devices, and never readable.
        if self._client.olm is not None:
            self._client.olm.update_tracked_users(room)
            if self._client.should_query_keys:
                await self._client.keys_query()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float | None) -> None:
    tasks = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(tasks, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
