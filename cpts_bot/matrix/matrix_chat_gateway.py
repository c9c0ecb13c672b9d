"""Send the outbox through matrix-nio: messages, direct messages, reactions, edits, pins,
images and files.

Rows of one room go out in the outbox's order; rows of different rooms go out side by
side (a dispatch to a hundred direct chats, the edits after an accept), each with its
fixed transaction id, so exactly-once holds as before: a row is marked sent in its own
transaction once the homeserver accepted it, and a resend reuses its transaction id.

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
import os
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from nio import (
    AsyncClient,
    ErrorResponse,
    MatrixRoom,
    RoomCreateResponse,
    RoomGetStateEventResponse,
    RoomPutStateResponse,
    RoomSendResponse,
    UploadResponse,
)
from nio.api import RoomPreset

from cpts_bot.core.delivery_policy import (
    DEFAULT_STUCK_AFTER,
    PRIORITY_ANSWER,
    is_stuck,
    retry_delay,
)
from cpts_bot.core.errors import MatrixError
from cpts_bot.matrix.delivery_throttle import ANSWER_SLOTS, BULK_SLOTS, Throttle, bulk_work
from cpts_bot.matrix.nio_responses import error_of
from cpts_bot.matrix.sender_trust import (
    SenderTrustGate,
    send_to_trusted_devices,
    share_key_with_trusted_devices,
)
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage import outbox as actions
from cpts_bot.storage import outbox_delivery as delivery
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox_media import ACTION_DIRECT_FILE, ACTION_IMAGE, media_bytes

log = logging.getLogger(__name__)

SentListener = Callable[[Any, str, str, str], Awaitable[None]]
# (db, correlation, room_id, room_name, now) when a correlated row is abandoned.
FailedListener = Callable[[Any, str, str, str, datetime], Awaitable[None]]
# (db, destination, row_id, bound, now) when a row is set aside past its bound.
StuckListener = Callable[[Any, str, int, timedelta, datetime], Awaitable[Any]]
QueueWatcher = Callable[[Database, Throttle, datetime], Awaitable[None]]
MAX_PERMANENT_ATTEMPTS = 3
# Rows whose target is a user: sent in the bot's direct chat with that user.
_DIRECT_ACTIONS = (actions.ACTION_DIRECT_MESSAGE, ACTION_DIRECT_FILE)
# Sends in flight at once: answers' slots and bulk deliveries' (delivery_throttle).
SENDS_AT_ONCE = ANSWER_SLOTS + BULK_SLOTS
# Direct chats being created at once: room creation is the homeserver's heaviest request,
# and a few at a time, in the outbox's order, lets the first recipients hear first
# while the sends to open chats go on beside.
DIRECT_ROOMS_AT_ONCE = 4
# nio's refusal to share a room key while a share of it is in flight (a send's).
ALREADY_SHARING = "Already sharing a group session"
ROWS_AT_ONCE = 500
# After a lane ends, the next look at the outbox waits this long (or for a wake), so that
# lanes ending together share one turn instead of one each.
LANE_ENDS_PAUSE_S = 0.05


# Fault injection, for the fault tests only: the bot exits at once (like kill -9) right
# after the homeserver accepted a row whose correlation starts with this prefix, before
# the row is recorded as sent.
FAULT_EXIT_AFTER_SEND = "CPTS_FAULT_EXIT_AFTER_SEND"


def _exit_if_told(row: repo.OutboxRow) -> None:
    prefix = os.environ.get(FAULT_EXIT_AFTER_SEND)
    if prefix and row.correlation and row.correlation.startswith(prefix):
        os._exit(137)


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
        self._failure_listeners: list[tuple[str, FailedListener]] = []
        self._creating = asyncio.Semaphore(DIRECT_ROOMS_AT_ONCE)
        self._opening: dict[str, asyncio.Lock] = {}
        self._throttle = self.throttle = Throttle()
        client.add_response_callback(self._throttle.observe, ErrorResponse)
        client.add_response_callback(self._throttle.hold_bulk_retry, ErrorResponse)
        self._on_stuck: StuckListener | None = None
        self._watcher: QueueWatcher | None = None
        self.stuck_after = DEFAULT_STUCK_AFTER
        self.sent_count = 0
        # Set when no answer is queued or being sent: the sync loop waits for it before
        # its next long poll (see :class:`~cpts_bot.matrix.sync_loop.SyncLoop`).
        self.answers_out = asyncio.Event()
        self.answers_out.set()
        self._answer_lanes: set[str] = set()
        self._answers_behind = False  # an answer due waits for its room's running lane
        # Rows handed to a lane that has not ended: not read again at each turn (a turn
        # follows each lane's end: a fan-out to N would read its rows N times).
        self._claimed: set[int] = set()
        self._lanes_ended = asyncio.Event()
        # State events a new direct chat is created with (the command descriptions): set
        # in the creation request, not put one by one later, each put a state change
        # that made the chat's next message slower on the homeserver.
        self.direct_room_state: list[dict[str, Any]] = []

    def when_stuck(self, listener: StuckListener, after: timedelta) -> None:
        """Call ``listener(db, destination, row_id, bound, now)`` when a row that has kept
        failing for ``after`` is set aside."""
        self._on_stuck, self.stuck_after = listener, after

    def watch_queue(self, watcher: QueueWatcher) -> None:
        """Call ``watcher(database, throttle, now)`` at each turn of the loop."""
        self._watcher = watcher

    def on_sent(self, prefix: str, listener: SentListener) -> None:
        """Call ``listener(db, correlation, room_id, event_id)`` after a correlated send."""
        self._listeners.append((prefix, listener))

    def on_failed(self, prefix: str, listener: FailedListener) -> None:
        """Call ``listener`` in a transaction when a correlated row is given up (e.g. a
        pin the homeserver refused), so that someone can be told."""
        self._failure_listeners.append((prefix, listener))

    def wake(self) -> None:
        self._wake.set()
        self.answers_out.clear()

    async def run(self, stop: asyncio.Event) -> None:
        """Start a lane for each destination with rows due, as soon as they are due; a
        lane that fails or waits (an unreachable server, a room being created, the
        homeserver's rate limit) holds up only its own destination."""
        if self._synced is not None:
            # nio knows the rooms (and whom to encrypt for) only after a first sync.
            await _wait_any(stop, self._synced, None)
        running: dict[str, asyncio.Task[None]] = {}
        try:
            while not stop.is_set():
                self._wake.clear()
                self._lanes_ended.clear()
                try:
                    await self._turn(running, stop)
                    idle = await self._idle_seconds()
                except Exception:  # e.g. the database is busy: try again shortly
                    log.exception("outbox loop failed, will retry")
                    idle = 5.0
                await _wait_any(stop, self._wake, idle, self._lanes_ended)
                if self._lanes_ended.is_set() and not self._wake.is_set():
                    # Lanes ending together share one turn (a fan-out ends a hundred).
                    await _wait_any(stop, self._wake, LANE_ENDS_PAUSE_S)
        finally:
            for task in running.values():
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)

    async def _turn(self, running: dict[str, asyncio.Task[None]], stop: asyncio.Event) -> None:
        """Answers first, before anything else is looked at (the look-after is a write
        transaction, not needed for an answer); then every row due."""
        rows = await self._due_rows()
        answers = [row for row in rows if row.priority == PRIORITY_ANSWER]
        found = await self._direct_rooms_found(answers)
        behind = {self._lane_of(row, found) for row in answers} & running.keys()
        self._answers_behind = bool(behind)
        if answers:
            await self._start_lanes(answers, running, stop)
        if not self._wake.is_set() and not self._answer_lanes and not behind:
            self.answers_out.set()
        await self._look_after(datetime.now(UTC))
        await self._start_lanes(await self._due_rows(), running, stop)

    async def _due_rows(self) -> list[repo.OutboxRow]:
        now = datetime.now(UTC)
        return await delivery.due_rows(self._database, now, ROWS_AT_ONCE, skip=self._claimed)

    async def _idle_seconds(self) -> float:
        """Until the next row's retry is due (at most 30 s)."""
        retry_at = await delivery.next_retry_at(self._database)
        if retry_at is None:
            return 30.0
        return min(30.0, max(0.05, (retry_at - datetime.now(UTC)).total_seconds()))

    async def _look_after(self, now: datetime) -> None:
        """Drop the offers of requests that ended; let the watcher tell what holds
        deliveries up (``on_look_after``)."""
        # Looked for first without the write lock: at each turn, and the next person's
        # answer would wait behind an empty write transaction.
        if await delivery.ended_offers(self._database.connection):
            async with self._database.transaction() as db:
                await delivery.drop_offers_of_ended_requests(db, now)
        if self._watcher is not None:
            await self._watcher(self._database, self._throttle, now)

    async def _start_lanes(
        self,
        rows: list[repo.OutboxRow],
        running: dict[str, asyncio.Task[None]],
        stop: asyncio.Event,
    ) -> None:
        """One lane per room (or per user whose direct chat is still to open), each in
        the outbox's order, answers first; lanes already running are left to finish."""
        lanes: dict[str, list[repo.OutboxRow]] = {}
        rows = [row for row in rows if row.id not in self._claimed]
        found = await self._direct_rooms_found(rows)
        for row in rows:
            lane = self._lane_of(row, found)
            if lane not in running:
                lanes.setdefault(lane, []).append(row)
        if not lanes:
            return
        first_ready, all_ready = self._prepare_in_two_steps(lanes)
        for index, (lane, lane_rows) in enumerate(lanes.items()):
            keys_ready = first_ready if index < DIRECT_ROOMS_AT_ONCE else all_ready
            task = asyncio.create_task(self._run_lane(lane_rows, keys_ready, stop, found))
            running[lane] = task
            if any(row.priority == PRIORITY_ANSWER for row in lane_rows):
                self._answer_lanes.add(lane)
            claimed = {row.id for row in lane_rows}
            self._claimed |= claimed
            task.add_done_callback(partial(self._lane_done, running, lane, claimed))

    def _lane_done(
        self,
        running: dict[str, asyncio.Task[None]],
        lane: str,
        claimed: set[int],
        task: asyncio.Task[None],
    ) -> None:
        self._claimed -= claimed
        if running.get(lane) is task:
            del running[lane]
            self._answer_lanes.discard(lane)
            if not (self._answer_lanes or self._answers_behind or self._wake.is_set()):
                self.answers_out.set()  # no answer queued since: the sync may go on
        if self._answers_behind:
            self._wake.set()  # an answer waits for this lane: at once
        self._lanes_ended.set()

    async def _run_lane(
        self,
        lane: list[repo.OutboxRow],
        keys_ready: asyncio.Future[None],
        stop: asyncio.Event,
        found: Mapping[str, tuple[str, bool]] | None = None,
    ) -> None:
        """Send ``lane``'s rows in order; a failure leaves the rest for later (their
        destination's retry time). ``found``: the direct chats as the turn read them."""
        for index, row in enumerate(lane):
            if stop.is_set():
                return
            known = found.get(row.target) if found is not None and index == 0 else None
            try:
                with bulk_work(row.priority > PRIORITY_ANSWER):  # nio's retries: see Throttle
                    await self._send_row(row, keys_ready, known)
            except SendFailed:
                return
            except Exception:
                log.exception("send failed", extra={"outbox_id": row.id})
                return

    def _prepare_in_two_steps(
        self, lanes: dict[str, list[repo.OutboxRow]]
    ) -> tuple[asyncio.Future[None], asyncio.Future[None]]:
        """The recipients' keys, while the first direct chats are being created: those
        of the first lanes first (so that the first recipients hear at once), then the
        whole batch's in one go. Two futures: the first lanes' keys, everyone's."""
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        head = list(lanes.items())[:DIRECT_ROOMS_AT_ONCE]

        async def prepare() -> None:
            try:
                head_rows = [row for _, lane in head for row in lane]
                await self._prepare_recipients(head_rows)
            finally:
                first.set_result(None)
            rows = [row for lane in lanes.values() for row in lane]
            await self._prepare_recipients(rows)

        return first, asyncio.ensure_future(prepare())

    def _recipients(self, rows: list[repo.OutboxRow]) -> set[str]:
        """Everyone a room key may go to for ``rows``: the targets of direct messages and
        the members of the encrypted rooms written to."""
        users: set[str] = set()
        for row in rows:
            if row.action in _DIRECT_ACTIONS:
                users.add(row.target)
            elif (room := self._client.rooms.get(row.target)) is not None and room.encrypted:
                users.update(room.users)
        return users

    async def _prepare_recipients(self, rows: list[repo.OutboxRow]) -> None:
        """One device-key query, one trust update and one one-time-key claim for every
        recipient of a batch, instead of one of each per room (a first dispatch to a
        hundred new direct chats). Best effort: on failure, each send does its own."""
        olm = self._client.olm
        if olm is None:
            return
        users = self._recipients(rows)
        if not users:
            return
        try:
            olm.users_for_key_query.update(users - olm.tracked_users)
            if self._client.should_query_keys:
                await self._client.keys_query()
            now = datetime.now(UTC)
            if self._gate is not None and self._gate.needs_trust_update(self._client, users, now):
                await self._gate.apply_device_trust(self._client, users, now)
            missing = olm.get_missing_sessions(sorted(users))
            if missing:
                _check(await self._client.keys_claim(missing))
        except Exception as error:  # the sends then query and claim room by room
            log.warning("preparing the recipients' keys failed", extra={"error": repr(error)})

    async def _direct_rooms_found(
        self, rows: list[repo.OutboxRow]
    ) -> Mapping[str, tuple[str, bool]]:
        """The direct chats known for ``rows`` (read once for a turn's lanes)."""
        if not any(row.action in _DIRECT_ACTIONS for row in rows):
            return {}
        return await delivery.direct_rooms_found(self._database)

    def _lane_of(self, row: repo.OutboxRow, found: Mapping[str, tuple[str, bool]]) -> str:
        """Rows of one room are sent one after the other; a direct message goes in the
        lane of the user's direct chat when it is known (``found``)."""
        if row.action in _DIRECT_ACTIONS:
            room_id = found[row.target][0] if row.target in found else None
            return room_id if room_id and room_id in self._client.rooms else f"user:{row.target}"
        return row.target

    async def _send_row(
        self,
        row: repo.OutboxRow,
        keys_ready: asyncio.Future[None] | None = None,
        known: tuple[str, bool] | None = None,
    ) -> None:
        """``known``: the target's direct chat as read a moment ago, if it was."""
        now = datetime.now(UTC)
        try:
            try:
                direct = None
                if row.action in _DIRECT_ACTIONS:
                    direct = await self.direct_room(row.target, known)  # a few at a time
                if keys_ready is not None:
                    await asyncio.shield(keys_ready)
                async with self._throttle.slot(row.priority):
                    room_id, event_id = await self._perform(row, direct)
                _exit_if_told(row)
            except SendFailed:
                raise
            except Exception as error:  # nio raises for local protocol states
                raise SendFailed(repr(error), transient=True) from error
        except SendFailed as error:
            await self._after_failure(row, error, now)
            raise
        async with self._database.transaction() as db:
            await repo.mark_sent(db, row.id, event_id, now, room_id)
            if row.correlation and event_id:
                for prefix, listener in self._listeners:
                    if row.correlation.startswith(prefix):
                        await listener(db, row.correlation, room_id, event_id)
        if row.attempts:
            await delivery.forget_report(self._database, delivery.stuck_subject(row.target))
        self.sent_count += 1

    async def _after_failure(self, row: repo.OutboxRow, error: SendFailed, now: datetime) -> None:
        """A permanent failure closes the row after a few attempts; any other is tried
        again on the destination's schedule, until the row's bound: then it is set
        aside and the stuck listener told."""
        # A refused pin is not worth retrying: the bot lacks the power until someone
        # gives it, and then the next post is pinned.
        final = row.action in (actions.ACTION_PIN, actions.ACTION_UNPIN)
        if not error.transient and (final or row.attempts + 1 >= MAX_PERMANENT_ATTEMPTS):
            await repo.record_failure(self._database, row.id, str(error), True, now)
            log.error("send abandoned", extra={"outbox_id": row.id, "error": str(error)})
            await self._tell_failure(row, now)
            return
        retry_at = now + retry_delay(row.attempts + 1)
        first = await delivery.record_retry(self._database, row.id, str(error), now, retry_at)
        log.warning(
            "send failed, will retry",
            extra={"outbox_id": row.id, "error": str(error), "retry_at": retry_at.isoformat()},
        )
        if is_stuck(first, now, self.stuck_after):
            async with self._database.transaction() as db:
                await delivery.set_aside(db, row.id, now)
                if self._on_stuck is not None:
                    await self._on_stuck(db, row.target, row.id, self.stuck_after, now)
            self.wake()

    async def _tell_failure(self, row: repo.OutboxRow, now: datetime) -> None:
        listeners = [
            listener
            for prefix, listener in self._failure_listeners
            if row.correlation and row.correlation.startswith(prefix)
        ]
        if not listeners or row.correlation is None:
            return
        room = self._client.rooms.get(row.target)
        name = room.display_name if room is not None else row.target
        async with self._database.transaction() as db:
            for listener in listeners:
                await listener(db, row.correlation, row.target, name, now)
        self.wake()

    async def _perform(
        self, row: repo.OutboxRow, direct: str | None = None
    ) -> tuple[str, str | None]:
        """Send ``row``; ``direct``: the direct chat already found for its target."""
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
                row.target,
                "m.room.message",
                message_content(payload),
                row.txn_id,
                clear_ok=bool(payload.get("clear")),
            )
        if row.action == actions.ACTION_DIRECT_MESSAGE:
            room_id = direct or await self.direct_room(row.target)
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
            dimensions = {"w": payload.get("width"), "h": payload.get("height")}
            return row.target, await self._send_media(
                row.target, row, "m.image", "image/png", **dimensions
            )
        if row.action == ACTION_DIRECT_FILE:
            room_id = direct or await self.direct_room(row.target)
            return room_id, await self._send_media(
                room_id, row, "m.file", "application/octet-stream"
            )
        if row.action in (actions.ACTION_PIN, actions.ACTION_UNPIN):
            await self._change_pins(
                row.target, payload["event_id"], add=row.action == actions.ACTION_PIN
            )
            return row.target, None
        raise SendFailed(f"unknown outbox action {row.action!r}", transient=False)

    async def _send_event(
        self,
        room_id: str,
        event_type: str,
        content: dict[str, Any],
        txn_id: str,
        *,
        clear_ok: bool = False,
    ) -> str:
        room = self._client.rooms.get(room_id)
        if event_type != "m.reaction" and not clear_ok and not (room and room.encrypted):
            # Checked on the bot's own room state just before the request: what it says
            # (an offer, a patient's details, a hand-off) never goes out in clear.
            raise SendFailed(f"refused to send in clear: {room_id} is not encrypted", False)
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

    async def _upload(
        self, room_id: str, row: repo.OutboxRow, default_mimetype: str
    ) -> tuple[bytes, dict[str, Any]]:
        """Upload the row's bytes (encrypted in an encrypted room): the bytes and where
        they are (``file`` with its keys, or ``url``) for the event's content."""
        data = await media_bytes(self._database.connection, row.txn_id)
        if data is None:
            raise SendFailed(f"no media bytes for outbox row {row.id}", transient=False)
        room = self._client.rooms.get(room_id)
        encrypted = bool(room and room.encrypted)
        upload, keys = await self._client.upload(
            io.BytesIO(data),
            content_type=row.payload.get("mimetype", default_mimetype),
            filename=row.payload["filename"],
            encrypt=encrypted,
            filesize=len(data),
        )
        if not isinstance(upload, UploadResponse):
            error = error_of(upload, "upload")
            raise SendFailed(str(error), error.transient)
        if encrypted and keys is not None:
            return data, {"file": {**keys, "url": upload.content_uri}}
        return data, {"url": upload.content_uri}

    async def _send_media(
        self, room_id: str, row: repo.OutboxRow, msgtype: str, default_mimetype: str, **info: Any
    ) -> str:
        """Upload the row's file (encrypted in an encrypted room) and post it in
        ``room_id`` as ``msgtype`` (``m.file``, ``m.image``), ``info`` added to its own."""
        data, location = await self._upload(room_id, row, default_mimetype)
        payload = row.payload
        content: dict[str, Any] = {
            "msgtype": msgtype,
            "body": payload.get("caption") or payload["filename"],
            "filename": payload["filename"],
            "info": {
                "mimetype": payload.get("mimetype", default_mimetype),
                "size": len(data),
                **info,
            },
            **location,
        }
        return await self._send_event(room_id, "m.room.message", content, row.txn_id)

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
            log.warning(
                "could not change pinned events", extra={"room_id": room_id, "error": str(error)}
            )
            raise SendFailed(str(error), error.transient)

    async def direct_room(self, user_id: str, known: tuple[str, bool] | None = None) -> str:
        """The bot's encrypted direct chat with ``user_id``, created on first need: one
        room per person, created once; a failed invitation is tried again in that room.
        A recorded room that is not encrypted (whatever ``is_direct`` said) is never
        used: a new, encrypted one is created. ``known``: the record as just read."""
        found = known or await delivery.direct_room(self._database, user_id)
        if found and self._ready_direct_room(found, user_id):
            return found[0]
        lock = self._opening.setdefault(user_id, asyncio.Lock())
        async with lock, self._creating:  # one opening per person, a few at a time
            found = await delivery.direct_room(self._database, user_id)
            room = self._client.rooms.get(found[0]) if found else None
            if found is None or room is None or not room.encrypted:
                room_id = await self._create_direct_room(user_id)
            elif self._ready_direct_room(found, user_id):
                return found[0]
            else:
                room_id = found[0]
            if user_id not in self._client.rooms[room_id].users:
                await self._invite(room_id, user_id)
            await self._wait_for_room(room_id, user_id)
            return room_id

    def joined(self, chats: list[tuple[str, str]]) -> list[str]:
        """The people of ``chats`` ((user id, room id): their direct chats) who have
        joined them, as nio last saw."""
        people = []
        for user_id, room_id in chats:
            room = self._client.rooms.get(room_id)
            if room is not None and user_id in room.users and user_id not in room.invited_users:
                people.append(user_id)
        return people

    async def share_keys_ahead(self) -> int:
        """Share the room key of each direct chat whose person has joined and has not got
        the current one (a chat opened ahead, never used; every chat after a restart),
        with their devices the policy trusts: the first message sent there later goes out
        as in a chat already used, with no key claim or to-device message on the way.
        (nio starts a new key when a member joins: sharing at the invitation is lost.)
        Best effort: a key not shared is shared by the first send. How many were shared."""
        olm, shared = self._client.olm, 0
        if olm is None:
            return 0
        sharing = getattr(self._client, "sharing_session", {})  # by a send, right now
        for user_id, room_id in await delivery.direct_rooms(self._database):
            room = self._client.rooms.get(room_id)
            if room is None or not room.encrypted or user_id not in room.users:
                continue
            if user_id in room.invited_users or not olm.should_share_group_session(room_id):
                continue
            if room_id in sharing:
                continue
            try:
                _check(await self._share_key(room_id))
                shared += 1
            except Exception as error:  # the first message will share it
                if not str(error).startswith(ALREADY_SHARING):  # else a send's share began
                    log.warning("room key not shared ahead", extra={"error": repr(error)})
        return shared

    async def _share_key(self, room_id: str) -> Any:
        if not self._client.rooms[room_id].members_synced:  # as the first send would
            await self._client.joined_members(room_id)
        if self._gate is None:
            return await self._client.share_group_session(room_id, ignore_unverified_devices=True)
        now = datetime.now(UTC)
        return await share_key_with_trusted_devices(self._client, self._gate, room_id, now=now)

    def _ready_direct_room(self, found: tuple[str, bool], user_id: str) -> bool:
        room = self._client.rooms.get(found[0])
        return room is not None and room.encrypted and (found[1] or user_id in room.users)

    async def _create_direct_room(self, user_id: str) -> str:
        """Create the encrypted room and record it at once. A person of the bot's own
        homeserver is invited in the same request (their invitation cannot fail on the
        network, and is not rate-limited apart); a person of another server is invited
        next, apart, so that an invitation that fails never leads to a second room."""
        local = user_id.partition(":")[2] == str(self._client.user_id).partition(":")[2]
        response = _check(
            await self._client.room_create(
                is_direct=True,
                invite=[user_id] if local else [],
                preset=RoomPreset.trusted_private_chat,
                initial_state=[
                    {
                        "type": "m.room.encryption",
                        "state_key": "",
                        "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                    },
                    *self.direct_room_state,
                ],
            )
        )
        assert isinstance(response, RoomCreateResponse)
        now = datetime.now(UTC)
        await repo.save_direct_room(self._database, user_id, response.room_id, now, by_bot=True)
        await delivery.forget_invitation(self._database, user_id)
        await repo.save_joined_at(self._database, response.room_id, datetime.now(UTC))
        self._know_new_room(response.room_id)
        if local:
            await self._invited(response.room_id, user_id)
        return response.room_id

    async def _invite(self, room_id: str, user_id: str) -> None:
        """Invite ``user_id`` as to a direct chat (``is_direct``, as room creation would)."""
        _check(
            await self._client.room_put_state(
                room_id,
                "m.room.member",
                {"membership": "invite", "is_direct": True},
                state_key=user_id,
            )
        )
        await self._invited(room_id, user_id)

    async def _invited(self, room_id: str, user_id: str) -> None:
        await delivery.mark_invited(self._database, user_id, datetime.now(UTC))
        room = self._client.rooms.get(room_id)
        if room is not None:
            room.add_member(user_id, None, None, invited=True)

    def _know_new_room(self, room_id: str) -> None:
        """Tell nio of the direct chat just created (encrypted, the bot in it) without
        waiting for the sync that will confirm it: once the invitee is invited, the
        first message can be encrypted for their devices at once. The invitee reads it
        once they join (the chat's history is shared with its members)."""
        if room_id in self._client.rooms:
            return
        room = MatrixRoom(room_id, self._client.user_id, encrypted=True)
        room.add_member(self._client.user_id, None, None)
        self._client.rooms[room_id] = room
        self._client.encrypted_rooms.add(room_id)

    async def _wait_for_room(self, room_id: str, invitee: str, timeout: float = 10.0) -> None:
        """nio must know the new room, and the invitation, before it can encrypt for it
        (see :meth:`_know_new_room`)."""
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


async def _wait_any(
    stop: asyncio.Event, wake: asyncio.Event, seconds: float | None, *more: asyncio.Event
) -> None:
    events = (stop, wake, *more)
    tasks = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(tasks, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
