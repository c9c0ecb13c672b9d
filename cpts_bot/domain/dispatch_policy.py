"""How dispatches escalate when nobody accepts: the ``dispatch:`` section of rooms.yaml.

Example::

    dispatch:
      requesters: ["@dr.martin:cpts.example"]   # besides coordinators
      any_member_may_request: false
      expire_after_minutes: 60
      escalation:
        - {after_minutes: 10, action: widen_to_neighbours}
        - {after_minutes: 10, action: all_profession}
        - {after_minutes: 10, action: notify_coordination}

Each step waits ``after_minutes`` after the previous one (or after the broadcast). The
dispatch expires ``expire_after_minutes`` after it was broadcast (or re-opened), and the
requester is told. ``after_seconds`` and ``expire_after_seconds``, when given, are used
instead of the minutes (for trials and tests); ``check_every_seconds`` (default 15) is how
often the bot looks for what is due. ``details_kept_hours`` (default 24): the private
details of a taken dispatch are erased this many hours after it was taken or needed,
whichever is later (a dispatch that ends, by completion, cancellation or expiry, loses
them at once); ``draft_minutes`` (default 30): an unfinished request is forgotten.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class EscalationAction(StrEnum):
    WIDEN_TO_NEIGHBOURS = "widen_to_neighbours"  # add members of the neighbouring communes
    ALL_PROFESSION = "all_profession"  # add every active member of the profession
    NOTIFY_COORDINATION = "notify_coordination"  # tell the coordination room


class EscalationStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    after_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    after_seconds: int | None = Field(default=None, ge=0, le=24 * 60 * 60)
    action: EscalationAction

    @model_validator(mode="after")
    def _delay_given(self) -> EscalationStep:
        if self.after_minutes is None and self.after_seconds is None:
            raise ValueError("an escalation step needs after_minutes (or after_seconds)")
        return self

    @property
    def delay(self) -> timedelta:
        """How long the step waits after the previous one (seconds win over minutes)."""
        if self.after_seconds is not None:
            return timedelta(seconds=self.after_seconds)
        return timedelta(minutes=self.after_minutes or 0)


def _default_steps() -> list[EscalationStep]:
    return [
        EscalationStep(after_minutes=10, action=EscalationAction.WIDEN_TO_NEIGHBOURS),
        EscalationStep(after_minutes=10, action=EscalationAction.ALL_PROFESSION),
        EscalationStep(after_minutes=10, action=EscalationAction.NOTIFY_COORDINATION),
    ]


class DispatchPolicy(BaseModel):
    """Who may create dispatches, and the escalation chain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requesters: list[str] = Field(default_factory=list)
    any_member_may_request: bool = False
    expire_after_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    expire_after_seconds: int | None = Field(default=None, ge=1, le=7 * 24 * 60 * 60)
    check_every_seconds: float = Field(default=15, ge=0.5, le=300)
    escalation: list[EscalationStep] = Field(default_factory=_default_steps)
    draft_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # A taken dispatch's details are erased this long after it was taken or needed
    # (whichever is later); an ended dispatch's at once.
    details_kept_hours: int = Field(default=24, ge=1, le=30 * 24)

    @field_validator("requesters")
    @classmethod
    def _requesters(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.startswith("@") or ":" not in value:
                raise ValueError(f"{value!r} is not a Matrix user ID such as @name:example.org")
        return values

    @property
    def expire_after(self) -> timedelta:
        """How long a dispatch stays open after its broadcast (seconds win over minutes)."""
        if self.expire_after_seconds is not None:
            return timedelta(seconds=self.expire_after_seconds)
        return timedelta(minutes=self.expire_after_minutes)

    def step(self, index: int) -> EscalationStep | None:
        """The ``index``-th escalation step (0 is the first), or None after the last."""
        return self.escalation[index] if 0 <= index < len(self.escalation) else None


def policy_from_config(config: Any) -> DispatchPolicy:
    """The policy of a RoomsConfig (its ``dispatch`` key); duck-typed so that the domain
    does not import the settings module."""
    direct = getattr(config, "dispatch", None)
    if isinstance(direct, DispatchPolicy):
        return direct
    extra = getattr(config, "extra", None) or {}
    raw = extra.get("dispatch") if isinstance(extra, dict) else None
    if isinstance(raw, DispatchPolicy):
        return raw
    return DispatchPolicy.model_validate(raw or {})
