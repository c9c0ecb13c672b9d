"""Answers are matched to what they answer, or to nothing (see
:mod:`cpts_bot.core.answer_matching`): the routing never gives an answer to an unknown,
foreign or closed message to another open request, and tells the person so. (Holding
back an answer to an event the outbox may not have recorded yet is the inbox's:
:mod:`cpts_bot.inbox.held_answers`.)"""

from __future__ import annotations

from cpts_bot.core.answer_matching import Parent
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.core.offers import Answer, classify_answer, classify_reaction
from cpts_bot.services.answered import is_direct_room, parent_of
from cpts_bot.services.context import Context


def should_tell(message: IncomingMessage, parent: Parent) -> bool:
    """Whether an answer to something that is not an open request is told so: in a direct
    chat, when the bot is mentioned, or when it answers the bot's own message or one the
    bot does not know (in a shared room, a colleague's « ok » to a colleague is theirs)."""
    if classify_answer(message.body) is None:
        return False
    return (
        message.is_direct
        or message.mentions_bot
        or parent in (Parent.BOT_CORRELATED, Parent.UNKNOWN)
    )


def _answers_nothing(context: Context) -> Reply:
    return Reply(
        context._(
            "Your answer matches no open request: the message you replied to is not one "
            "of my requests waiting for you. Nothing was taken. Reply to the request's "
            "own message."
        )
    )


async def tell_answers_nothing(context: Context) -> None:
    await context.outbox.reply(_answers_nothing(context))


async def tell_reaction_answers_nothing(reaction: IncomingReaction, context: Context) -> bool:
    """A 👍 in the person's direct chat on an event the bot does not know (its send was
    never recorded): told that nothing was taken, rather than dropped in silence."""
    if classify_reaction(reaction.key) is not Answer.ACCEPT:
        return False
    if await parent_of(context, [reaction.reacts_to]) is not Parent.UNKNOWN:
        return False
    if not await is_direct_room(context, reaction.sender, reaction.room_id):
        return False
    await context.outbox.send(reaction.room_id, _answers_nothing(context))
    return True
