"""Figures of the médecin-traitant desk: the waiting list now, and one month's activity.

Pure: requests and declarations in, counts out. Nothing here names a patient; a request
is a commune, an age band, priority criteria and times.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cpts_bot.features.medecin_traitant.models import (
    PRIORITY_ORDER,
    CapacityScope,
    GpRoom,
    PatientRequest,
    month_start,
)
from cpts_bot.features.medecin_traitant.states import RequestState

NO_PRIORITY = "none"
WAIT_BANDS = ((0, 7, "under_7"), (7, 30, "7_to_30"), (30, None, "over_30"))


def priority_keys(request: PatientRequest) -> list[str]:
    """The priority criteria of ``request`` (each counts), or ``"none"``."""
    keys = [p.value for p in PRIORITY_ORDER if p in request.priorities]
    return keys or [NO_PRIORITY]


def wait_band(days: float) -> str:
    for low, high, label in WAIT_BANDS:
        if days >= low and (high is None or days < high):
            return label
    return WAIT_BANDS[0][2]


def _sorted(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True)
class WaitingSummary:
    """The waiting list in counts: by commune, by priority criterion, by waiting time."""

    total: int
    priority_total: int
    by_commune: list[tuple[str, int]]
    by_priority: list[tuple[str, int]]
    by_wait: list[tuple[str, int]]
    longest_days: float | None


def waiting_summary(requests: Iterable[PatientRequest], now: datetime) -> WaitingSummary:
    waiting = [r for r in requests if r.state is RequestState.WAITING]
    by_commune = Counter(r.commune for r in waiting)
    by_priority = Counter(key for r in waiting for key in priority_keys(r))
    by_wait = Counter(wait_band(r.waited_days(now)) for r in waiting)
    return WaitingSummary(
        total=len(waiting),
        priority_total=sum(1 for r in waiting if r.is_priority),
        by_commune=_sorted(by_commune),
        by_priority=_sorted(by_priority),
        by_wait=[(label, by_wait[label]) for _low, _high, label in WAIT_BANDS if by_wait[label]],
        longest_days=max((r.waited_days(now) for r in waiting), default=None),
    )


def waiting_longer_than(
    requests: Iterable[PatientRequest],
    now: datetime,
    days: int,
    *,
    priority_only: bool,
) -> list[PatientRequest]:
    """Waiting requests older than ``days`` (priority ones only if asked), longest first."""
    chosen = [
        r
        for r in requests
        if r.state is RequestState.WAITING
        and r.waited_days(now) > days
        and (r.is_priority or not priority_only)
    ]
    return sorted(chosen, key=lambda r: (r.created_at, r.id))


@dataclass(frozen=True)
class BreakdownRow:
    """One commune's (or one priority criterion's) figures for the month."""

    key: str
    received: int
    placed: int
    waiting: int


@dataclass(frozen=True)
class MedecinTraitantFigures:
    received: int
    placed: int
    waiting_at_end: int
    cancelled: int
    median_days_to_placement: float | None
    by_commune: list[BreakdownRow]
    by_priority: list[BreakdownRow]
    gps_with_room: int
    places_declared: int

    @property
    def active(self) -> bool:
        return bool(self.received or self.placed or self.waiting_at_end or self.places_declared)


def _within(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def _waiting_at(request: PatientRequest, end: datetime) -> bool:
    if request.created_at >= end:
        return False
    closed = request.placed_at or request.cancelled_at
    return closed is None or closed >= end


def _breakdown(
    requests: list[PatientRequest], start: datetime, end: datetime, keys_of
) -> list[BreakdownRow]:
    rows: dict[str, list[int]] = {}
    for request in requests:
        marks = (
            _within(request.created_at, start, end),
            _within(request.placed_at, start, end),
            _waiting_at(request, end),
        )
        for key in keys_of(request):
            counts = rows.setdefault(key, [0, 0, 0])
            for index, mark in enumerate(marks):
                counts[index] += int(mark)
    result = [BreakdownRow(key, *counts) for key, counts in rows.items() if any(counts)]
    return sorted(result, key=lambda row: (-row.received, -row.waiting, row.key))


def _offered(room: GpRoom, start: datetime) -> int:
    """The places ``room`` declared for a month starting at ``start`` (0 for a stop)."""
    if not room.accepting or room.capacity <= 0:
        return 0
    if room.scope is CapacityScope.THIS_MONTH and month_start(room.declared_at) < start:
        return 0
    return room.capacity


def declared_places(declarations: Iterable[GpRoom], start: datetime, end: datetime) -> list[int]:
    """The places each GP declared for the month [start, end): the most they offered in
    one declaration in force during it (their last one before ``start``, if it still held,
    and each one made in the month). What happens afterwards in the month (their places
    taken, a « je confirme » with fewer places left, a stop) does not undo a declaration,
    so the figure does not depend on who got which patient, or in which order. A GP with
    no place offered in the month is not counted."""
    before: dict[str, GpRoom] = {}
    during: dict[str, list[GpRoom]] = {}
    for room in sorted(declarations, key=lambda r: r.declared_at):
        if room.declared_at < start:
            before[room.user_id] = room
        elif room.declared_at < end:
            during.setdefault(room.user_id, []).append(room)
    places = []
    for user_id in sorted(before.keys() | during.keys()):
        in_force = ([before[user_id]] if user_id in before else []) + during.get(user_id, [])
        most = max(_offered(room, start) for room in in_force)
        if most > 0:
            places.append(most)
    return places


def month_figures(
    requests: Iterable[PatientRequest],
    declarations: Iterable[GpRoom],
    start: datetime,
    end: datetime,
) -> MedecinTraitantFigures:
    """The month [start, end): requests received, placed, still waiting at its end, the
    median time to placement, by commune and by priority; GPs' declared places."""
    requests = [r for r in requests if r.created_at < end]
    placed = [r for r in requests if _within(r.placed_at, start, end)]
    delays = [
        (r.placed_at - r.created_at) / timedelta(days=1) for r in placed if r.placed_at is not None
    ]
    places = declared_places(declarations, start, end)
    return MedecinTraitantFigures(
        received=sum(1 for r in requests if _within(r.created_at, start, end)),
        placed=len(placed),
        waiting_at_end=sum(1 for r in requests if _waiting_at(r, end)),
        cancelled=sum(1 for r in requests if _within(r.cancelled_at, start, end)),
        median_days_to_placement=statistics.median(delays) if delays else None,
        by_commune=_breakdown(requests, start, end, lambda r: [r.commune]),
        by_priority=_breakdown(requests, start, end, priority_keys),
        gps_with_room=len(places),
        places_declared=sum(places),
    )
