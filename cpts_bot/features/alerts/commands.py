"""The alert commands, declared: each phrase is read by the domain
(:mod:`cpts_bot.features.alerts.phrases`) into a typed command, and the router checks
the audience (the coordination) once. The « oui / non » to a draft is not a command but
the pending exchange of the draft's follow-up (see :mod:`cpts_bot.features.alerts.chat`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cpts_bot.chat.commands import (
    Audience,
    Command,
    CommandCall,
    Context,
    Parameter,
    Parser,
    Topic,
)
from cpts_bot.chat.triggers import derived
from cpts_bot.features.alerts.phrases import (
    ALERT_PATTERNS,
    MANAGE_KINDS,
    AlertCommand,
    AlertCommandKind,
    parse_alert_command,
)
from cpts_bot.i18n.translator import N_

# Fixed words and a number: above the dispatch commands (« annuler 42 ») and free text.
SPECIFICITY = 30

Handler = Callable[[CommandCall], Awaitable[bool | None]]


def _parser_of(*kinds: AlertCommandKind) -> Callable[[str, Context], AlertCommand | None]:
    def parse(text: str, _context: Context) -> AlertCommand | None:
        command = parse_alert_command(text)
        return command if command is not None and command.kind in kinds else None

    return parse


# kind -> (name, help, examples, priority, published)
DECLARED: dict[tuple[AlertCommandKind, ...], tuple[str, str, tuple[str, ...], int, bool]] = {
    (AlertCommandKind.CREATE,): (
        "alerte",
        N_("create an alert"),
        (N_("alerte urgent: Canicule niveau 3 | quand: demain 8h | pour: tous"),),
        80,
        True,
    ),
    (AlertCommandKind.LIST,): ("alertes", N_("the alerts in force"), (N_("alertes"),), 81, True),
    (AlertCommandKind.SHOW,): (
        "voir alerte",
        N_("one alert and its history"),
        (N_("alerte 12"),),
        82,
        False,
    ),
    MANAGE_KINDS: (
        "gerer alerte",
        N_("pause, resume, cancel or change an alert"),
        (
            N_("pause alerte 12"),
            N_("reprendre alerte 12"),
            N_("annuler alerte 12"),
            N_("modifier alerte 12 quand: lundi 9h"),
        ),
        83,
        False,
    ),
    (AlertCommandKind.WHO_READ,): (
        "qui a lu",
        N_("who acknowledged an alert"),
        (N_("qui a lu l'alerte 12 ?"),),
        84,
        False,
    ),
    (AlertCommandKind.USAGE,): (
        "nouvelle alerte",
        N_("how to write an alert"),
        (N_("nouvelle alerte"),),
        85,
        True,
    ),
}


def alert_commands(run: Handler) -> list[Command]:
    """The declarations; ``run`` handles every alert command."""
    declared = []
    for kinds, (name, help_text, examples, priority, published) in DECLARED.items():
        parameters: tuple[Any, ...] = ()
        if name == "alerte":
            parameters = (Parameter("alert", "string", N_("the alert and its fields")),)
        declared.append(
            Command(
                name=name,
                phrase=Parser(_parser_of(*kinds), SPECIFICITY),
                handler=run,
                help=help_text,
                examples=examples,
                topic=Topic.ALERTS,
                audience=Audience.COORDINATOR,
                priority=priority,
                # Only the words that start every message of the command are published.
                published=published,
                parameters=parameters,
                triggers=derived(*ALERT_PATTERNS),
            )
        )
    return declared
