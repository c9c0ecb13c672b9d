"""The declared commands as room state for clients (MSC4391, "simplified in-room bot
commands", successor of MSC4332): one ``org.matrix.msc4391.command_description`` state
event per command, so that clients that support it offer completion and a typed form.

The content follows what clients exchange today (mautrix-go's ``cmdschema``, used by
gomuks): ``command``, ``description`` and ``parameters`` as MSC1767 text blocks; the
state key is ``base64(sha256(command + bot user ID))``, which lets clients check that
the description really comes from the bot. Pure: this module only builds the contents.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cpts_bot.chat.commands import Command, Parameter
from cpts_bot.i18n import Translator

EVENT_TYPE = "org.matrix.msc4391.command_description"
TAIL_PARAMETER = "fi.mau.tail_parameter"


@dataclass(frozen=True)
class CommandDescription:
    """One state event: its state key and content."""

    state_key: str
    content: dict[str, Any]


def client_command(command: Command) -> str:
    """The words a client sends after ``/`` for ``command`` (``mes déclenchements``)."""
    return command.name.replace("-", " ")


def state_key(command_words: str, bot_user_id: str) -> str:
    digest = hashlib.sha256((command_words + bot_user_id).encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii")


def _text(body: str) -> dict[str, Any]:
    return {"m.text": [{"body": body}]}


def _parameter(parameter: Parameter, translator: Translator) -> dict[str, Any]:
    described: dict[str, Any] = {
        "key": parameter.key,
        "schema": {"schema_type": "primitive", "type": parameter.type},
        "description": _text(translator.gettext(parameter.description)),
    }
    if parameter.optional:
        described["optional"] = True
    return described


def describe(
    commands: Iterable[Command], translator: Translator, bot_user_id: str
) -> list[CommandDescription]:
    """The state events for every published command, in the territory's language."""
    described = []
    for command in sorted(commands, key=lambda c: c.name):
        if not command.published:
            continue
        words = client_command(command)
        content: dict[str, Any] = {
            "command": words,
            "description": _text(translator.gettext(command.help)),
        }
        if command.parameters:
            content["parameters"] = [_parameter(p, translator) for p in command.parameters]
            last = command.parameters[-1]
            if last.type == "string":
                content[TAIL_PARAMETER] = last.key
        described.append(CommandDescription(state_key(words, bot_user_id), content))
    return described
