"""« garde du 24/12 nuit IDE Hyères : Mme Martin »: a coordinator fills a duty with
nobody (its professional on leave, or none in the rota)."""

from __future__ import annotations

from cpts_bot.chat.command_table import command_table, row
from cpts_bot.chat.commands import Audience, Command, CommandCall, Topic
from cpts_bot.features.rota.duty_fill_phrases import FILL_PATTERNS, DutyFill, parse_fill
from cpts_bot.features.rota.duty_fill_service import fill_duty
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context, ProfessionalLookup

# Above the rota's questions and the swap phrases: « garde du … : nom » is neither.
SPECIFICITY = 16


def duty_fill_commands(directory: ProfessionalLookup) -> tuple[Command, ...]:
    def read(text: str, context: Context) -> object:
        return parse_fill(text, context.now)

    async def handle(call: CommandCall) -> None:
        if not isinstance(call.value, DutyFill):  # no profession, or an unreadable date
            await call.reply(call.value.render(call.context.translator))
            return
        context = call.context
        deps = context.with_directory(directory)
        await fill_duty(deps, call.message.sender, call.value)

    return command_table(
        row(
            "garde-a-pourvoir",
            read,
            62,
            N_("give a duty with nobody to someone"),
            N_("garde du 24/12 nuit IDE {commune} : Mme Martin"),
            handler=handle,
            patterns=FILL_PATTERNS,
            published=False,
        ),
        topic=Topic.DUTY,
        audience=Audience.COORDINATOR,
        specificity=SPECIFICITY,
    )
