"""The ``| key: value`` fields of an alert line, read and checked (pure).

« alerte urgent: Canicule | quand: demain 8h | pour: tous, IDE | jusqu'au: 15 décembre
| rappel: 30 min » and « modifier alerte 12 quand: lundi 9h | texte: ... ». Every
mistake is a :class:`Problem` naming what was not understood.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from cpts_bot.core.catalog_marks import N_
from cpts_bot.core.profession_words import profession_code
from cpts_bot.core.text_normalizer import fold
from cpts_bot.features.alerts.cron import ScheduleError
from cpts_bot.features.alerts.models import AlertFields, Problem, problem
from cpts_bot.features.alerts.phrases import LEVEL_WORDS
from cpts_bot.features.alerts.schedule_words import parse_schedule, parse_until

FIELD_KEYS = {
    "quand": "when",
    "when": "when",
    "pour": "audience",
    "for": "audience",
    "a": "audience",
    "jusqu'au": "until",
    "jusqu'a": "until",
    "jusqu": "until",
    "until": "until",
    "fin": "until",
    "rappel": "reminder",
    "reminder": "reminder",
    "niveau": "level",
    "level": "level",
    "texte": "text",
    "text": "text",
}
ALL_WORDS = {"tous", "tout le monde", "toutes", "alertes", "all", "everyone"}
DUTY_WORDS = {"gardes", "garde", "astreintes", "astreinte", "duty"}
COORDINATION_WORDS = {"coordination", "coordinateurs", "coordinatrices"}
_REMINDER = re.compile(r"^(\d+)\s*(min|minutes?|mn|h|heures?)$")
UNKNOWN_LEVEL = N_("Unknown level « {word} »: info, important or urgent.")


def _schedule_problem(error: ScheduleError) -> Problem:
    return problem(error.message_id, {"detail": error.detail})


def parse_audience(text: str, duty_professions: Iterable[str]) -> list[str] | Problem:
    """ "tous", "gardes", "coordination", "IDE, MK" -> audience codes."""
    codes: list[str] = []
    duty = list(duty_professions)
    # A duty room's key ("IDE", "infirmier", "10") and any word of the vocabulary for
    # that profession ("infirmières", "IDEL") name the same audience.
    professions = {key.lower(): key for key in duty}
    by_code = {profession_code(key): key for key in duty if profession_code(key)}
    for raw in re.split(r"\s*(?:,|\bet\b|\+)\s*", fold(text, keep_positions=True).strip()):
        word = raw.strip(" .")
        if not word:
            continue
        if word in ALL_WORDS:
            codes.append("alerts")
        elif word in DUTY_WORDS:
            codes.append("duty")
        elif word in COORDINATION_WORDS:
            codes.append("coordination")
        elif word in professions:
            codes.append(f"profession:{professions[word]}")
        elif profession_code(word) in by_code:
            codes.append(f"profession:{by_code[profession_code(word)]}")
        else:
            known = ", ".join(["tous", "gardes", "coordination", *duty])
            return problem(
                N_("Unknown audience « {word} ». Choose among: {known}."),
                {"word": raw, "known": known},
            )
    if not codes:
        return problem(
            N_("For whom? Add « pour: tous » (or gardes, coordination, a profession)."), {}
        )
    return list(dict.fromkeys(codes))


def parse_fields(segments: Iterable[str]) -> dict[str, str] | Problem:
    """``key: value`` segments after the alert's text."""
    fields: dict[str, str] = {}
    for segment in segments:
        segment = segment.strip()
        if not segment:
            continue
        match = re.match(
            r"^\s*([a-z']+)\s*(?:au|a)?\s*:\s*(.*)$", fold(segment, keep_positions=True), re.S
        )
        key = FIELD_KEYS.get(match.group(1)) if match else None
        if match is None or key is None:
            return problem(
                N_(
                    "I do not understand « {segment} ». Use quand:, pour:, jusqu'au:,"
                    " rappel:, niveau: or texte:."
                ),
                {"segment": segment},
            )
        # Values keep the user's own spelling (accents) for the text.
        fields[key] = segment[segment.index(":") + 1 :].strip()
    return fields


def _reminder_minutes(words: str) -> int | Problem:
    match = _REMINDER.match(fold(words, keep_positions=True).strip().replace(" ", ""))
    if not match:
        return problem(
            N_("Reminder delay not understood « {word} »: e.g. « rappel: 30 min »."),
            {"word": words},
        )
    amount = int(match.group(1))
    return amount * 60 if match.group(2).startswith("h") else amount


def interpret_fields(
    fields: dict[str, str], duty_professions: Iterable[str], now: datetime
) -> AlertFields | Problem:
    """The fields' values, checked; the first problem found otherwise."""
    values: dict[str, object] = {}
    if "text" in fields:
        values["text"] = fields["text"]
    if "level" in fields:
        level = LEVEL_WORDS.get(fold(fields["level"], keep_positions=True).strip())
        if level is None:
            return problem(UNKNOWN_LEVEL, {"word": fields["level"]})
        values["level"] = level
    if "audience" in fields:
        audience = parse_audience(fields["audience"], duty_professions)
        if isinstance(audience, Problem):
            return audience
        values["audience"] = audience
    if "when" in fields:
        schedule = parse_schedule(fields["when"], now)
        if isinstance(schedule, ScheduleError):
            return _schedule_problem(schedule)
        values["schedule"] = schedule
        values["schedule_words"] = fields["when"]
    if "until" in fields:
        until = parse_until(fields["until"], now)
        if isinstance(until, ScheduleError):
            return _schedule_problem(until)
        values["expires_at"] = until
    if "reminder" in fields:
        minutes = _reminder_minutes(fields["reminder"])
        if isinstance(minutes, Problem):
            return minutes
        values["reminder_minutes"] = minutes
    return AlertFields(**values)  # type: ignore[arg-type]


def interpret_creation(
    level_word: str | None, rest: str, duty_professions: Iterable[str], now: datetime
) -> AlertFields | Problem:
    """A new alert's text and fields (level, audience « tous » and « maintenant » by
    default), checked: an alert that would end before it is posted is a problem."""
    level = LEVEL_WORDS.get(level_word or "info")
    if level is None:
        return problem(UNKNOWN_LEVEL, {"word": level_word})
    text, *segments = rest.split("|")
    if not text.strip():
        return problem(N_("The alert has no text."), {})
    fields = parse_fields(segments)
    if isinstance(fields, Problem):
        return fields
    fields.setdefault("when", "maintenant")
    fields.setdefault("audience", "tous")
    interpreted = interpret_fields(fields, duty_professions, now)
    if isinstance(interpreted, Problem):
        return interpreted
    schedule = interpreted.schedule
    assert schedule is not None
    if interpreted.expires_at and schedule.kind == "once" and schedule.at:
        if schedule.at >= interpreted.expires_at:
            return problem(N_("The alert would end before it is posted."), {})
    return AlertFields(
        text=text.strip(),
        level=interpreted.level if "level" in fields and interpreted.level else level,
        audience=interpreted.audience,
        schedule=schedule,
        schedule_words=interpreted.schedule_words or "",
        expires_at=interpreted.expires_at,
        reminder_minutes=interpreted.reminder_minutes,
    )
