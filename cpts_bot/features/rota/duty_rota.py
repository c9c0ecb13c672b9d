"""The duty rota: who is on duty (garde, astreinte, permanence) at a given instant.

A professional has weekly slots ("every Monday 18h-20h, nurses, Hyères") and one-off
shifts ("24 December 20h to 25 December 8h"), and leave periods during which they are
never on duty. Weekly slots are wall-clock times in Europe/Paris: "Monday 18h-20h" is
18h-20h in Paris in winter and in summer; a slot whose end is not after its start ends
the next day (20h-8h). A weekly slot may follow the public holidays ("dimanches et jours
fériés", see :mod:`cpts_bot.features.rota.holiday_slots`): the rota carries the territory's
holiday calendar. Everything returned is aware UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.public_holidays import GENERAL_CALENDAR, HolidayCalendar
from cpts_bot.core.times import PARIS
from cpts_bot.features.rota.holiday_slots import HolidayRule, runs_on


@dataclass(frozen=True)
class WeeklySlot:
    """Every ``weekday`` (0 = Monday) from ``start`` to ``end`` (Paris wall-clock);
    ``holidays`` says what public holidays change (with ``ONLY``, the weekday is unused)."""

    user_id: str
    profession: str
    communes: frozenset[str]
    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None  # inclusive: the last day a slot may start
    slot_id: int | None = None
    name: str = ""
    holidays: HolidayRule = HolidayRule.WEEKDAY

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")


@dataclass(frozen=True)
class OneOffShift:
    """One shift from ``start`` to ``end`` (aware UTC, end exclusive)."""

    user_id: str
    profession: str
    communes: frozenset[str]
    start: datetime
    end: datetime
    shift_id: int | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a shift must end after it starts")


@dataclass(frozen=True)
class Leave:
    """A professional is away from ``start`` to ``end`` (aware UTC, end exclusive)."""

    user_id: str
    start: datetime
    end: datetime
    leave_id: int | None = None

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Duty:
    """One occurrence of duty: who, which profession and communes, from when to when."""

    user_id: str
    profession: str
    communes: frozenset[str]
    start: datetime
    end: datetime
    name: str = ""

    def covers_commune(self, commune: str | None) -> bool:
        """An empty commune set means the whole territory."""
        return commune is None or not self.communes or commune in self.communes


@dataclass(frozen=True)
class Handover:
    """``to_user`` does ``from_user``'s duty of ``profession`` starting at ``start`` (a
    swap taken, or a coordinator's override)."""

    from_user: str
    to_user: str
    profession: str
    start: datetime
    end: datetime
    to_name: str = ""

    def applies_to(self, duty: Duty) -> bool:
        return (
            duty.user_id == self.from_user
            and duty.profession == self.profession
            and duty.start == self.start
        )


@dataclass(frozen=True)
class Rota:
    slots: tuple[WeeklySlot, ...] = ()
    shifts: tuple[OneOffShift, ...] = ()
    leaves: tuple[Leave, ...] = ()
    handovers: tuple[Handover, ...] = ()  # in the order they were made
    calendar: HolidayCalendar = GENERAL_CALENDAR  # the territory's public holidays


def _slot_days(
    slot: WeeklySlot, first_day: date, last_day: date, calendar: HolidayCalendar
) -> Iterator[date]:
    """The days from ``first_day`` to ``last_day`` on which ``slot`` starts."""
    if slot.holidays is HolidayRule.WEEKDAY:
        day = first_day + timedelta(days=(slot.weekday - first_day.weekday()) % 7)
        step = timedelta(days=7)
    else:
        day, step = first_day, timedelta(days=1)
    while day <= last_day:
        if runs_on(slot.weekday, slot.holidays, day, calendar):
            yield day
        day += step


def slot_occurrences(
    slot: WeeklySlot,
    start: datetime,
    end: datetime,
    calendar: HolidayCalendar = GENERAL_CALENDAR,
) -> list[Duty]:
    """The occurrences of ``slot`` that overlap [start, end)."""
    occurrences = []
    # A slot starting the day before ``start`` may run past midnight into the window.
    first_day = start.astimezone(PARIS).date() - timedelta(days=1)
    last_day = end.astimezone(PARIS).date()
    for day in _slot_days(slot, first_day, last_day, calendar):
        if (slot.valid_from is None or day >= slot.valid_from) and (
            slot.valid_until is None or day <= slot.valid_until
        ):
            begins = local_to_utc(day, slot.start)
            end_day = day if slot.end > slot.start else day + timedelta(days=1)
            finishes = local_to_utc(end_day, slot.end)
            if begins < end and start < finishes:
                occurrences.append(
                    Duty(slot.user_id, slot.profession, slot.communes, begins, finishes, slot.name)
                )
    return occurrences


def duties_between(rota: Rota, start: datetime, end: datetime) -> list[Duty]:
    """Every duty overlapping [start, end), leave not taken into account, by start time."""
    duties: list[Duty] = []
    for slot in rota.slots:
        duties.extend(slot_occurrences(slot, start, end, rota.calendar))
    for shift in rota.shifts:
        if shift.start < end and start < shift.end:
            duties.append(
                Duty(
                    shift.user_id,
                    shift.profession,
                    shift.communes,
                    shift.start,
                    shift.end,
                    shift.name,
                )
            )
    duties = [hand_over(duty, rota.handovers) for duty in duties]
    return sorted(duties, key=lambda duty: (duty.start, duty.user_id))


def hand_over(duty: Duty, handovers: Iterable[Handover]) -> Duty:
    """``duty`` as the handovers made it, in order (A to B, then B to C: C does it)."""
    for handover in handovers:
        if handover.applies_to(duty):
            duty = replace(duty, user_id=handover.to_user, name=handover.to_name)
    return duty


def is_on_leave(leaves: Iterable[Leave], user_id: str, moment: datetime) -> bool:
    return any(leave.user_id == user_id and leave.covers(moment) for leave in leaves)


def on_leave_during(leaves: Iterable[Leave], user_id: str, start: datetime, end: datetime) -> bool:
    return any(leave.user_id == user_id and leave.overlaps(start, end) for leave in leaves)


def on_duty_at(
    rota: Rota,
    moment: datetime,
    profession: str | None = None,
    commune: str | None = None,
) -> list[Duty]:
    """Who is on duty at ``moment`` (for ``profession`` in ``commune`` when given);
    professionals on leave at that moment are left out."""
    moment = moment.astimezone(UTC)
    found = []
    for duty in duties_between(rota, moment, moment + timedelta(microseconds=1)):
        if profession is not None and duty.profession != profession:
            continue
        if not duty.covers_commune(commune):
            continue
        if is_on_leave(rota.leaves, duty.user_id, moment):
            continue
        found.append(duty)
    return _one_per_user(found)


def on_duty_during(
    rota: Rota,
    start: datetime,
    end: datetime,
    profession: str | None = None,
    commune: str | None = None,
) -> list[Duty]:
    """Every duty overlapping [start, end) for ``profession`` in ``commune``; a duty is
    left out when its professional is on leave for the whole of it."""
    found = []
    for duty in duties_between(rota, start, end):
        if profession is not None and duty.profession != profession:
            continue
        if not duty.covers_commune(commune):
            continue
        if _leave_covers_whole(rota.leaves, duty):
            continue
        found.append(duty)
    return found


def _leave_covers_whole(leaves: Iterable[Leave], duty: Duty) -> bool:
    return any(
        leave.user_id == duty.user_id and leave.start <= duty.start and duty.end <= leave.end
        for leave in leaves
    )


def duties_of(rota: Rota, user_id: str, start: datetime, end: datetime) -> list[Duty]:
    """``user_id``'s duties overlapping [start, end), those wholly during leave left out."""
    return [
        duty
        for duty in duties_between(rota, start, end)
        if duty.user_id == user_id and not _leave_covers_whole(rota.leaves, duty)
    ]


def _one_per_user(duties: list[Duty]) -> list[Duty]:
    seen: set[str] = set()
    unique = []
    for duty in duties:
        if duty.user_id not in seen:
            seen.add(duty.user_id)
            unique.append(duty)
    return unique
