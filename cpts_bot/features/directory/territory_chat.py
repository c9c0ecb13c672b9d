"""« territoire »: the communes the CPTS covers (the worked example of
docs/architecture.md, "adding a command in five minutes")."""

from __future__ import annotations

import re

from cpts_bot.chat.command_table import command_table, row
from cpts_bot.chat.commands import CommandCall, Topic
from cpts_bot.i18n.translator import N_


async def list_communes(call: CommandCall) -> None:
    territory = call.context.config.territory
    names = ", ".join(commune.name for commune in territory.communes)
    await call.reply(
        call.context.translator.ngettext(
            "{territory} covers {count} commune: {names}.",
            "{territory} covers {count} communes: {names}.",
            len(territory.communes),
            territory=territory.name,
            names=names,
        )
    )


TERRITORY_COMMANDS = command_table(
    row(
        "territoire",
        re.compile(r"^!?(?:territoire|communes|quelles\s+communes)\s*[?!.]*$"),
        55,
        N_("the communes of the territory"),
        N_("territoire"),
        handler=list_communes,
    ),
    topic=Topic.DIRECTORY,
)
