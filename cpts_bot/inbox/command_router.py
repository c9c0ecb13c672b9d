"""The router: takes inbox rows in order and handles each exactly once.

For every event, in one transaction: access and encryption checks; then a follow-up (a
reply or reaction to one of the bot's messages) goes to what it answers, by the outbox
correlation; a message goes to the declared command that understands it most specifically
(the audience checked once), else to the features not yet declared, else to free text
(the directory); the replies are queued in the outbox and the event is recorded as
handled. An unexpected exception is logged with the event id (never the message text)
and the user gets a short apology, once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from cpts_bot.chat.clear_rooms import refuse_clear_room
from cpts_bot.chat.command_dispatch import Routes, route_message, route_reaction
from cpts_bot.chat.commands import Topic
from cpts_bot.chat.core_feature import core_commands
from cpts_bot.chat.feature import ChatFeature
from cpts_bot.chat.help_texts import Helped
from cpts_bot.chat.not_understood import not_understood_text
from cpts_bot.core.messages import (
    KIND_MESSAGE,
    KIND_REACTION,
    KIND_UNDECRYPTABLE,
    IncomingMessage,
    Reply,
    message_from_payload,
    reaction_from_payload,
)
from cpts_bot.core.offers import classify_answer
from cpts_bot.core.times import PARIS, from_iso
from cpts_bot.i18n import Translator
from cpts_bot.inbox.held_answers import held_back
from cpts_bot.inbox.known_languages import KnownLanguages
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage import pinned_identities as pins
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

log = logging.getLogger(__name__)

MAX_HANDLER_ATTEMPTS = 3
UNDECRYPTABLE_GIVE_UP_AFTER_S = 600

Decryptor = Callable[[repo.InboxRow], Awaitable[dict[str, Any] | None]]
Typing = Callable[[str, bool], Awaitable[None]]


class CommandRouter:
    """Handles inbox rows; ``wake()`` after new rows are stored."""

    def __init__(
        self,
        database: Database,
        config: RoomsConfig,
        bot_user_id: str,
        features: list[ChatFeature],
        on_outbox: Callable[[], None],
        decryptor: Decryptor | None = None,
        typing: Typing | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        before_event: list[Callable[[], Awaitable[None]]] | None = None,
    ) -> None:
        self._before_event = before_event or []
        self._database = database
        self._config = config
        self._bot = bot_user_id
        self._features = features
        self._routes = Routes.of(*features, extra=core_commands(self))
        self.commands = self._routes.commands
        self._on_outbox = on_outbox
        self._decryptor = decryptor
        self._typing = typing
        self._clock = clock
        self._wake = asyncio.Event()
        self.idle = asyncio.Event()  # every row stored so far handled (or waiting)
        self.handled_count = 0
        self._holding = False  # answers wait for the outbox: look again every second
        self._languages = KnownLanguages(database)

    def wake(self) -> None:
        self._wake.set()
        self.idle.clear()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            await self.drain()
            if not self._wake.is_set():
                self.idle.set()
            pause = 1 if self._holding else 15
            waits = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waits, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
            for task in waits:
                task.cancel()

    async def drain(self) -> None:
        """Handle every pending inbox row (undecryptable ones wait for their keys)."""
        waiting: set[str] = set()
        self._holding = False
        while True:
            rows = [
                row
                for row in await repo.pending_inbox(self._database, limit=100)
                if row.event_id not in waiting
            ]
            if not rows:
                return
            for row in rows:
                if not await self._handle_row(row):
                    waiting.add(row.event_id)

    async def _handle_row(self, row: repo.InboxRow) -> bool:
        """Handle one row; False when it must wait (a room key has not arrived yet)."""
        if row.kind == KIND_UNDECRYPTABLE:
            decrypted = await self._decryptor(row) if self._decryptor else None
            if decrypted is None:
                return await self._undecryptable(row)
            if decrypted.get("drop"):
                async with self._database.transaction() as db:
                    await repo.mark_handled(db, row.event_id, row.room_id, self._clock())
                return True
            kind = decrypted.pop("kind", KIND_MESSAGE)
            row = replace(row, kind=kind, payload=decrypted)
        if await held_back(self._database, row, self._clock()):
            self._holding = True
            return False
        if row.kind == KIND_MESSAGE and self._typing:
            await self._typing(row.room_id, True)
        for hook in self._before_event:
            await hook()
        try:
            async with self._database.transaction() as db:
                if await repo.claim(db, row.event_id, row.room_id, self._clock()):
                    await self._dispatch(db, row)  # claimed: out of the inbox (0035)
                else:
                    await repo.drop_from_inbox(db, row.event_id)
        except Exception:
            if row.kind == KIND_MESSAGE and self._typing:
                await self._typing(row.room_id, False)
            log.exception("handler failed", extra={"event_id": row.event_id})
            attempts = await repo.count_attempt(self._database, row.event_id)
            if attempts >= MAX_HANDLER_ATTEMPTS:
                await self._apologise(row)
            return attempts >= MAX_HANDLER_ATTEMPTS
        self.handled_count += 1
        self._on_outbox()
        if row.kind == KIND_MESSAGE and self._typing:
            await self._typing(row.room_id, False)
        return True

    async def _dispatch(self, db: Any, row: repo.InboxRow) -> None:
        now = self._clock()
        is_message = row.kind == KIND_MESSAGE
        outbox = OutboxWriter(
            db, now, reply_to_event=row.event_id if is_message else None, reply_room=row.room_id
        )
        language = await self._languages.of(db, row.sender) or self._config.language
        context = Context(
            db=db,
            now=now,
            outbox=outbox,
            config=self._config,
            translator=Translator(language),
            bot_user_id=self._bot,
        )
        _ = context.translator.gettext
        if is_message:
            message = message_from_payload(row.event_id, row.room_id, row.sender, row.payload)
            if not self._config.is_allowed(message.sender):
                if message.is_direct or message.mentions_bot:
                    await outbox.reply(
                        Reply(
                            _(
                                "Sorry, this service is reserved for the members of {territory}. "
                                "Ask the coordination team to add you.",
                                territory=self._config.territory.name,
                            )
                        ),
                        clear=True,
                    )
                return
            if self._config.encrypted_rooms_only and not message.room_encrypted:
                if message.is_direct or message.mentions_bot or _is_help(message.body):
                    await refuse_clear_room(message, context)
                return
            await self._handle_message(message, context)
        elif row.kind == KIND_REACTION:
            if not self._config.is_allowed(row.sender):
                return
            reaction = reaction_from_payload(row.event_id, row.room_id, row.sender, row.payload)
            await route_reaction(self._routes, reaction, context)

    async def _handle_message(self, message: IncomingMessage, context: Context) -> None:
        if await route_message(self._routes, message, context):
            return
        if message.is_direct or message.mentions_bot:
            _ = context.translator.gettext
            if classify_answer(message.body) is not None:
                # « je prends », « ok », « non » when nothing waits: say so, not « not understood ».
                text = _(
                    "Nothing is waiting for your answer right now: a request may have been "
                    "taken, cancelled or have expired (« mes déclenchements » lists yours)."
                )
            else:
                text = not_understood_text(
                    message.body, self.help_commands(), context.translator, self._config
                )
            await context.outbox.reply(Reply(text))

    async def _undecryptable(self, row: repo.InboxRow) -> bool:
        received = row.payload.get("timestamp")
        age = (
            (
                self._clock() - datetime.fromisoformat(received.replace("Z", "+00:00"))
            ).total_seconds()
            if received
            else 0
        )
        if age < UNDECRYPTABLE_GIVE_UP_AFTER_S:
            return False
        async with self._database.transaction() as db:
            if not await repo.is_handled(db, row.event_id):
                await self._tell_undecryptable(db, row)
            await repo.mark_handled(db, row.event_id, row.room_id, self._clock())
        log.warning("gave up decrypting", extra={"event_id": row.event_id})
        self._on_outbox()
        return True

    async def _tell_undecryptable(self, db: Any, row: repo.InboxRow) -> None:
        """A short notice in the sender's direct chat, never in a shared room: what
        could not be read (it may be a reaction as well as a message), where, when."""
        language = await self._languages.of(db, row.sender) or self._config.language
        _ = Translator(language).gettext
        received = row.payload.get("timestamp")
        time = f"{from_iso(received).astimezone(PARIS):%H:%M}" if received else "?"
        if row.payload.get("is_direct"):
            text = _(
                "I could not decrypt what you sent at {time}: its key never reached me. "
                "Please send it again.",
                time=time,
            )
            outbox = OutboxWriter(db, self._clock(), row.event_id, row.room_id)
            await outbox.reply(Reply(text))
            return
        day = self._clock().astimezone(PARIS).date().isoformat()
        if not await pins.claim_notice(
            db, row.sender, row.room_id, pins.UNDECRYPTABLE + day, self._clock()
        ):
            return  # once a day per person and shared room: chatter the bot cannot read
        text = _(
            "I could not decrypt what you sent at {time} in « {room} »: its key never "
            "reached me. If it was a message for me, please send it again.",
            time=time,
            room=row.payload.get("room_name") or row.room_id,
        )
        await OutboxWriter(db, self._clock()).send_direct(row.sender, Reply(text))

    async def _apologise(self, row: repo.InboxRow) -> None:
        async with self._database.transaction() as db:
            language = await self._languages.of(db, row.sender) or self._config.language
            _ = Translator(language).gettext
            if row.kind == KIND_MESSAGE:
                outbox = OutboxWriter(db, self._clock(), row.event_id, row.room_id)
                await outbox.reply(
                    Reply(
                        _(
                            "Sorry, something went wrong on my side. The team has been told; "
                            "please try again in a moment."
                        )
                    )
                )
            await repo.mark_handled(db, row.event_id, row.room_id, self._clock())
        self._on_outbox()

    def help_commands(self) -> tuple[Helped, ...]:
        """The declared commands and follow-ups, for the generated help."""
        return (*self.commands.commands, *self._routes.follow_ups.helped)

    def legacy_help(self, translator: Translator, coordinator: bool, topic: Topic) -> list[str]:
        """Help lines of the features not yet declared, under their topic."""
        lines: list[str] = []
        for feature in self._routes.self_routed:
            if getattr(feature, "help_topic", Topic.GENERAL) is topic and hasattr(
                feature, "help_lines"
            ):
                lines.extend(feature.help_lines(translator, coordinator))
        return lines


def _is_help(body: str) -> bool:
    return body.strip().lower() in {"aide", "help", "?"}
