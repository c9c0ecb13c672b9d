"""What makes a set of declarations unfit: the checks the test suite runs on the bot's own.

- a command without help text or without an example cannot be helped with;
- an example its own phrase does not understand is a lie in the help;
- an example another declaration understands as specifically (or more) means two
  declarations claim the same phrase, and routing would depend on something else than
  the declarations themselves;
- a command without trigger words reads every message: it must say why; an example
  holding none of its command's trigger words would never reach its phrase.
"""

from __future__ import annotations

from datetime import datetime

from cpts_bot.chat.commands import Command, CommandRegistry, Heard
from cpts_bot.chat.help_texts import example_text
from cpts_bot.chat.triggers import MessageText
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.services.context import Context

SAMPLE_ROOM = "!sample:cpts.invalid"
SAMPLE_SENDER = "@sample:cpts.invalid"


def sample_message(text: str, command: Command, context: Context) -> IncomingMessage:
    """``text`` said where ``command`` hears it (a direct chat, else a room)."""
    direct = Heard.DIRECT in command.heard
    room = SAMPLE_ROOM
    if not direct and Heard.COORDINATION_ROOM in command.heard:
        room = context.config.rooms.coordination or SAMPLE_ROOM
    return IncomingMessage(
        event_id="$sample",
        room_id=room,
        sender=SAMPLE_SENDER,
        body=text,
        timestamp=context.now if isinstance(context.now, datetime) else datetime.now(),
        is_direct=direct,
        mentions_bot=not direct,
    )


def problems(registry: CommandRegistry, context: Context) -> list[str]:
    """Every problem of ``registry``'s declarations, in the language of ``context``."""
    found: list[str] = []
    for command in registry.commands:
        if not command.help.strip():
            found.append(f"{command.name}: no help text")
        if not command.examples:
            found.append(f"{command.name}: no example")
        if command.trigger_words is None:
            found.append(f"{command.name}: no trigger words, nor why it reads every message")
        for example in command.examples:
            found.extend(_example_problems(registry, command, example, context))
    return found


def _example_problems(
    registry: CommandRegistry, command: Command, example: str, context: Context
) -> list[str]:
    text = example_text(example, context.translator, context.config)
    message = sample_message(text, command, context)
    if command.phrase.read(message, context) is None:
        return [f"{command.name}: its example « {text} » is not understood by it"]
    triggers = command.trigger_words
    if triggers is not None and not triggers.could_match(MessageText(text)):
        return [f"{command.name}: its example « {text} » holds none of its trigger words"]
    claims = registry.candidates(message, context)
    mine = [understood for claimant, understood in claims if claimant is command]
    rivals = [
        claimant.name
        for claimant, understood in claims
        if claimant is not command and understood.specificity >= mine[0].specificity
    ]
    if rivals:
        return [f"« {text} » is claimed by {command.name} and by {', '.join(rivals)}"]
    return []
