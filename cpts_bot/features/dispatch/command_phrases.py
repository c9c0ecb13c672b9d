"""The dispatch commands said in a message: « mes déclenchements », « statut 42 »,
« annuler 42 », « je ne peux plus 42 », « fait 42 », « relancer 42 », « annuler »; and
in English « my dispatches », « status 42 », « cancel 42 », « I can no longer go 42 »,
« done 42 », « relaunch 42 », « cancel ». Pure: text in, a command out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cpts_bot.core.text_normalizer import fold


class CommandKind(StrEnum):
    MY_DISPATCHES = "my_dispatches"
    STATUS = "status"
    CANCEL = "cancel"
    HAND_BACK = "hand_back"
    COMPLETE = "complete"
    RELAUNCH = "relaunch"
    CANCEL_DRAFT = "cancel_draft"


@dataclass(frozen=True)
class DispatchCommand:
    kind: CommandKind
    dispatch_id: int | None = None


_COMMANDS: tuple[tuple[re.Pattern[str], CommandKind], ...] = (
    (
        re.compile(
            r"^(?:mes\s+(?:declenchements?|dispatchs?|demandes?)(?:\s+en\s+cours)?"
            r"|my\s+dispatch(?:es)?)\s*$"
        ),
        CommandKind.MY_DISPATCHES,
    ),
    (
        re.compile(
            r"^(?:statut|etat|suivi|ou\s+en\s+est|status(?:\s+of)?)\s+"
            r"(?:du\s+|le\s+|la\s+demande\s+)?(?:declenchement\s+|dispatch\s+)?"
            r"(?:n[o°]?\.?\s*)?#?(\d+)\s*$"
        ),
        CommandKind.STATUS,
    ),
    (
        re.compile(
            r"^(?:annuler?|cancel)\s+(?:le\s+)?(?:declenchement\s+|dispatch\s+)?"
            r"(?:n[o°]?\.?\s*)?#?(\d+)\s*$"
        ),
        CommandKind.CANCEL,
    ),
    (
        re.compile(
            r"^(?:(?:je\s+ne\s+peux\s+plus|j'?\s?peux\s+plus|je\s+peux\s+plus)"
            r"(?:\s+(?:assurer|faire|prendre))?|je\s+me\s+desiste|je\s+rends|desistement"
            r"|i\s+can\s+no\s+longer(?:\s+(?:go|do|take))?(?:\s+it)?|hand\s+back)"
            r"\s*(?:le\s+|la\s+|pour\s+(?:le\s+)?)?(?:declenchement\s+|dispatch\s+)?#?(\d+)\s*$"
        ),
        CommandKind.HAND_BACK,
    ),
    (
        re.compile(r"^(?:fait|termine|realise|clos|clore|done|completed?|finished)\s+#?(\d+)\s*$"),
        CommandKind.COMPLETE,
    ),
    (
        re.compile(
            r"^(?:relancer?|relaunch|ask\s+again)\s+(?:le\s+)?(?:declenchement\s+|dispatch\s+)?"
            r"#?(\d+)\s*$"
        ),
        CommandKind.RELAUNCH,
    ),
    (
        re.compile(r"^(?:annuler?|stop|laisse\s+tomber|abandon(?:ner)?|cancel|drop\s+it)\s*$"),
        CommandKind.CANCEL_DRAFT,
    ),
)


def command_patterns(kind: CommandKind) -> tuple[re.Pattern[str], ...]:
    """The patterns a command of ``kind`` matches (the router's trigger words)."""
    return tuple(pattern for pattern, of in _COMMANDS if of is kind)


def parse_command(text: str) -> DispatchCommand | None:
    """One of the dispatch commands ("mes déclenchements", "statut 42", "annuler 42",
    "je ne peux plus 42", "fait 42", "relancer 42", "annuler"), or None."""
    cleaned = re.sub(r"[!.?]+\s*$", "", fold(text, keep_positions=True).strip())
    cleaned = re.sub(r"\s+", " ", cleaned)
    for pattern, kind in _COMMANDS:
        match = pattern.match(cleaned)
        if match:
            number = int(match.group(1)) if match.groups() else None
            return DispatchCommand(kind, number)
    return None
