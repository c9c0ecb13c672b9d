"""Matching order and capacity accounting: examples, then properties over random waiting
lists, GPs and placements (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cpts_bot.features.medecin_traitant.gp_matching import (
    FreeGp,
    Proximity,
    Tier,
    department,
    due_escalations,
    offer_order,
    plan_offers,
    reach,
)
from cpts_bot.features.medecin_traitant.models import (
    CapacityScope,
    GpRoom,
    PatientRequest,
    Priority,
    confirmed,
    month_start,
    needs_reminder,
    places_left,
)
from cpts_bot.features.medecin_traitant.policy import MedecinTraitantPolicy
from cpts_bot.features.medecin_traitant.states import RequestState

NOW = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
POLICY = MedecinTraitantPolicy()
COMMUNES = ["69259", "69029", "69388", "69383", "13055"]
PROXIMITY = Proximity.build({"69259": ["69029", "69388"], "69388": ["69383"]})


def request(
    id: int,
    commune: str,
    priorities: set[Priority] = frozenset(),  # type: ignore[assignment]
    age_hours: float = 1,
    state: RequestState = RequestState.WAITING,
) -> PatientRequest:
    created = NOW - timedelta(hours=age_hours)
    return PatientRequest(
        id=id,
        state=state,
        commune=commune,
        age_band="40-59",
        priorities=frozenset(priorities),
        referrer="@pharma:hs",
        referrer_room="!r",
        created_at=created,
        updated_at=created,
    )


def gp(user: str, *communes: str, places: int = 1, busy: bool = False, **kw: object) -> FreeGp:
    return FreeGp(user, frozenset(communes), places, busy=busy, **kw)  # type: ignore[arg-type]


def test_tiers_and_departments() -> None:
    assert department("69259") == "69" and department("97411") == "974"
    assert PROXIMITY.tier({"69259"}, "69259") is Tier.SAME_COMMUNE
    assert PROXIMITY.tier({"69029"}, "69259") is Tier.NEIGHBOUR  # symmetric
    assert PROXIMITY.tier({"69383"}, "69259") is Tier.DEPARTMENT
    assert PROXIMITY.tier({"69383"}, "13055") is Tier.TERRITORY


def test_priority_patient_first_even_if_registered_later() -> None:
    requests = [request(1, "69259", age_hours=5), request(2, "69259", {Priority.ALD}, 1)]
    offers = plan_offers(requests, [gp("@a", "69259")], set(), NOW, POLICY, PROXIMITY)
    assert [(o.request_id, o.user_id) for o in offers] == [(2, "@a")]


def test_nearest_first_and_reach_widens_with_time() -> None:
    requests = [request(1, "69029", age_hours=30), request(2, "69259", age_hours=2)]
    offers = plan_offers(requests, [gp("@a", "69259")], set(), NOW, POLICY, PROXIMITY)
    assert offers[0].request_id == 2 and offers[0].tier is Tier.SAME_COMMUNE
    young_neighbour = [request(3, "69029", age_hours=2)]
    assert plan_offers(young_neighbour, [gp("@a", "69259")], set(), NOW, POLICY, PROXIMITY) == []
    old = [request(3, "69029", age_hours=25)]
    offers = plan_offers(old, [gp("@a", "69259")], set(), NOW, POLICY, PROXIMITY)
    assert offers[0].tier is Tier.NEIGHBOUR
    assert reach(request(4, "x", age_hours=73), NOW, POLICY) is Tier.TERRITORY


def test_gp_declared_priorities_come_before_other_priorities() -> None:
    requests = [request(1, "69259", {Priority.C2S}, 9), request(2, "69259", {Priority.ALD}, 1)]
    ald_gp = gp("@a", "69259", priorities=frozenset({Priority.ALD}))
    offers = plan_offers(requests, [ald_gp], set(), NOW, POLICY, PROXIMITY)
    assert offers[0].request_id == 2


def test_busy_full_closed_and_own_requests_are_not_offered() -> None:
    requests = [request(1, "69259")]
    gps = [
        gp("@busy", "69259", busy=True),
        gp("@full", "69259", places=0),
        gp("@declined", "69259"),
        gp("@pharma:hs", "69259"),
        gp("@free", "69259"),
    ]
    offers = plan_offers(requests, gps, {(1, "@declined")}, NOW, POLICY, PROXIMITY)
    assert [o.user_id for o in offers] == ["@free"]


def test_escalation_is_due_once_after_the_delay() -> None:
    old = request(1, "69259", age_hours=24 * 15)
    young = request(2, "69259", age_hours=24)
    assert due_escalations([old, young], NOW, POLICY) == [old]


# ------------------------------------------------------------------------ properties

requests_strategy = st.lists(
    st.builds(
        request,
        id=st.integers(1, 10_000),
        commune=st.sampled_from(COMMUNES),
        priorities=st.sets(st.sampled_from(list(Priority)), max_size=2),
        age_hours=st.floats(0, 24 * 10),
        state=st.sampled_from(list(RequestState)),
    ),
    max_size=12,
    unique_by=lambda r: r.id,
)
gps_strategy = st.lists(
    st.builds(
        FreeGp,
        user_id=st.sampled_from([f"@gp{i}" for i in range(8)]),
        communes=st.frozensets(st.sampled_from(COMMUNES), min_size=1, max_size=2),
        places=st.integers(0, 3),
        priorities=st.frozensets(st.sampled_from(list(Priority)), max_size=2),
        busy=st.booleans(),
    ),
    max_size=8,
    unique_by=lambda g: g.user_id,
)


@settings(max_examples=300, deadline=None)
@given(requests_strategy, gps_strategy, st.data())
def test_offers_respect_every_rule(
    requests: list[PatientRequest], gps: list[FreeGp], data: st.DataObject
) -> None:
    pairs = [(r.id, g.user_id) for r in requests for g in gps]
    closed = set(data.draw(st.lists(st.sampled_from(pairs), max_size=6))) if pairs else set()
    offers = plan_offers(requests, gps, closed, NOW, POLICY, PROXIMITY)
    by_user = {g.user_id: g for g in gps}
    by_id = {r.id: r for r in requests}
    assert len({o.user_id for o in offers}) == len(offers), "one offer per GP at a time"
    for offer in offers:
        chosen, doctor = by_id[offer.request_id], by_user[offer.user_id]
        assert doctor.places > 0 and not doctor.busy
        assert chosen.state is RequestState.WAITING
        assert (chosen.id, doctor.user_id) not in closed
        assert offer.tier == PROXIMITY.tier(doctor.communes, chosen.commune)
        assert offer.tier <= reach(chosen, NOW, POLICY)
        # No eligible request would have come before the one offered.
        for other in requests:
            tier = PROXIMITY.tier(doctor.communes, other.commune)
            if (
                other.state is RequestState.WAITING
                and (other.id, doctor.user_id) not in closed
                and tier <= reach(other, NOW, POLICY)
            ):
                assert offer_order(chosen, doctor, offer.tier) <= offer_order(other, doctor, tier)
                if not doctor.priorities and other.is_priority:
                    assert chosen.is_priority, "priority patients first"
    free = [
        g
        for g in gps
        if g.places > 0
        and not g.busy
        and any(
            r.state is RequestState.WAITING
            and (r.id, g.user_id) not in closed
            and PROXIMITY.tier(g.communes, r.commune) <= reach(r, NOW, POLICY)
            for r in requests
        )
    ]
    assert len(offers) == len(free), "every GP who could be offered something is"


rooms_strategy = st.builds(
    GpRoom,
    user_id=st.just("@gp"),
    capacity=st.integers(0, 6),
    scope=st.sampled_from(list(CapacityScope)),
    accepting=st.booleans(),
    declared_at=st.datetimes(
        min_value=datetime(2026, 9, 1), max_value=datetime(2026, 11, 15), timezones=st.just(UTC)
    ),
)
moments = st.datetimes(
    min_value=datetime(2026, 9, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(rooms_strategy, st.lists(moments, max_size=8), moments)
def test_places_left_stay_within_bounds_and_each_placement_takes_one(
    room: GpRoom, placements: list[datetime], now: datetime
) -> None:
    left = places_left(room, placements, now)
    assert 0 <= left <= room.capacity
    if not room.accepting:
        assert left == 0
    if left > 0:
        # One more placement now takes exactly one place.
        assert places_left(room, [*placements, now], now) == left - 1
    # A placement before the declaration never counts against it.
    earlier = room.declared_at - timedelta(seconds=1)
    assert places_left(room, [*placements, earlier], now) == left


@settings(max_examples=200, deadline=None)
@given(rooms_strategy, st.lists(moments, max_size=8), moments)
def test_confirming_never_gives_back_places_already_taken(
    room: GpRoom, placements: list[datetime], now: datetime
) -> None:
    assume(now >= room.declared_at)
    placements = [p for p in placements if p <= now]
    renewed = confirmed(room, placements, now)
    before, after = places_left(room, placements, now), places_left(renewed, placements, now)
    new_month = month_start(now) != month_start(room.declared_at)
    if room.scope is CapacityScope.THIS_MONTH and new_month and now >= room.declared_at:
        fresh = replace(room, declared_at=now)
        assert after == places_left(fresh, placements, now), "a new month's places"
    else:
        assert after <= before
    assert renewed.priorities == room.priorities and renewed.reminders == room.reminders


def test_capacity_scopes() -> None:
    declared = datetime(2026, 11, 3, 9, tzinfo=UTC)
    month = GpRoom("@gp", 3, CapacityScope.THIS_MONTH, True, declared)
    assert places_left(month, [declared + timedelta(days=1)], NOW) == 2
    assert places_left(month, [], datetime(2026, 12, 2, tzinfo=UTC)) == 0
    every = GpRoom("@gp", 2, CapacityScope.EVERY_MONTH, True, declared)
    taken = [declared + timedelta(days=1), declared + timedelta(days=2)]
    assert places_left(every, taken, NOW) == 0
    assert places_left(every, taken, datetime(2026, 12, 2, tzinfo=UTC)) == 2
    once = GpRoom("@gp", 2, CapacityScope.ONCE, True, declared)
    assert places_left(once, taken, datetime(2027, 3, 1, tzinfo=UTC)) == 0


def test_reminder_once_a_month_from_the_day_and_hour() -> None:
    room = GpRoom("@gp", 2, CapacityScope.ONCE, True, datetime(2026, 10, 20, tzinfo=UTC))
    first = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 9:30 in Paris
    assert not needs_reminder(room, datetime(2026, 11, 1, 7, 0, tzinfo=UTC), 1, 9)
    assert needs_reminder(room, first, 1, 9)
    reminded = GpRoom("@gp", 2, CapacityScope.ONCE, True, room.declared_at, last_reminded_at=first)
    assert not needs_reminder(reminded, first + timedelta(days=3), 1, 9)
    assert needs_reminder(reminded, datetime(2026, 12, 1, 9, tzinfo=UTC), 1, 9)
    opted_out = GpRoom("@gp", 2, CapacityScope.ONCE, True, room.declared_at, reminders=False)
    assert not needs_reminder(opted_out, first, 1, 9)
    fresh = GpRoom("@gp", 2, CapacityScope.ONCE, True, first + timedelta(hours=1))
    assert not needs_reminder(fresh, first + timedelta(days=2), 1, 9)
