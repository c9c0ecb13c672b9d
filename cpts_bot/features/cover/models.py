"""Requests for cover (swaps), and the pure rules around them: which of a person's
duties a phrase means, and which colleagues are free to take it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cpts_bot.core.text_normalizer import fold
from cpts_bot.features.cover.states import SwapState
from cpts_bot.features.rota.duty_rota import Duty, Rota, duties_between, on_leave_during

# The outbox correlation of every message about a request for cover:
# ``swap:<id>:<kind>:<target>``.
CORRELATION_PREFIX = "swap:"
PRECISION_TIME = "time"  # "ma garde du 24/12 20h": the duty at (or over) that hour
PRECISION_DAY = "day"  # "ma garde du 24/12", "samedi": the duty starting that day
PRECISION_PART = "part_of_day"  # "samedi nuit": the duty starting in that part of the day


@dataclass(frozen=True)
class ShiftSwap:
    """A request for cover of one duty occurrence (aware UTC times)."""

    id: int
    state: SwapState
    requester: str
    request_room: str
    profession: str
    communes: tuple[str, ...]
    start: datetime
    end: datetime
    taken_by: str | None
    taken_at: datetime | None
    expires_at: datetime
    created_at: datetime


def swap_as_duty(swap: ShiftSwap) -> Duty:
    """The duty ``swap`` asks cover for, as its requester does it."""
    return Duty(swap.requester, swap.profession, frozenset(swap.communes), swap.start, swap.end)


@dataclass(frozen=True)
class SwapWhen:
    """When the duty meant is: an instant (``time``) or a span (a day, a part of it);
    ``words`` are the words used, to quote back."""

    start: datetime
    end: datetime
    precision: str
    words: str = ""


@dataclass(frozen=True)
class NoDuty:
    """The person has no duty then."""


@dataclass(frozen=True)
class SeveralDuties:
    """The person has several duties then: the phrase must say which."""

    duties: tuple[Duty, ...]


@dataclass(frozen=True)
class AlreadyStarted:
    """The duty meant has already started: too late to ask for cover by chat."""

    duty: Duty


DutyChoice = Duty | NoDuty | SeveralDuties | AlreadyStarted


def pick_duty(duties: Iterable[Duty], when: SwapWhen, now: datetime) -> DutyChoice:
    """The one duty of ``duties`` that ``when`` means.

    An hour means the duty starting at that hour, else the one running then; a day (or a
    part of it) means the duties starting in it, else those running in it."""
    duties = list(duties)
    if when.precision == PRECISION_TIME:
        starting = [d for d in duties if d.start == when.start]
        running = [d for d in duties if d.start <= when.start < d.end]
    else:
        starting = [d for d in duties if when.start <= d.start < when.end]
        running = [d for d in duties if d.start < when.end and when.start < d.end]
    found = _unique(starting or running)
    if not found:
        return NoDuty()
    if len(found) > 1:
        return SeveralDuties(tuple(found))
    if found[0].start <= now:
        return AlreadyStarted(found[0])
    return found[0]


def _unique(duties: list[Duty]) -> list[Duty]:
    seen: list[Duty] = []
    for duty in duties:
        if not any(d.start == duty.start and d.profession == duty.profession for d in seen):
            seen.append(duty)
    return seen


def busy_during(rota: Rota, start: datetime, end: datetime) -> frozenset[str]:
    """Who is on duty (any profession) at some time in [start, end)."""
    return frozenset(duty.user_id for duty in duties_between(rota, start, end))


def free_colleagues(
    rota: Rota, candidates: Iterable[str], start: datetime, end: datetime, requester: str
) -> list[str]:
    """The ``candidates`` free over [start, end): not the requester, not on leave at any
    time of it, not already on duty at an overlapping time; in the order given, once each."""
    busy = busy_during(rota, start, end)
    free: list[str] = []
    for user_id in candidates:
        if user_id == requester or user_id in busy or user_id in free:
            continue
        if on_leave_during(rota.leaves, user_id, start, end):
            continue
        free.append(user_id)
    return free


def rota_members(rota: Rota, profession: str) -> list[str]:
    """Everyone the rota lists for ``profession`` (weekly slots and shifts), once each."""
    found: list[str] = []
    for item in (*rota.slots, *rota.shifts):
        if item.profession == profession and item.user_id not in found:
            found.append(item.user_id)
    return found


def default_deadline(start: datetime, now: datetime, delay: timedelta | None) -> datetime:
    """When an unanswered request ends: the duty's start, or sooner after ``delay``."""
    if delay is None:
        return start
    return min(start, now + delay)


def _name_words(text: str) -> list[str]:
    return [word for word in re.split(r"[^a-z0-9]+", fold(text, keep_positions=True)) if word]


def match_name(typed: str, names: dict[str, str]) -> list[str]:
    """The user ids whose name (``names``: user id -> name) holds every word of
    ``typed`` as a whole word, whatever the case and accents (« martin » finds « Anne
    MARTIN », not « Martinez »)."""
    wanted = _name_words(typed)
    if not wanted:
        return []
    return [
        user_id
        for user_id, name in names.items()
        if name and all(word in _name_words(name) for word in wanted)
    ]
