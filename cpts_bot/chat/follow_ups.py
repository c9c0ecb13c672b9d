"""Follow-ups: a reply, a thread answer or a reaction to one of the bot's own messages,
and the answers to what waits for a person without replying to anything.

They are routed by what they answer: the outbox correlation of the bot's message
(``dispatch:…``, ``alert:…``, ``handoff:…``), never by asking every feature in turn.

A pending exchange (the guided dispatch request one is writing, a bare « ok » when one
dispatch or one médecin-traitant offer waits) is answered without a reply. Each
follow-up says what of its own waits for this person (:class:`Waiting`, with a
specificity); the most specific claim gets the message, and when two features claim it
equally the person is asked which message they answer. Registration order never matters.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from cpts_bot.chat.commands import Audience, Topic
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.services.answered import correlation_of
from cpts_bot.services.context import Context

MessageFollowUp = Callable[[IncomingMessage, Context, str], Awaitable[bool]]
ReactionFollowUp = Callable[[IncomingReaction, Context, str], Awaitable[bool]]

# How specifically a pending exchange claims a message that replies to nothing.
WAITING_ANSWER = 1  # a bare « ok » / « non » when something waits for this person's answer
WAITING_EXCHANGE = 2  # a guided exchange in progress in this very room


@dataclass(frozen=True)
class Waiting:
    """What of a feature waits for this person's answer, and how it takes the message.

    ``label`` names it when several features claim the same message (« dispatch no. 4 »);
    ``handle`` takes the message (it may itself say that several of its own wait)."""

    specificity: int
    label: str
    handle: Callable[[], Awaitable[object]]


PendingFollowUp = Callable[[IncomingMessage, Context], Awaitable[Waiting | None]]


@dataclass(frozen=True)
class FollowUp:
    """What answers to the bot's messages correlated ``prefix…`` mean.

    Each handler gets the event, the context and the correlation, and says whether it
    handled the event (an "ok" to an alert is an acknowledgement; a question in reply
    to a dispatch may still be a directory question)."""

    prefix: str
    on_message: MessageFollowUp | None = None
    on_reaction: ReactionFollowUp | None = None
    # What waits for the sender's answer without a reply (see :class:`Waiting`).
    waiting: PendingFollowUp | None = None
    # For the generated help, like a command's (an example is what one answers).
    help: str = ""
    examples: tuple[str, ...] = ()
    topic: Topic = Topic.GENERAL
    audience: Audience = Audience.ANYONE
    priority: int = 50

    @property
    def name(self) -> str:
        return self.prefix.rstrip(":")


class FollowUps:
    """The declared follow-ups, found by correlation prefix."""

    def __init__(self, follow_ups: Iterable[FollowUp] = ()) -> None:
        self._by_prefix: dict[str, FollowUp] = {}
        for follow_up in follow_ups:
            if follow_up.prefix in self._by_prefix:
                raise ValueError(f"two follow-ups for {follow_up.prefix!r}")
            self._by_prefix[follow_up.prefix] = follow_up

    @property
    def helped(self) -> tuple[FollowUp, ...]:
        """The follow-ups with a help text, for the generated help."""
        return tuple(f for f in self._by_prefix.values() if f.help)

    def _of(self, correlation: str) -> FollowUp | None:
        prefix = correlation.split(":", 1)[0] + ":"
        return self._by_prefix.get(prefix)

    async def on_message(self, message: IncomingMessage, context: Context) -> bool:
        """Handle ``message`` if it answers a correlated message of the bot."""
        for parent in dict.fromkeys(p for p in (message.reply_to, message.thread_root) if p):
            correlation = await correlation_of(context, parent)
            follow_up = self._of(correlation) if correlation else None
            if follow_up is None or follow_up.on_message is None:
                continue
            assert correlation is not None
            if await follow_up.on_message(message, context, correlation):
                return True
        return False

    async def on_reaction(self, reaction: IncomingReaction, context: Context) -> bool:
        """Handle ``reaction`` if it is on a correlated message of the bot."""
        correlation = await correlation_of(context, reaction.reacts_to)
        follow_up = self._of(correlation) if correlation else None
        if follow_up is None or follow_up.on_reaction is None:
            return False
        assert correlation is not None
        return await follow_up.on_reaction(reaction, context, correlation)

    async def on_unreplied(self, message: IncomingMessage, context: Context) -> bool:
        """Give ``message`` to the one pending exchange that claims it most specifically;
        when several features claim it equally, ask which message it answers."""
        claims = []
        for prefix in sorted(self._by_prefix):
            waiting = self._by_prefix[prefix].waiting
            claim = await waiting(message, context) if waiting is not None else None
            if claim is not None:
                claims.append(claim)
        if not claims:
            return False
        best = max(claim.specificity for claim in claims)
        top = [claim for claim in claims if claim.specificity == best]
        if len(top) == 1:
            await top[0].handle()
            return True
        await context.outbox.reply(
            Reply(
                context._(
                    "Several requests wait for your answer ({items}): reply to the message"
                    " you mean.",
                    items=", ".join(sorted(claim.label for claim in top)),
                )
            )
        )
        return True
