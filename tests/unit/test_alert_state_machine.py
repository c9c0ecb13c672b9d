"""The alert transition table, exhaustively: every allowed move, and every other raises
a StateError; the repository applies it with a conditional update."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.core.errors import StateError
from cpts_bot.core.state_table import IllegalTransition
from cpts_bot.features.alerts import repository as repo
from cpts_bot.features.alerts.models import AlertFields
from cpts_bot.features.alerts.schedule import Schedule
from cpts_bot.features.alerts.states import (
    HISTORY_ACTIONS,
    OVER_STATES,
    TABLE,
    TERMINAL_STATES,
    AlertEvent,
    AlertState,
)
from cpts_bot.storage.database import Database

S, E = AlertState, AlertEvent

EXPECTED = {
    (None, E.DRAFT): S.DRAFT,
    (S.DRAFT, E.CONFIRM): S.ACTIVE,
    (S.DRAFT, E.DROP): S.CANCELLED,
    (S.ACTIVE, E.PAUSE): S.PAUSED,
    (S.ACTIVE, E.EDIT): S.ACTIVE,
    (S.ACTIVE, E.FINISH): S.FINISHED,
    (S.ACTIVE, E.EXPIRE): S.EXPIRED,
    (S.ACTIVE, E.CANCEL): S.CANCELLED,
    (S.PAUSED, E.RESUME): S.ACTIVE,
    (S.PAUSED, E.EDIT): S.PAUSED,
    (S.PAUSED, E.EXPIRE): S.EXPIRED,
    (S.PAUSED, E.CANCEL): S.CANCELLED,
    (S.FINISHED, E.EDIT): S.FINISHED,
    (S.FINISHED, E.REACTIVATE): S.ACTIVE,
    (S.FINISHED, E.EXPIRE): S.EXPIRED,
    (S.FINISHED, E.CANCEL): S.CANCELLED,
    (S.EXPIRED, E.EDIT): S.EXPIRED,
    (S.EXPIRED, E.REACTIVATE): S.ACTIVE,
}
ALL_PAIRS = list(itertools.product([None, *AlertState], AlertEvent))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_the_six_states_are_stored_as_before() -> None:
    # The values are the ``alerts.status`` CHECK of migration 0005: no migration needed.
    assert {state.value for state in AlertState} == {
        "draft",
        "active",
        "paused",
        "finished",
        "expired",
        "cancelled",
    }


def test_the_table_is_exactly_the_documented_one() -> None:
    assert TABLE.transitions == EXPECTED


@pytest.mark.parametrize(("state", "event"), list(EXPECTED))
def test_every_allowed_transition(state: AlertState | None, event: AlertEvent) -> None:
    assert TABLE.next_state(state, event) is EXPECTED[(state, event)]
    assert event in TABLE.allowed_events(state)


@pytest.mark.parametrize(("state", "event"), [pair for pair in ALL_PAIRS if pair not in EXPECTED])
def test_every_other_transition_raises(state: AlertState | None, event: AlertEvent) -> None:
    with pytest.raises(IllegalTransition) as raised:
        TABLE.next_state(state, event)
    assert isinstance(raised.value, StateError)
    assert raised.value.state == state and raised.value.event == event
    assert event not in TABLE.allowed_events(state)


def test_cancelled_is_terminal_and_over_states_cannot_be_paused() -> None:
    for state in TERMINAL_STATES:
        assert TABLE.allowed_events(state) == frozenset()
    for state in OVER_STATES:
        assert E.PAUSE not in TABLE.allowed_events(state) and E.RESUME not in TABLE.allowed_events(
            state
        )


def test_every_event_has_a_history_word() -> None:
    assert set(HISTORY_ACTIONS) == set(AlertEvent)


async def test_the_repository_applies_a_transition_once(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        async with database.transaction() as db:
            fields = AlertFields(
                text="Canicule",
                level="urgent",
                audience=["alerts"],
                schedule=Schedule("once", at=NOW + timedelta(hours=1)),
                schedule_words="dans 1 h",
            )
            alert_id = await repo.create_draft(db, fields, "@coord:x", "!dm:x", NOW)
            draft = await repo.get_alert(db, alert_id)
            assert draft is not None and draft.status is S.DRAFT
            assert await repo.apply_event(db, draft, E.CONFIRM, "@coord:x", NOW) is S.ACTIVE
            # The same (now stale) draft cannot be confirmed twice: the stored status
            # moved, and a lost race is a value (None), not an exception.
            assert await repo.apply_event(db, draft, E.CONFIRM, "@coord:x", NOW) is None
            active = await repo.get_alert(db, alert_id)
            assert active is not None and active.status is S.ACTIVE
            # A forbidden move changes nothing.
            with pytest.raises(StateError):
                await repo.apply_event(db, active, E.RESUME, "@coord:x", NOW)
            history = [row["action"] for row in await repo.alert_history(db, alert_id)]
            assert history == ["drafted", "confirmed"]
    finally:
        await database.close()
