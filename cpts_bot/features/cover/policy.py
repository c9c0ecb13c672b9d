"""Swaps and cover: the ``swaps:`` section of rooms.yaml.

Example::

    swaps:
      expire_after_minutes: 720   # an unanswered request ends after 12 h (default: at the
                                  # start of the duty)
      check_every_seconds: 60     # how often deadlines are looked for

A request nobody took ends at the start of the duty, or ``expire_after_minutes`` after
it was sent when that comes first; the requester and the coordination are then told.
``expire_after_seconds``, when given, is used instead (trials and tests).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field


class SwapPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    expire_after_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 60)
    expire_after_seconds: int | None = Field(default=None, ge=1, le=60 * 60 * 24 * 60)
    check_every_seconds: float = Field(default=60, ge=0.5, le=3600)

    @property
    def expire_after(self) -> timedelta | None:
        """How long a request waits at most (None: until the duty starts)."""
        if self.expire_after_seconds is not None:
            return timedelta(seconds=self.expire_after_seconds)
        if self.expire_after_minutes is not None:
            return timedelta(minutes=self.expire_after_minutes)
        return None
