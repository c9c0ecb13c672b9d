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

A request that names the patient's usual professional asks them alone first: the chain
of that dispatch starts with a ``widen_from_usual`` step after ``usual_first_minutes``
(default 30; ``usual_first_urgent_minutes``, default 10, when the request is urgent),
which asks the professionals the request fits; the configured steps follow. The
dispatch expires that much later too. ``reminders`` (see :class:`ReminderPolicy`): a
taken dispatch not marked done reminds its taker, then the coordination.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cpts_bot.core.times import configured_delay
from cpts_bot.features.dispatch.fair_order import AskOrder


class EscalationAction(StrEnum):
    WIDEN_TO_NEIGHBOURS = "widen_to_neighbours"  # add members of the neighbouring communes
    ALL_PROFESSION = "all_profession"  # add every active member of the profession
    NOTIFY_COORDINATION = "notify_coordination"  # tell the coordination room
    # Added by the bot before the configured steps when a request names the patient's
    # usual professional: they were asked alone; now ask the ones the request fits.
    WIDEN_FROM_USUAL = "widen_from_usual"


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
        return configured_delay(self.after_seconds, minutes=self.after_minutes or 0)


def _default_steps() -> list[EscalationStep]:
    return [
        EscalationStep(after_minutes=10, action=EscalationAction.WIDEN_TO_NEIGHBOURS),
        EscalationStep(after_minutes=10, action=EscalationAction.ALL_PROFESSION),
        EscalationStep(after_minutes=10, action=EscalationAction.NOTIFY_COORDINATION),
    ]


class ReminderPolicy(BaseModel):
    """Reminders of a taken dispatch not marked done (« fait 42 »).

    The care is due ``done_within_minutes`` after its time (or after it was taken, if
    later); a request for a whole day (« demain ») is due at ``whole_day_due_hour`` (Paris
    time) that day. Past that, the taker is reminded once in their direct chat, and
    ``coordination_after_minutes`` later the coordination room is told."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    done_within_minutes: int = Field(default=120, ge=1, le=7 * 24 * 60)
    done_within_seconds: int | None = Field(default=None, ge=1, le=7 * 24 * 60 * 60)
    coordination_after_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    coordination_after_seconds: int | None = Field(default=None, ge=1, le=7 * 24 * 60 * 60)
    whole_day_due_hour: int = Field(default=20, ge=0, le=23)

    @property
    def done_within(self) -> timedelta:
        return configured_delay(self.done_within_seconds, minutes=self.done_within_minutes)

    @property
    def coordination_after(self) -> timedelta:
        return configured_delay(
            self.coordination_after_seconds, minutes=self.coordination_after_minutes
        )


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
    # The patient's usual professional, when the request names one, is asked alone
    # first; the others this long after (shorter for an urgent request).
    usual_first_minutes: int = Field(default=30, ge=0, le=24 * 60)
    usual_first_urgent_minutes: int = Field(default=10, ge=0, le=24 * 60)
    usual_first_seconds: int | None = Field(default=None, ge=0, le=24 * 60 * 60)
    usual_first_urgent_seconds: int | None = Field(default=None, ge=0, le=24 * 60 * 60)
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    # Among the professionals a request fits equally, who is asked first (fair_order.py):
    # all of them, or the ``ask_at_most`` asked least recently, or in turn.
    order: AskOrder = AskOrder.ALL
    # Ask « le patient est-il informé et d'accord ? » when a request does not say it.
    ask_consent: bool = False
    ask_at_most: int = Field(default=2, ge=1, le=100)

    @field_validator("requesters")
    @classmethod
    def _requesters(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.startswith("@") or ":" not in value:
                raise ValueError(f"{value!r} is not a Matrix user ID such as @name:example.org")
        return values

    @field_validator("escalation")
    @classmethod
    def _configured_steps(cls, steps: list[EscalationStep]) -> list[EscalationStep]:
        for step in steps:
            if step.action is EscalationAction.WIDEN_FROM_USUAL:
                raise ValueError(
                    "widen_from_usual is added by the bot when a request names the usual "
                    "professional: set usual_first_minutes instead"
                )
        return steps

    @model_validator(mode="after")
    def _urgent_not_longer(self) -> DispatchPolicy:
        if self.usual_first_delay(urgent=True) > self.usual_first_delay(urgent=False):
            raise ValueError(
                "usual_first_urgent_minutes (the wait of an urgent request for the usual "
                "professional) must not be longer than usual_first_minutes"
            )
        return self

    def usual_first_delay(self, *, urgent: bool) -> timedelta:
        """How long the usual professional is asked alone (seconds win over minutes)."""
        if urgent:
            return configured_delay(
                self.usual_first_urgent_seconds, minutes=self.usual_first_urgent_minutes
            )
        return configured_delay(self.usual_first_seconds, minutes=self.usual_first_minutes)

    def chain(self, *, usual: bool = False, urgent: bool = False) -> tuple[EscalationStep, ...]:
        """The escalation steps of a dispatch: with a usual professional, the widening
        from them alone comes first."""
        if not usual:
            return tuple(self.escalation)
        seconds = int(self.usual_first_delay(urgent=urgent).total_seconds())
        first = EscalationStep(after_seconds=seconds, action=EscalationAction.WIDEN_FROM_USUAL)
        return (first, *self.escalation)

    def expire_after_for(self, *, usual: bool = False, urgent: bool = False) -> timedelta:
        """How long a new dispatch stays open: the usual professional's time comes first."""
        if not usual:
            return self.expire_after
        return self.expire_after + self.usual_first_delay(urgent=urgent)

    @property
    def expire_after(self) -> timedelta:
        """How long a dispatch stays open after its broadcast (seconds win over minutes)."""
        if self.expire_after_seconds is not None:
            return timedelta(seconds=self.expire_after_seconds)
        return timedelta(minutes=self.expire_after_minutes)

    def step(
        self, index: int, *, usual: bool = False, urgent: bool = False
    ) -> EscalationStep | None:
        """The ``index``-th step of the chain (0 is the first), or None after the last."""
        steps = self.chain(usual=usual, urgent=urgent)
        return steps[index] if 0 <= index < len(steps) else None


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
