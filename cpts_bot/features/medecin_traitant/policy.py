"""How the médecin-traitant desk offers requests: the ``medecin_traitant:`` section of
rooms.yaml.

Example::

    medecin_traitant:
      offer_expire_after_hours: 48           # an offer to a GP lapses after this
      widen_to_neighbours_after_hours: 24    # then GPs of the neighbouring communes
      widen_to_territory_after_hours: 72     # then the department, then the territory
      notify_coordination_after_days: 14     # still waiting: the coordination room is told
      priority_age: 70                       # this age and above is a priority
      neighbours: {"69259": ["69388"]}       # besides the communes' own ``neighbours``
      reminder_day: 1                        # GPs are asked to confirm their room monthly
      reminder_hour: 9

For trials and tests, the ``*_seconds`` keys replace the hours and days when given.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from cpts_bot.core.times import configured_delay


class MedecinTraitantPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    offer_expire_after_hours: int = Field(default=48, ge=1, le=24 * 30)
    offer_expire_after_seconds: int | None = Field(default=None, ge=1)
    widen_to_neighbours_after_hours: int = Field(default=24, ge=0, le=24 * 365)
    widen_to_neighbours_after_seconds: int | None = Field(default=None, ge=0)
    widen_to_territory_after_hours: int = Field(default=72, ge=0, le=24 * 365)
    widen_to_territory_after_seconds: int | None = Field(default=None, ge=0)
    notify_coordination_after_days: int = Field(default=14, ge=0, le=365)
    notify_coordination_after_seconds: int | None = Field(default=None, ge=0)
    check_every_seconds: float = Field(default=60, ge=0.5, le=3600)
    priority_age: int = Field(default=70, ge=0, le=120)
    neighbours: dict[str, list[str]] = Field(default_factory=dict)
    reminder_day: int = Field(default=1, ge=1, le=28)
    reminder_hour: int = Field(default=9, ge=0, le=23)

    @property
    def offer_expire_after(self) -> timedelta:
        return configured_delay(
            self.offer_expire_after_seconds, hours=self.offer_expire_after_hours
        )

    @property
    def widen_to_neighbours_after(self) -> timedelta:
        return configured_delay(
            self.widen_to_neighbours_after_seconds, hours=self.widen_to_neighbours_after_hours
        )

    @property
    def widen_to_territory_after(self) -> timedelta:
        return configured_delay(
            self.widen_to_territory_after_seconds, hours=self.widen_to_territory_after_hours
        )

    @property
    def notify_coordination_after(self) -> timedelta:
        return configured_delay(
            self.notify_coordination_after_seconds, hours=self.notify_coordination_after_days * 24
        )
