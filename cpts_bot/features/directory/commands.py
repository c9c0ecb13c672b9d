"""The directory question, declared as the free text of the bot: what no other command
understands, said to the bot, is read as "who does what, where"."""

from __future__ import annotations

from typing import Protocol

from cpts_bot.chat.command_table import command_table, row
from cpts_bot.chat.commands import (
    ADDRESSED,
    EVERYWHERE,
    FREE_TEXT,
    Command,
    CommandCall,
    Context,
    MessageParser,
    Parameter,
    Topic,
)
from cpts_bot.chat.triggers import every_message
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.i18n.translator import N_


class DirectoryAnswerer(Protocol):
    """The directory feature: it answers a question, or says it is not one."""

    answer_unaddressed: bool

    async def handle_message(self, message: IncomingMessage, context: Context) -> bool: ...


def directory_commands(feature: DirectoryAnswerer) -> tuple[Command, ...]:
    """``feature`` answers a directory question (``handle_message`` returns False when
    the text is not one, so the router can say it did not understand)."""

    def read(message: IncomingMessage, context: Context) -> IncomingMessage:
        return message

    async def answer(call: CommandCall) -> bool:
        return bool(await feature.handle_message(call.message, call.context))

    return command_table(
        row(
            "annuaire",
            MessageParser(read, FREE_TEXT),
            0,
            N_("find a professional: profession, place, what they do"),
            N_("kiné à domicile {commune}"),
            N_("combien d'IDE à {other_commune} ?"),
            N_("plus"),
            handler=answer,
            triggers=every_message(
                "free text: the directory question is what nothing else understood"
            ),
            heard=EVERYWHERE if feature.answer_unaddressed else ADDRESSED,
            published=False,  # free text: nothing for a client to complete
            parameters=(Parameter("question", "string", N_("your question, in your words")),),
        ),
        topic=Topic.DIRECTORY,
    )
