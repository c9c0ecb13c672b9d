"""Whether an answer (a reply, a thread answer, a reaction) can be routed now, and to what.

An answer names the event it answers, and it is routed by that event only: to the
follow-up of the bot's own message, or to nothing. It is never given to another open
request of the person (« the one dispatch waiting for her »): that request may be one
she has not even seen.

The event may be one of the bot's own sends that the homeserver accepted but the outbox
has not recorded yet (the bot stopped between the two; on restart the outbox sends the
row again with the same transaction id, and the homeserver gives back the same event
id). Such an answer waits, bounded in time and in count, until the outbox records the
event. Pure: the facts are read by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

# How long an answer waits for the bot's send it may answer to be recorded.
WAIT_LIMIT = timedelta(minutes=10)
# How many answers may wait at once (beyond, a new one is routed as answering nothing
# known: the router reads its inbox a hundred rows at a time).
MAX_WAITING = 50


class Parent(Enum):
    """What the answered event is, to the bot (ordered: the strongest wins)."""

    NONE = 0  # the message answers nothing
    BOT_PLAIN = 1  # one of the bot's recorded messages, about nothing in particular
    FOREIGN = 2  # an event the bot received from someone
    UNKNOWN = 3  # an event the bot has never seen nor recorded
    BOT_CORRELATED = 4  # one of the bot's recorded messages about a request, alert …


def strongest(parents: list[Parent]) -> Parent:
    """What a message answering several events (a reply in a thread) answers."""
    return max(parents, key=lambda parent: parent.value, default=Parent.NONE)


@dataclass(frozen=True)
class AnswerFacts:
    parent: Parent
    # A send to this room or this person is not recorded yet (queued, or accepted by the
    # homeserver just before a crash).
    unrecorded_send: bool
    # When this answer started waiting; None when it has not waited yet.
    waiting_since: datetime | None
    # How many other answers wait now.
    waiting_count: int


def must_wait(facts: AnswerFacts, now: datetime) -> bool:
    """Whether the answer waits for an unrecorded send rather than being routed now."""
    if facts.parent is not Parent.UNKNOWN or not facts.unrecorded_send:
        return False
    if facts.waiting_since is None:
        return facts.waiting_count < MAX_WAITING
    return now - facts.waiting_since < WAIT_LIMIT


def may_take_pending(parent: Parent) -> bool:
    """Whether a message may go to what waits for the person's answer without a reply:
    only one that answers nothing, or one of the bot's messages about nothing in
    particular (a guided request's question)."""
    return parent in (Parent.NONE, Parent.BOT_PLAIN)
