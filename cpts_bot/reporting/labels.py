"""Names of categories, outcomes and levels shown in reports, through the translator."""

from __future__ import annotations

from cpts_bot.core.profession_words import profession_label as short_label
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_

CATEGORY_LABELS = {
    "orientation": N_("Orientation"),
    "directory": N_("Directory"),
    "duty": N_("On duty"),
    "unscheduled_care": N_("Unscheduled care"),
    "dispatch": N_("Dispatch"),
    "alert": N_("Alert"),
    "update": N_("Update"),
    "handoff": N_("Hand-off"),
    "other": N_("Other"),
}
OUTCOME_LABELS = {
    "answered": N_("answered"),
    "nothing_found": N_("nothing found"),
    "handed_off": N_("handed off"),
    "handoff_answered": N_("answered by the coordination"),
    "dispatch_open": N_("open"),
    "dispatch_taken": N_("taken"),
    "dispatch_expired": N_("expired"),
    "dispatch_cancelled": N_("cancelled"),
    "dispatch_completed": N_("completed"),
    "posted": N_("posted"),
    "refused": N_("refused"),
}
LEVEL_LABELS = {
    "info": N_("info"),
    "important": N_("important"),
    "urgent": N_("urgent"),
}
UNKNOWN_LABEL = N_("not given")


def category_label(code: str, translator: Translator) -> str:
    return translator.gettext(CATEGORY_LABELS[code]) if code in CATEGORY_LABELS else code


def outcome_label(code: str, translator: Translator) -> str:
    return translator.gettext(OUTCOME_LABELS[code]) if code in OUTCOME_LABELS else code


def level_label(code: str, translator: Translator) -> str:
    return translator.gettext(LEVEL_LABELS[code]) if code in LEVEL_LABELS else code


def value_label(code: str, translator: Translator) -> str:
    """A profession or commune code; "?" (not given) in words."""
    return translator.gettext(UNKNOWN_LABEL) if code == "?" else code


def profession_label(code: str, translator: Translator) -> str:
    """A profession code of the tracking table ("60", or "10,70") in words ("IDE")."""
    if code == "?":
        return value_label(code, translator)
    return ", ".join(short_label(part, translator.language) for part in code.split(","))
