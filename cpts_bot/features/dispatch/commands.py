"""The dispatch follow-up commands, declared: « mes déclenchements », « statut 42 »,
« annuler 42 », « je ne peux plus 42 », « fait 42 », « relancer 42 »."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cpts_bot.chat.command_table import Row, command_table, row
from cpts_bot.chat.commands import Command, CommandCall, Context, Parameter, Topic
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


def _parser_of(kind: CommandKind) -> Callable[[str, Context], DispatchCommand | None]:
    def parse(text: str, context: Context) -> DispatchCommand | None:
        command = parse_command(text)
        return command if command is not None and command.kind is kind else None

    return parse


def _row(
    kind: CommandKind, name: str, priority: int, help: str, *examples: str, **fields: Any
) -> Row:
    """The row of ``kind``: it reads only that kind, and its own trigger words."""
    return row(
        name, _parser_of(kind), priority, help, *examples, patterns=command_patterns(kind), **fields
    )


DISPATCH_ROWS = (
    _row(
        CommandKind.MY_DISPATCHES,
        "mes-declenchements",
        40,
        N_("the dispatches you asked for or took"),
        N_("mes déclenchements"),
        parameters=(),
    ),
    _row(CommandKind.COMPLETE, "fait", 41, N_("the care is done"), N_("fait 42")),
    _row(
        CommandKind.HAND_BACK,
        "je-ne-peux-plus",
        42,
        N_("hand back a dispatch you took"),
        N_("je ne peux plus 42"),
    ),
    _row(CommandKind.STATUS, "statut", 43, N_("where a dispatch stands"), N_("statut 42")),
    _row(
        CommandKind.RELAUNCH,
        "relancer",
        44,
        N_("ask again when nobody took it"),
        N_("relancer 42"),
    ),
    _row(
        CommandKind.CANCEL,
        "annuler",
        45,
        N_("cancel a dispatch you asked for"),
        N_("annuler 42"),
    ),
)


def dispatch_commands(feature: DispatchFeature) -> tuple[Command, ...]:
    """The declarations; each handler is the feature's own command handling."""

    async def handle(call: CommandCall) -> None:
        deps = feature.deps_for(call.context)
        await feature.run_command(call.value, call.message, deps, call.context)

    return command_table(
        *DISPATCH_ROWS,
        handler=handle,
        topic=Topic.DUTY,
        parameters=(NUMBER,),
        specificity=SPECIFICITY,
    )
