"""The dispatch follow-up commands, declared: « mes déclenchements », « statut 42 »,
« annuler 42 », « je ne peux plus 42 », « fait 42 », « relancer 42 »."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cpts_bot.chat.commands import Command, CommandCall, Context, Parameter, Parser, Topic
from cpts_bot.chat.triggers import derived
from cpts_bot.features.dispatch.command_phrases import (
    CommandKind,
    DispatchCommand,
    command_patterns,
    parse_command,
)
from cpts_bot.i18n.translator import N_

if TYPE_CHECKING:
    from cpts_bot.features.dispatch.chat import DispatchFeature

# A fixed phrase and a number: more specific than free text and the guided exchanges.
SPECIFICITY = 20
NUMBER = Parameter("number", "integer", N_("the dispatch number"))
DECLARED = {
    CommandKind.MY_DISPATCHES: (
        "mes-declenchements",
        N_("the dispatches you asked for or took"),
        (N_("mes déclenchements"),),
        40,
    ),
    CommandKind.COMPLETE: ("fait", N_("the care is done"), (N_("fait 42"),), 41),
    CommandKind.HAND_BACK: (
        "je-ne-peux-plus",
        N_("hand back a dispatch you took"),
        (N_("je ne peux plus 42"),),
        42,
    ),
    CommandKind.STATUS: ("statut", N_("where a dispatch stands"), (N_("statut 42"),), 43),
    CommandKind.RELAUNCH: (
        "relancer",
        N_("ask again when nobody took it"),
        (N_("relancer 42"),),
        44,
    ),
    CommandKind.CANCEL: ("annuler", N_("cancel a dispatch you asked for"), (N_("annuler 42"),), 45),
}


def _parser_of(kind: CommandKind) -> Callable[[str, Context], DispatchCommand | None]:
    def parse(text: str, context: Context) -> DispatchCommand | None:
        command = parse_command(text)
        return command if command is not None and command.kind is kind else None

    return parse


def dispatch_commands(feature: DispatchFeature) -> list[Command]:
    """The declarations; each handler is the feature's own command handling."""

    async def handle(call: CommandCall) -> None:
        deps = feature.deps_for(call.context)
        await feature.run_command(call.value, call.message, deps, call.context)

    declared = []
    for kind, (name, help_text, examples, priority) in DECLARED.items():
        declared.append(
            Command(
                name=name,
                phrase=Parser(_parser_of(kind), SPECIFICITY),
                triggers=derived(*command_patterns(kind)),
                handler=handle,
                help=help_text,
                examples=examples,
                topic=Topic.DUTY,
                priority=priority,
                parameters=() if kind is CommandKind.MY_DISPATCHES else (NUMBER,),
            )
        )
    return declared
