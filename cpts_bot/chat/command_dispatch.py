"""Run a message through the declared commands: pick, check the audience once, handle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from cpts_bot.chat.answer_matching import (
    parent_of,
    should_tell,
    tell_answers_nothing,
    tell_reaction_answers_nothing,
)
from cpts_bot.chat.commands import Audience, Command, CommandCall, CommandRegistry, Heard
from cpts_bot.chat.feature import ChatFeature
from cpts_bot.chat.follow_ups import FollowUp, FollowUps
from cpts_bot.core.answer_matching import may_take_pending
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context
from cpts_bot.services.people import is_listed

AUDIENCE_NAMES = {
    Audience.COORDINATOR: N_("the coordination"),
    Audience.PROFESSIONAL: N_("the professionals listed in the directory"),
}


async def may_use(audience: Audience, user_id: str, context: Context) -> bool:
    """Whether ``user_id`` belongs to ``audience`` (coordinators belong to every one)."""
    if audience is Audience.ANYONE or context.is_coordinator(user_id):
        return True
    if audience is Audience.PROFESSIONAL:
        return await is_listed(context.db, user_id)
    return False


def heard_places(message: IncomingMessage, coordination_room: str | None) -> frozenset[Heard]:
    """Where ``message`` was said."""
    if message.is_direct:
        return frozenset({Heard.DIRECT})
    places = {Heard.ROOM}
    if message.mentions_bot:
        places.add(Heard.MENTION)
    if coordination_room is not None and message.room_id == coordination_room:
        places.add(Heard.COORDINATION_ROOM)
    return frozenset(places)


def refusal(command: Command, translator: Translator) -> str:
    """The one refusal text, for every command and audience."""
    return translator.gettext(
        "Sorry: « {command} » is reserved for {audience}.",
        command=command.name,
        audience=translator.gettext(AUDIENCE_NAMES[command.audience]),
    )


async def run_declared(
    registry: CommandRegistry,
    message: IncomingMessage,
    context: Context,
    *,
    free_text: bool = False,
) -> bool:
    """Handle ``message`` with its most specific declaration; False when none hears it.

    A handler may decline (return False: "not mine after all", e.g. a GP command from
    someone who is not a GP); the next most specific declaration then gets it."""
    places = heard_places(message, context.config.rooms.coordination)
    for command, understood in registry.heard(message, context, places, free_text):
        if not await may_use(command.audience, message.sender, context):
            await context.outbox.reply(Reply(refusal(command, context.translator)))
            return True
        if understood.body is None:
            call = CommandCall(command, message, context, understood.value)
        else:
            read = replace(message, body=understood.body)
            call = CommandCall(command, read, context, understood.value, typed=message.body)
        if await command.handler(call) is not False:
            return True
    return False


@dataclass
class Routes:
    """Everything a message may go to: follow-ups (and the pending exchanges they
    declare) and declared commands. ``self_routed`` stays empty: no feature routes
    itself any more."""

    commands: CommandRegistry = field(default_factory=CommandRegistry)
    follow_ups: FollowUps = field(default_factory=FollowUps)
    self_routed: list[ChatFeature] = field(default_factory=list)

    @classmethod
    def of(cls, *features: Any, extra: Iterable[Command] = ()) -> Routes:
        """The routes of ``features``: their ``commands()`` and ``follow_up()`` (or
        ``follow_ups()``, for a feature answering several kinds of its messages).

        A feature with ``handle_message`` would be asked after the declared commands; none
        is left, and ``tests/unit/test_routing_order.py`` keeps it so."""
        commands = [c for f in features if hasattr(f, "commands") for c in f.commands()]
        follow_ups = [f.follow_up() for f in features if hasattr(f, "follow_up")]
        follow_ups += [one for f in features if hasattr(f, "follow_ups") for one in f.follow_ups()]
        self_routed = [f for f in features if hasattr(f, "handle_message")]
        return cls(CommandRegistry([*commands, *extra]), FollowUps(follow_ups), self_routed)


@dataclass(frozen=True)
class Declared:
    """A feature that is only declarations: its commands and the follow-ups to its
    messages (what a feature's manifest gives the router)."""

    declared: tuple[Command, ...]
    name: str = "declared"
    replies: tuple[FollowUp, ...] = ()

    def commands(self) -> list[Command]:
        return list(self.declared)

    def follow_ups(self) -> list[FollowUp]:
        return list(self.replies)


async def route_message(routes: Routes, message: IncomingMessage, context: Context) -> bool:
    """Handle ``message``: what it answers, else the most specific declared command, else
    what waits for this person's answer (only for a message that answers none of the
    bot's requests and nothing unknown), else free text. False when nothing took it."""
    if await routes.follow_ups.on_message(message, context):
        return True
    if message.body.startswith("/"):
        # A client's slash command (MSC4391): its text fallback, without the slash.
        message = replace(message, body=message.body[1:])
    if await run_declared(routes.commands, message, context):
        return True
    for feature in routes.self_routed:
        if await feature.handle_message(message, context):
            return True
    parent = await parent_of(context.db, [e for e in (message.reply_to, message.thread_root) if e])
    if may_take_pending(parent):
        if await routes.follow_ups.on_unreplied(message, context):
            return True
    elif should_tell(message, parent):
        # An answer to a closed, foreign or unknown message is never given to another
        # open request (one the person may not even have seen).
        await tell_answers_nothing(context)
        return True
    return await run_declared(routes.commands, message, context, free_text=True)


async def route_reaction(routes: Routes, reaction: IncomingReaction, context: Context) -> bool:
    """A reaction is only ever a follow-up: it goes to what it reacts to (a 👍 in a
    direct chat on an unknown event is told that nothing was taken)."""
    if await routes.follow_ups.on_reaction(reaction, context):
        return True
    return await tell_reaction_answers_nothing(reaction, context)
