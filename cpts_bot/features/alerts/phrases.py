"""What people write about alerts, read into typed commands (pure: no I/O, no clock).

- coordinators: « alerte urgent: Canicule | quand: demain 8h | pour: tous », « alertes »,
  « alerte 12 », « pause / reprendre / annuler / modifier alerte 12 ... »,
  « qui a lu l'alerte 12 ? », and « oui » / « non » to the alert they just described;
- readers: « plus tard » (or 💤) to an alert or to its reminder snoozes their reminder.

Matching is done on the folded text (lower case, no accents, same length), and values
(the alert's text) are cut from the original so they keep their accents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cpts_bot.core.text_normalizer import fold

LEVEL_WORDS = {
    "info": "info",
    "information": "info",
    "important": "important",
    "importante": "important",
    "urgent": "urgent",
    "urgente": "urgent",
}


class AlertCommandKind(StrEnum):
    CREATE = "create"
    USAGE = "usage"
    LIST = "list"
    SHOW = "show"
    WHO_READ = "who_read"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    EDIT = "edit"


MANAGE_KINDS = (
    AlertCommandKind.PAUSE,
    AlertCommandKind.RESUME,
    AlertCommandKind.CANCEL,
    AlertCommandKind.EDIT,
)


@dataclass(frozen=True)
class AlertCommand:
    """One alert command. ``rest``: for CREATE, the text and its ``| key: value`` fields;
    for EDIT, the fields (original spelling). ``level_word``: the level as typed."""

    kind: AlertCommandKind
    alert_id: int | None = None
    level_word: str | None = None
    rest: str = ""


_LEVEL_ALT = "info|information|importante?|urgente?"
_CREATE = re.compile(
    r"^\s*!?alerte\b\s*([a-z]*)\s*:\s*(.+)$"
    rf"|^\s*!?alerte\s+({_LEVEL_ALT})\s+([^\s:].*)$",
    re.S,
)
_USAGE = re.compile(
    rf"^\s*!?(?:alerte|(?:nouvelle|creer\s+une|faire\s+une|rediger\s+une)\s+alerte)"
    rf"(?:\s+(?:{_LEVEL_ALT}))?\s*[?!.]*$"
)
# « envoie une alerte canicule à tout le monde demain 8h »: the fields said in words.
_SAID = re.compile(
    r"^\s*(?:(?:envoie|envoyer|envoyez|lance|lancer|diffuse|diffuser)\s+)?(?:une\s+|l'\s?)?"
    rf"alerte\s+(?:({_LEVEL_ALT})\s+)?(?P<text>[^:|]+?)"
    r"(?P<before>\s+(?:demain|aujourd'hui|a\s+partir\s+d|ce\s+(?:soir|matin|midi)|maintenant|des\s+maintenant"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|chaque|le\s+\d|a\s+\d|\d{1,2}\s*h)"
    r"[^:|]*?)?\s+(?:a|pour|aux?)\s+"
    r"(?P<who>tout\s+le\s+monde|tous(?:\s+les\s+[a-z-]+)?|les\s+[a-z-]+|gardes|coordination)"
    r"(?P<when>(?:\s+[^:|]+)?)\s*[.!]*$"
)
_EVERYONE = re.compile(r"^(?:tout\s+le\s+monde|tous)$")
_SHOW = re.compile(r"^\s*!?alerte\s+(?:n\s*[o°]?\s*)?(\d+)\s*[?.!]*\s*$")
_LIST = re.compile(
    r"^\s*!?(?:(?:mes\s+|les\s+|voir\s+les\s+)?alertes|liste\s+des\s+alertes|alerts)\s*[?.!]*\s*$"
)
_MANAGE = re.compile(
    r"^\s*!?(pause|suspendre|reprendre|annuler|supprimer|arreter|modifier|changer)"
    r"\s+(?:l\s*'?\s*)?alerte\s+(?:n\s*[o°]?\s*)?(\d+)\s*(.*)$",
    re.S,
)
_WHO_READ = re.compile(
    r"^\s*(?:qui\s+a\s+lu|qui\s+a\s+vu|lecture(?:\s+de)?|lu\s+par)\s+(?:l\s*'?\s*)?alerte"
    r"\s+(?:n\s*[o°]?\s*)?(\d+)"
)
# Every alert command matches one of these (the router's trigger words come from them).
ALERT_PATTERNS = (_CREATE, _USAGE, _LIST, _SHOW, _WHO_READ, _MANAGE)
_VERBS = {
    "pause": AlertCommandKind.PAUSE,
    "suspendre": AlertCommandKind.PAUSE,
    "reprendre": AlertCommandKind.RESUME,
    "annuler": AlertCommandKind.CANCEL,
    "supprimer": AlertCommandKind.CANCEL,
    "arreter": AlertCommandKind.CANCEL,
    "modifier": AlertCommandKind.EDIT,
    "changer": AlertCommandKind.EDIT,
}


def parse_alert_command(text: str) -> AlertCommand | None:
    """One of the coordinators' alert commands, or None."""
    original = text.strip()
    folded = fold(original, keep_positions=True)
    if said := _SAID.match(folded):
        return _said(original, said)
    match = _CREATE.match(folded)
    if match:
        text_group = 2 if match.group(2) is not None else 4
        level_word = match.group(1) if text_group == 2 else match.group(3)
        return AlertCommand(
            AlertCommandKind.CREATE, level_word=level_word, rest=original[match.start(text_group) :]
        )
    if _USAGE.match(folded):
        return AlertCommand(AlertCommandKind.USAGE)
    if _LIST.match(folded):
        return AlertCommand(AlertCommandKind.LIST)
    if match := _SHOW.match(folded):
        return AlertCommand(AlertCommandKind.SHOW, int(match.group(1)))
    if match := _WHO_READ.match(folded):
        return AlertCommand(AlertCommandKind.WHO_READ, int(match.group(1)))
    if match := _MANAGE.match(folded):
        rest = original[match.start(3) :] if match.group(3) else ""
        return AlertCommand(_VERBS[match.group(1)], int(match.group(2)), rest=rest)
    return None


def _said(original: str, match: re.Match[str]) -> AlertCommand:
    """An alert whose fields were said in words, as its ``| key: value`` form."""
    who = re.sub(r"^(?:tous\s+)?les\s+", "", match.group("who"))
    fields = [original[match.start("text") : match.end("text")]]
    for when in ("before", "when"):
        if (match.group(when) or "").strip():
            fields.append("quand: " + original[match.start(when) : match.end(when)].strip())
    fields.append("pour: " + ("tous" if _EVERYONE.match(who) else who))
    return AlertCommand(AlertCommandKind.CREATE, level_word=match.group(1), rest=" | ".join(fields))


# ------------------------------------------------------------------ the draft's « oui / non »


class DraftAnswer(StrEnum):
    CONFIRM = "confirm"
    DROP = "drop"


_YES = {"oui", "o", "ok", "yes", "confirmer", "je confirme", "valider"}
_NO = {"non", "no", "annuler", "abandonner"}


def parse_draft_answer(text: str) -> DraftAnswer | None:
    """« oui » / « non » (and their equivalents) to an alert being drafted, or None."""
    answer = fold(text, keep_positions=True).strip().strip(" !.")
    if answer in _YES:
        return DraftAnswer.CONFIRM
    if answer in _NO:
        return DraftAnswer.DROP
    return None


# ------------------------------------------------------------------ readers: « plus tard »

_SNOOZE = re.compile(
    r"^\s*(?:(?:rappel(?:le|ez)[\s-]*(?:le[\s-]*)?moi\s+)?plus\s+tard"
    r"|(?:remind\s+me\s+)?later|snooze|pas\s+maintenant)\s*[!.]*\s*$"
)
SNOOZE_REACTIONS = frozenset({"💤", "⏰"})


def is_snooze(text: str) -> bool:
    """« plus tard », « rappelle-moi plus tard », « later », « remind me later »..."""
    return _SNOOZE.match(fold(text, keep_positions=True)) is not None


def is_snooze_reaction(key: str) -> bool:
    """A reaction that asks to be reminded later rather than acknowledging (💤, ⏰)."""
    return key.replace("\ufe0f", "").strip() in SNOOZE_REACTIONS
