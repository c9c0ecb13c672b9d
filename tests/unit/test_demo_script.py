"""The demo's scripted conversation is well formed, and its dispatch request is complete
and ahead of the clock whenever the demo is played."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.times import PARIS
from cpts_bot.devtools.demo_scenes import (
    DEMO_USERS,
    DIRECT,
    GROUP_ROOMS,
    SCENES,
    Expect,
    React,
    ReplyTo,
    Say,
    Scene,
    cover_day,
    demo_script,
    dispatch_request,
)
from cpts_bot.devtools.demo_setup import (
    DEMO_CARDS,
    GROUP_MEMBERS,
    SAMPLE_TERRITORY,
    demo_directory,
    demo_rota,
)
from cpts_bot.features.dispatch.phrases import is_dispatch_request, parse_request
from cpts_bot.settings import RoomsConfig

GAZETTEER = PlaceIndex.from_territory(
    RoomsConfig.model_validate(
        {**yaml.safe_load(SAMPLE_TERRITORY.read_text("utf-8")), "coordinators": ["@c:x.org"]}
    ).territory
)
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


def test_every_step_names_a_demo_user_a_known_room_and_an_earlier_message() -> None:
    named: set[str] = set()
    script = demo_script(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), tuple(SCENES))
    for step in script:
        if isinstance(step, Scene):
            continue
        assert step.who in DEMO_USERS
        if isinstance(step, (Say, Expect)):
            assert step.room == DIRECT or step.room in GROUP_ROOMS
            if step.room == "alerts":
                assert step.who in GROUP_MEMBERS["alerts"] or step.who == "demo-coord"
        if isinstance(step, (ReplyTo, React)):
            assert step.message in named, f"{step.message} is not named before it is answered"
        if isinstance(step, Say) and "{" in step.text:
            assert step.text.format(**dict.fromkeys(named, "1")), step.text
        if isinstance(step, Expect) and step.name:
            named.add(step.name)
    kinds = {type(step) for step in script}
    assert kinds == {Scene, Say, ReplyTo, React, Expect}


def test_every_demo_account_but_the_coordinator_has_a_card_and_nobody_else_a_matrix_id() -> None:
    """Only the demo's own accounts can be written to: no colleague out of reach."""
    users = {name: f"@{name}:localhost" for name in DEMO_USERS}
    rows = list(csv.DictReader(io.StringIO(demo_directory(users))))
    holders = {row["matrix_id"]: row for row in rows if row["matrix_id"]}
    assert set(holders) == {users[name] for name in DEMO_CARDS}
    assert set(DEMO_USERS) - set(DEMO_CARDS) == {"demo-coord"}
    assert holders[users["demo-gp"]]["profession_code"] == "10"
    assert holders[users["demo-pharma"]]["profession_code"] == "21"
    nurses = [users["demo-nurse"], users["demo-nurse2"]]
    assert {holders[nurse]["profession_code"] for nurse in nurses} == {"60"}
    # Both nurses are on duty every night; only the first by day (the second covers).
    rota = demo_rota(users).splitlines()[1:]
    nights = {line.split(";")[1] for line in rota if ";20:00;08:00;" in line}
    days = {line.split(";")[1] for line in rota if ";08:00;20:00;" in line}
    assert nights == set(nurses) and days == {users["demo-nurse"]}


@settings(deadline=None)  # the first call builds the phrase tables: slow on a busy machine
@given(MOMENTS)
def test_the_dispatch_request_is_complete_and_ahead_of_now(now: datetime) -> None:
    text = dispatch_request(now)
    assert is_dispatch_request(text)
    fields = parse_request(text, now, GAZETTEER)
    assert fields.missing() == [], (text, fields)
    assert fields.time_error is None
    assert fields.needed_at is not None and datetime.fromisoformat(fields.needed_at) > now
    assert fields.communes == ["69388"]
    assert "Lilas" in fields.details and "Lilas" not in (fields.what or "")


@settings(deadline=None)
@given(MOMENTS)
def test_no_run_of_the_swaps_hands_over_the_duty_the_tour_dispatches_to(now: datetime) -> None:
    """Played again on the same state, the tour's dispatch still goes to the day nurse: no
    run's cover request (swaps) is for the day of its « demain 8h »."""
    needed_at = parse_request(dispatch_request(now), now, GAZETTEER).needed_at
    assert needed_at is not None
    dispatched = datetime.fromisoformat(needed_at).astimezone(PARIS).date()
    covered = {cover_day(now, run).date() for run in range(1, 4)}
    assert dispatched not in covered
