"""Which waiting patient to offer to which GP with room. Pure: values in, offers out.

Nearness comes in tiers: the same commune, then the neighbouring communes (those of
rooms.yaml, plus the desk's own list), then the same department, then the rest of the
territory. A request reaches farther tiers as it waits (``reach``), so that the GPs of
its own commune see it first.

Each GP with places left and no offer pending is offered one request, the best for them:
first the patients matching the priorities the GP declared (if any), then priority
patients, then the nearest, then those who have waited longest. Several GPs may be
offered the same request: the first to accept takes it (the database decides).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

from cpts_bot.features.medecin_traitant.models import PatientRequest, Priority
from cpts_bot.features.medecin_traitant.policy import MedecinTraitantPolicy
from cpts_bot.features.medecin_traitant.states import RequestState


class Tier(IntEnum):
    SAME_COMMUNE = 0
    NEIGHBOUR = 1
    DEPARTMENT = 2
    TERRITORY = 3


def department(insee: str) -> str:
    """The department of an INSEE commune code: "69259" -> "69", "97411" -> "974"."""
    return insee[:3] if insee.startswith("97") else insee[:2]


@dataclass(frozen=True)
class Proximity:
    """Which communes are neighbours (symmetric), from the territory and the desk's list."""

    neighbours: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, pairs: Mapping[str, Iterable[str]]) -> Proximity:
        table: dict[str, set[str]] = {}
        for commune, around in pairs.items():
            for other in around:
                if other != commune:
                    table.setdefault(commune, set()).add(other)
                    table.setdefault(other, set()).add(commune)
        return cls({commune: frozenset(around) for commune, around in table.items()})

    def tier(self, gp_communes: Iterable[str], commune: str) -> Tier:
        """How near the nearest of ``gp_communes`` is to ``commune``."""
        communes = set(gp_communes)
        if commune in communes:
            return Tier.SAME_COMMUNE
        if communes & self.neighbours.get(commune, frozenset()):
            return Tier.NEIGHBOUR
        if department(commune) in {department(c) for c in communes}:
            return Tier.DEPARTMENT
        return Tier.TERRITORY


def reach(request: PatientRequest, now: datetime, policy: MedecinTraitantPolicy) -> Tier:
    """The farthest tier ``request`` is offered to at ``now``."""
    waited = now - request.created_at
    if waited >= policy.widen_to_territory_after:
        return Tier.TERRITORY
    if waited >= policy.widen_to_neighbours_after:
        return Tier.NEIGHBOUR
    return Tier.SAME_COMMUNE


@dataclass(frozen=True)
class FreeGp:
    """A GP as matching sees them: where they practise, places left, declared priorities,
    and whether an offer to them is pending."""

    user_id: str
    communes: frozenset[str]
    places: int
    priorities: frozenset[Priority] = frozenset()
    busy: bool = False


@dataclass(frozen=True)
class Offer:
    request_id: int
    user_id: str
    tier: Tier


def offer_order(
    request: PatientRequest, gp: FreeGp, tier: Tier
) -> tuple[int, int, int, datetime, int]:
    """Smaller is offered first to ``gp``."""
    wanted = 0 if not gp.priorities or gp.priorities & request.priorities else 1
    return (wanted, 0 if request.is_priority else 1, int(tier), request.created_at, request.id)


def plan_offers(
    requests: Iterable[PatientRequest],
    gps: Iterable[FreeGp],
    closed: set[tuple[int, str]],
    now: datetime,
    policy: MedecinTraitantPolicy,
    proximity: Proximity,
) -> list[Offer]:
    """One offer per GP with places left and nothing pending: the best waiting request
    within reach that this GP has not already answered (``closed``: (request id, GP))."""
    waiting = [r for r in requests if r.state is RequestState.WAITING]
    offers: list[Offer] = []
    for gp in sorted(gps, key=lambda g: g.user_id):
        if gp.busy or gp.places <= 0:
            continue
        best: tuple[tuple[int, int, int, datetime, int], Offer] | None = None
        for request in waiting:
            if (request.id, gp.user_id) in closed or request.referrer == gp.user_id:
                continue
            tier = proximity.tier(gp.communes, request.commune)
            if tier > reach(request, now, policy):
                continue
            key = offer_order(request, gp, tier)
            if best is None or key < best[0]:
                best = (key, Offer(request.id, gp.user_id, tier))
        if best is not None:
            offers.append(best[1])
    return offers


def due_escalations(
    requests: Iterable[PatientRequest], now: datetime, policy: MedecinTraitantPolicy
) -> list[PatientRequest]:
    """Waiting requests that have waited ``notify_coordination_after`` and were not yet
    brought to the coordination, oldest first."""
    due = [
        r
        for r in requests
        if r.state is RequestState.WAITING
        and r.escalated_at is None
        and now - r.created_at >= policy.notify_coordination_after
    ]
    return sorted(due, key=lambda r: (r.created_at, r.id))
