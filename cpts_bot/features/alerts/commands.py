"""The alert commands, declared: each phrase is read by the domain
(:mod:`cpts_bot.features.alerts.phrases`) into a typed command, and the router checks
the audience (the coordination) once. The « oui / non » to a draft is not a command but
the pending exchange of the draft's follow-up (see :mod:`cpts_bot.features.alerts.chat`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cpts_bot.chat.command_table import command_table, row
from cpts_bot.chat.commands import (
    Audience,
    Command,
    CommandCall,
    Context,
    Parameter,
    Topic,
)
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


# Only the words that start every message of a command are published.
ALERT_ROWS = (
    row(
        "alerte",
        _parser_of(AlertCommandKind.CREATE),
        80,
        N_("create an alert"),
        N_("alerte urgent: Canicule niveau 3 | quand: demain 8h | pour: tous"),
        published=True,
        parameters=(Parameter("alert", "string", N_("the alert and its fields")),),
    ),
    row(
        "alertes",
        _parser_of(AlertCommandKind.LIST),
        81,
        N_("the alerts in force"),
        N_("alertes"),
        published=True,
    ),
    row(
        "voir alerte",
        _parser_of(AlertCommandKind.SHOW),
        82,
        N_("one alert and its history"),
        N_("alerte 12"),
    ),
    row(
        "gerer alerte",
        _parser_of(*MANAGE_KINDS),
        83,
        N_("pause, resume, cancel or change an alert"),
        N_("pause alerte 12"),
        N_("reprendre alerte 12"),
        N_("annuler alerte 12"),
        N_("modifier alerte 12 quand: lundi 9h"),
    ),
    row(
        "qui a lu",
        _parser_of(AlertCommandKind.WHO_READ),
        84,
        N_("who acknowledged an alert"),
        N_("qui a lu l'alerte 12 ?"),
    ),
    row(
        "nouvelle alerte",
        _parser_of(AlertCommandKind.USAGE),
        85,
        N_("how to write an alert"),
        N_("nouvelle alerte"),
        published=True,
    ),
)


def alert_commands(run: Handler) -> tuple[Command, ...]:
    """The declarations; ``run`` handles every alert command."""
    return command_table(
        *ALERT_ROWS,
        handler=run,
        patterns=ALERT_PATTERNS,
        topic=Topic.ALERTS,
        audience=Audience.COORDINATOR,
        published=False,
        specificity=SPECIFICITY,
    )
