"""The sync loop: events in, token saved with them, invites answered.

nio decrypts the timeline inside ``sync``; the loop then writes every event meant for
the bot into the inbox and the new sync token in the same transaction (see
docs/architecture.md), and wakes the router. Callbacks are not used for messages, so a
crash can lose nothing between "token saved" and "event handled".
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from nio import (
    AsyncClient,
    InviteMemberEvent,
    JoinError,
    MegolmEvent,
    RoomMemberEvent,
    SyncResponse,
)

from cpts_bot.core.messages import KIND_UNDECRYPTABLE
from cpts_bot.core.times import from_millis, to_iso
from cpts_bot.matrix.backfill import missed_events
from cpts_bot.matrix.event_listener import joins, predates, to_inbox_item
from cpts_bot.matrix.key_hygiene import share_keys
from cpts_bot.matrix.nio_responses import error_of
from cpts_bot.matrix.room_members import is_encrypted
from cpts_bot.matrix.sender_trust import (
    SenderTrustGate,
    authenticated_device_id,
    notice_context,
)
from cpts_bot.matrix.sync_filters import ROOMS_ONLY_FILTER, uploaded_filter
from cpts_bot.matrix.token_login import raise_if_refused
from cpts_bot.storage import bot_status
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database

log = logging.getLogger(__name__)

# The status row's last sync time is rewritten at most this often (health checks count
# in minutes): one statement less in most syncs' transaction, on every reply's path.
STATUS_EVERY = timedelta(seconds=10)


@dataclass(eq=False)
class SyncLoop:
    """Long-polls the homeserver and feeds the inbox."""

    client: AsyncClient
    database: Database
    may_invite: Callable[[str], bool]
    on_events: Callable[[], None]
    on_first_sync: Callable[[], None] | None = None
    gate: SenderTrustGate | None = None
    settle: Callable[[], Awaitable[None]] | None = None
    # Called once per sync in which someone other than the bot joined a room (a chat
    # opened ahead is welcomed and keyed when its member joins: direct_chats_ahead.py).
    on_member_joined: Callable[[], None] | None = None
    synced: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    # When the bot joined each room: written once (never changed), so read once.
    _joined: dict[str, str] = field(init=False, default_factory=dict)
    _status: dict[str, str] = field(init=False, default_factory=dict)  # as last written
    _status_at: datetime | None = field(init=False, default=None)

    async def run(self, stop: asyncio.Event) -> None:
        token = await repo.load_sync_token(self.database)
        if token is not None:
            await self._know_rooms(stop)
        self.client.next_batch = token or ""
        sync_filter = await uploaded_filter(self.client)
        backoff = 1.0
        while not stop.is_set():
            try:
                # The first sync of each run asks for the full state even with a saved
                # token: nio keeps no rooms across restarts, and the outbox must be able
                # to send to a room that has had no news since (a dispatch's notices).
                response = await self.client.sync(
                    timeout=30000,
                    sync_filter=sync_filter,
                    full_state=token is None or not self.synced.is_set(),
                    since=token,
                )
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the loop must survive anything the network does
                backoff = await _back_off("sync failed", repr(error), backoff)
                continue
            if not isinstance(response, SyncResponse):
                raise_if_refused(self.client.user_id, response)
                backoff = await _back_off("sync error", str(error_of(response, "sync")), backoff)
                continue
            if backoff > 1.0:
                log.info("homeserver reachable again")
            backoff = 1.0
            await self._handle(response, first_sync=token is None, since=token)
            token = response.next_batch
            if self.settle is not None and self.synced.is_set():
                # Answers out before the next long poll, once the outbox runs (benchmarks.md).
                await self.settle()
            await self._crypto_housekeeping()
            if not self.synced.is_set():
                self.synced.set()
                if self.on_first_sync:
                    self.on_first_sync()

    async def _know_rooms(self, stop: asyncio.Event) -> None:
        """Give nio every joined room and its members before resuming from a saved token.

        nio keeps no rooms across restarts, and a sync from a saved token, even with
        ``full_state``, lists only the rooms that changed since (Synapse): the outbox
        could not send to a quiet room (a dispatch's edits, an alert's room). An initial
        sync with a one-event timeline fills nio's rooms; its events and its token are
        not used: the loop resumes from the saved token, so nothing is skipped."""
        backoff = 1.0
        while not stop.is_set():
            self.client.next_batch = ""
            try:
                response = await self.client.sync(
                    timeout=0, sync_filter=ROOMS_ONLY_FILTER, full_state=True
                )
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the homeserver may be down: retry as the loop does
                response = error
            raise_if_refused(self.client.user_id, response)
            if isinstance(response, SyncResponse):
                log.info("rooms known", extra={"rooms": len(self.client.rooms)})
                return
            backoff = await _back_off("initial sync failed", str(response), backoff)

    async def _handle(
        self, response: SyncResponse, first_sync: bool, since: str | None = None
    ) -> None:
        now = datetime.now(UTC)
        if self.gate is not None:
            self.gate.forget(response.device_list.changed)
        await self._answer_invites(response)
        items: list[repo.InboxItem] = []
        bot = self.client.user_id
        someone_joined = False
        for room_id, info in response.rooms.join.items():
            room = self.client.rooms.get(room_id)
            if room is None:
                continue
            events = await self._timeline(room_id, info, since)
            joined = await self._joined_at(room_id, events, now)
            someone_joined = someone_joined or any(joins(event, bot) for event in events)
            if first_sync:
                continue
            for event in events:
                item = to_inbox_item(event, room, bot)
                if item is None or predates(item.payload["timestamp"], joined):
                    continue
                if not await self._trusted(event, item, room.encrypted, now):
                    continue
                items.append(item)
                if isinstance(event, MegolmEvent):
                    await self._request_key(event)
        status = self._status_news(now)
        added = await repo.store_batch(self.database, items, response.next_batch, now, status)
        self._status.update(status)
        if bot_status.LAST_SYNC_AT in status:
            self._status_at = now
        if added or items:
            self.on_events()
        if someone_joined and self.on_member_joined is not None:
            self.on_member_joined()
        if added:
            log.info("events received", extra={"count": added})

    async def _joined_at(self, room_id: str, events: list[Any], now: datetime) -> str:
        """When the bot joined ``room_id`` (recorded at its first sight: its own join
        event of ``events``, else ``now``); events before it are not for the bot."""
        joined = self._joined.get(room_id) or await repo.joined_at(self.database, room_id)
        if joined is None:
            when = next(
                (
                    from_millis(event.server_timestamp)
                    for event in events
                    if isinstance(event, RoomMemberEvent)
                    and event.state_key == self.client.user_id
                    and event.membership == "join"
                ),
                now,
            )
            await repo.save_joined_at(self.database, room_id, when)
            joined = await repo.joined_at(self.database, room_id) or to_iso(when)
        self._joined[room_id] = joined
        return joined

    def _status_news(self, now: datetime) -> dict[str, str]:
        """The status values this sync changes: the rooms when they changed, the sync time
        when it was last written :data:`STATUS_EVERY` ago (or with the rooms)."""
        news = {bot_status.ROOMS_JOINED: json.dumps(sorted(self.client.rooms))}
        if news.items() <= self._status.items():
            news = {}
        if news or self._status_at is None or now - self._status_at >= STATUS_EVERY:
            news[bot_status.LAST_SYNC_AT] = to_iso(now)
        return news

    async def _timeline(self, room_id: str, info: Any, since: str | None) -> list[Any]:
        """The room's events of this sync, oldest first: a ``limited`` timeline is
        back-filled down to the previous sync (see :mod:`cpts_bot.matrix.backfill`)."""
        events = list(info.timeline.events)
        if not info.timeline.limited:
            return events
        missed = await missed_events(
            self.client,
            room_id,
            info.timeline.prev_batch,
            since,
            lambda event_id: repo.knows_event(self.database, event_id),
        )
        returned = {event.event_id for event in events}
        return [event for event in missed if event.event_id not in returned] + events

    async def _answer_invites(self, response: SyncResponse) -> None:
        for room_id, info in response.rooms.invite.items():
            inviter, is_direct = _inviter(info.invite_state, self.client.user_id)
            if inviter and self.may_invite(inviter):
                result = await self.client.join(room_id)
                if isinstance(result, JoinError):
                    log.warning("join failed", extra={"room_id": room_id, "error": str(result)})
                else:
                    await repo.save_joined_at(self.database, room_id, datetime.now(UTC))
                    if is_direct and await is_encrypted(self.client, room_id):
                        # The user's own direct chat with the bot: what the bot sends them
                        # later (dispatch notices, relayed answers) goes there too. Never
                        # an unencrypted one, whatever ``is_direct`` says.
                        await repo.save_direct_room(
                            self.database, inviter, room_id, datetime.now(UTC)
                        )
                    log.info("joined room", extra={"room_id": room_id})
            else:
                await self.client.room_leave(room_id)
                log.info("refused invite", extra={"room_id": room_id})

    async def _trusted(
        self, event: Any, item: repo.InboxItem, encrypted: bool, now: datetime
    ) -> bool:
        """The senders' trust policy, for events of encrypted rooms (an undecryptable
        event is checked once decrypted). An event sent in clear there is believed only
        when it is a reaction (see :func:`decide_clear_event`)."""
        if self.gate is None or not encrypted or item.kind == KIND_UNDECRYPTABLE:
            return True
        if not getattr(event, "decrypted", False):
            clear = await self.gate.check_clear(
                item.sender, item.kind, event_id=item.event_id, now=now
            )
            return clear.trusted
        device_id = authenticated_device_id(self.client, event)
        decision = await self.gate.check(
            self.client,
            item.sender,
            device_id,
            room_id=item.room_id,
            event_id=item.event_id,
            now=now,
            what=notice_context(item),
        )
        return decision.trusted

    async def _request_key(self, event: MegolmEvent) -> None:
        try:
            await self.client.request_room_key(event)
        except Exception as error:  # a key request already sent is not an error
            log.debug("room key request not sent", extra={"error": repr(error)})

    async def _crypto_housekeeping(self) -> None:
        try:
            await share_keys(self.client)
        except Exception as error:
            log.warning("key maintenance failed", extra={"error": repr(error)})


async def _back_off(message: str, error: str, delay: float) -> float:
    """Log, wait ``delay`` seconds: the next delay (doubled, at most 30 s)."""
    log.warning(message, extra={"error": error, "retry_in_s": delay})
    await asyncio.sleep(delay)
    return min(delay * 2, 30.0)


def _inviter(invite_state: list[Any], bot_user_id: str) -> tuple[str | None, bool]:
    """Who invited the bot, and whether they marked the room as a direct chat."""
    for event in invite_state:
        if (
            isinstance(event, InviteMemberEvent)
            and event.state_key == bot_user_id
            and event.membership == "invite"
        ):
            return str(event.sender), bool(event.content.get("is_direct"))
    return None, False
