"""When the reminder before a duty is sent. Pure: duties, choices and moments in.

By default the evening before (``day_before_at``, Paris time, the day before the duty
starts); ``hours_before`` instead sends it that long before the start. A person may turn
reminders off or choose their own time the day before. A reminder never falls in the
quiet hours: one planned then moves to their end when that is still before the duty,
else back to their start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.times import PARIS
from cpts_bot.features.rota.quiet_hours import QuietHours, clock_time

# How far ahead duties are read: no reminder is planned earlier than this.
LOOK_AHEAD = timedelta(hours=72)


class DutyReminderPolicy(BaseModel):
    """``duty_reminders`` in rooms.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    day_before_at: time = time(18, 0)
    hours_before: int | None = Field(default=None, ge=1, le=48)
    # The coordination is told when a duty has nobody (its professional on leave),
    # at the same moment the reminder would have gone.
    tell_coordination_when_nobody: bool = True
    # A request for cover nobody answered: its colleagues are reminded this long after
    # they were asked; the coordination is told this long before the duty starts.
    swap_reminder_hours: int | None = Field(default=12, ge=1, le=24 * 14)
    swap_uncovered_hours: int | None = Field(default=24, ge=1, le=24 * 14)
    # The weekly « trous dans le planning » summary: Paris weekday (0 = Monday) and time.
    gaps_weekday: int | None = Field(default=4, ge=0, le=6)
    gaps_at: time = time(10, 0)
    check_every_seconds: float = Field(default=60, ge=0.5, le=3600)

    @field_validator("day_before_at", "gaps_at", mode="before")
    @classmethod
    def _quoted(cls, value: object) -> object:
        return clock_time(value)


@dataclass(frozen=True)
class PersonalChoice:
    """One person's choice (from « rappels de garde … »)."""

    enabled: bool = True
    at: time | None = None


def planned_at(
    start: datetime, policy: DutyReminderPolicy, choice: PersonalChoice | None = None
) -> datetime:
    """When the reminder of a duty starting at ``start`` is planned, before quiet hours."""
    if choice is not None and choice.at is not None:
        day = start.astimezone(PARIS).date() - timedelta(days=1)
        return local_to_utc(day, choice.at)
    if policy.hours_before is not None:
        return start - timedelta(hours=policy.hours_before)
    day = start.astimezone(PARIS).date() - timedelta(days=1)
    return local_to_utc(day, policy.day_before_at)


def reminder_at(
    start: datetime,
    policy: DutyReminderPolicy,
    quiet: QuietHours,
    choice: PersonalChoice | None = None,
) -> datetime:
    """When the reminder is sent: planned, then out of the quiet hours."""
    planned = planned_at(start, policy, choice)
    if not quiet.contains(planned):
        return planned
    after = quiet.ends_after(planned)
    return after if after < start else quiet.began_before(planned) - timedelta(minutes=1)


def may_send(now: datetime, due: datetime, start: datetime, quiet: QuietHours) -> bool:
    """A notice due at ``due`` about a duty starting at ``start`` goes at ``now``: due,
    the duty not begun, and not in quiet hours."""
    return due <= now < start and not quiet.contains(now)
