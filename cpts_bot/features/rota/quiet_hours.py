"""Quiet hours: the night during which the bot sends no reminder (an urgent dispatch
excepted). Paris wall-clock times; a start after the end spans midnight (21:00–08:00);
a start equal to the end means no quiet hours at all. Pure: moments are passed in."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, field_validator

from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.times import PARIS


class QuietHours(BaseModel):
    """``quiet_hours`` in rooms.yaml (default 21:00–08:00, Europe/Paris)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time = time(21, 0)
    end: time = time(8, 0)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _quoted(cls, value: object) -> object:
        return clock_time(value)

    @property
    def never(self) -> bool:
        return self.start == self.end

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) falls in the quiet hours."""
        if self.never:
            return False
        local = moment.astimezone(PARIS).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def ends_after(self, moment: datetime) -> datetime:
        """When the quiet period containing ``moment`` ends (``moment`` if not quiet)."""
        if not self.contains(moment):
            return moment
        day = moment.astimezone(PARIS).date()
        end = local_to_utc(day, self.end)
        return end if end > moment else local_to_utc(day + timedelta(days=1), self.end)

    def began_before(self, moment: datetime) -> datetime:
        """When the quiet period containing ``moment`` began (``moment`` if not quiet)."""
        if not self.contains(moment):
            return moment
        day = moment.astimezone(PARIS).date()
        start = local_to_utc(day, self.start)
        return start if start <= moment else local_to_utc(day - timedelta(days=1), self.start)


def clock_time(value: object) -> object:
    """A clock time as rooms.yaml gives it: YAML reads an unquoted 21:00 as a number."""
    if isinstance(value, int):
        raise ValueError('write the time in quotes, such as "21:00"')
    return value
