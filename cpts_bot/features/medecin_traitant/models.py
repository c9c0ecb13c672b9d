"""Patients waiting for a médecin traitant and GPs with room, as the core sees them.

What is shared about a patient is coarse on purpose: the commune, an age band and the
priority criteria. The exact words the referrer typed (and any contact details) are
private: they go to the GP who accepts, and nowhere else.

A GP's room is a declaration ("je peux prendre 3 nouveaux patients ce mois-ci"); the
places left are computed from it and the placements made since, so they can never drift
from what actually happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from cpts_bot.core.times import PARIS
from cpts_bot.features.medecin_traitant.states import RequestState

# The outbox correlation of every message about a request: ``medtrait:<id>:<kind>:<target>``.
CORRELATION_PREFIX = "medtrait:"


class Priority(StrEnum):
    """Criteria that put a patient ahead in the queue."""

    ALD = "ald"  # affection de longue durée
    AGE = "age"  # 70 years or older (configurable), or declared as such
    C2S = "c2s"  # complémentaire santé solidaire
    PREGNANCY = "pregnancy"
    DISABILITY = "disability"
    HOSPITAL_DISCHARGE = "hospital_discharge"


PRIORITY_ORDER = tuple(Priority)

AGE_BANDS = ((0, 17), (18, 39), (40, 59), (60, 69), (70, 79))
TOP_BAND = "80+"


def age_band(age: int) -> str:
    """The band shared instead of the age: 78 -> "70-79", 85 -> "80+"."""
    if age < 0:
        raise ValueError("an age cannot be negative")
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return TOP_BAND


def join_priorities(priorities: Iterable[Priority]) -> str:
    """Stored form, in a fixed order: "ald,age"."""
    chosen = set(priorities)
    return ",".join(p.value for p in PRIORITY_ORDER if p in chosen)


def split_priorities(text: str) -> frozenset[Priority]:
    return frozenset(Priority(part) for part in text.split(",") if part)


@dataclass(frozen=True)
class PatientRequest:
    """A patient in need of a médecin traitant, without identity."""

    id: int
    state: RequestState
    commune: str  # INSEE code
    age_band: str
    priorities: frozenset[Priority]
    referrer: str
    referrer_room: str
    created_at: datetime
    updated_at: datetime
    placed_with: str | None = None
    placed_at: datetime | None = None
    cancelled_at: datetime | None = None
    escalated_at: datetime | None = None

    @property
    def is_priority(self) -> bool:
        return bool(self.priorities)

    def waited_days(self, now: datetime) -> float:
        end = self.placed_at or self.cancelled_at or now
        return (end - self.created_at).total_seconds() / 86400


class CapacityScope(StrEnum):
    """How long a declared number of places holds."""

    ONCE = "once"  # "je peux prendre 3 nouveaux patients": until they are taken
    THIS_MONTH = "this_month"  # "... ce mois-ci": until the end of the month
    EVERY_MONTH = "every_month"  # "... par mois": renewed on the 1st


@dataclass(frozen=True)
class GpRoom:
    """A GP's latest declaration of room for new patients."""

    user_id: str
    capacity: int
    scope: CapacityScope
    accepting: bool
    declared_at: datetime
    priorities: frozenset[Priority] = frozenset()
    reminders: bool = True
    last_reminded_at: datetime | None = None


def _month_of(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(PARIS)
    return local.year, local.month


def month_start(moment: datetime) -> datetime:
    """Midnight on the 1st of ``moment``'s month, Paris time, as UTC."""
    local = moment.astimezone(PARIS)
    return datetime(local.year, local.month, 1, tzinfo=PARIS).astimezone(UTC)


def places_left(room: GpRoom, placements: Iterable[datetime], now: datetime) -> int:
    """The places ``room`` still offers at ``now``, given the GP's placements (when each
    patient was placed with them). Never negative, never more than declared."""
    if not room.accepting or room.capacity <= 0 or now < room.declared_at:
        return 0
    since = room.declared_at
    if room.scope is CapacityScope.THIS_MONTH and _month_of(now) != _month_of(room.declared_at):
        return 0
    if room.scope is CapacityScope.EVERY_MONTH:
        since = max(since, month_start(now))
    used = sum(1 for at in placements if since <= at <= now)
    return max(0, room.capacity - used)


def confirmed(room: GpRoom, placements: Iterable[datetime], now: datetime) -> GpRoom:
    """The declaration after « je confirme » at ``now``: the same room, dated ``now``. A
    month's places are renewed for the new month; otherwise the places left are kept (a
    confirmation never gives back places already taken)."""
    if room.scope is CapacityScope.EVERY_MONTH:
        return room
    if room.scope is CapacityScope.THIS_MONTH and _month_of(now) != _month_of(room.declared_at):
        capacity = room.capacity
    else:
        capacity = places_left(room, placements, now)
    return GpRoom(
        user_id=room.user_id,
        capacity=capacity,
        scope=room.scope,
        accepting=room.accepting and capacity > 0,
        declared_at=now,
        priorities=room.priorities,
        reminders=room.reminders,
        last_reminded_at=room.last_reminded_at,
    )


def reminder_moment(now: datetime, day: int, hour: int) -> datetime:
    """This month's reminder time (``day`` at ``hour``, Paris), as UTC."""
    local = now.astimezone(PARIS)
    return datetime(local.year, local.month, day, hour, tzinfo=PARIS).astimezone(UTC)


def needs_reminder(room: GpRoom, now: datetime, day: int, hour: int) -> bool:
    """Is this month's « do you still have room? » owed to ``room``'s GP at ``now``? Once a
    month, from ``day`` at ``hour``, unless they opted out or declared since."""
    moment = reminder_moment(now, day, hour)
    if not room.reminders or now < moment or room.declared_at >= moment:
        return False
    return room.last_reminded_at is None or room.last_reminded_at < moment
