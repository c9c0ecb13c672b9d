"""The hand-off's transition table, exhaustively; the state stored rows are in; and the
repository applying it (a post recorded once, one first answer)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.core.errors import StateError
from cpts_bot.core.state_table import IllegalTransition
from cpts_bot.features.handoff import repository as repo
from cpts_bot.features.handoff.models import Handoff, handoff_id_of, quoted
from cpts_bot.features.handoff.states import (
    TABLE,
    HandoffEvent,
    HandoffState,
    state_of,
)
from cpts_bot.storage.database import Database

S, E = HandoffState, HandoffEvent
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

EXPECTED = {
    (None, E.CREATE): S.ASKED,
    (S.ASKED, E.POST): S.POSTED,
    (S.POSTED, E.ANSWER): S.ANSWERED,
    (S.ANSWERED, E.ANSWER): S.ANSWERED,
}
ALL_PAIRS = list(itertools.product([None, *HandoffState], HandoffEvent))


def test_the_table_is_exactly_the_documented_one() -> None:
    assert TABLE.transitions == EXPECTED


@pytest.mark.parametrize(("state", "event"), list(EXPECTED))
def test_every_allowed_transition(state: HandoffState | None, event: HandoffEvent) -> None:
    assert TABLE.next_state(state, event) is EXPECTED[(state, event)]
    assert event in TABLE.allowed_events(state)


@pytest.mark.parametrize(("state", "event"), [pair for pair in ALL_PAIRS if pair not in EXPECTED])
def test_every_other_transition_raises(state: HandoffState | None, event: HandoffEvent) -> None:
    with pytest.raises(IllegalTransition) as raised:
        TABLE.next_state(state, event)
    assert isinstance(raised.value, StateError)
    assert raised.value.state == state and raised.value.event == event
    assert event not in TABLE.allowed_events(state)


def test_a_request_cannot_be_answered_before_its_post_exists() -> None:
    with pytest.raises(StateError, match="cannot answer a hand-off that is asked"):
        TABLE.next_state(S.ASKED, E.ANSWER)


def test_the_state_of_a_stored_hand_off() -> None:
    assert state_of(None, None) is S.ASKED
    assert state_of("$post", None) is S.POSTED
    assert state_of("$post", NOW) is S.ANSWERED
    handoff = Handoff(7, None, "@gp:x", "!dm:x", "$q", "!coord:x", "$post", None)
    assert handoff.state is S.POSTED and handoff.correlation == "handoff:7"


def test_correlations_and_quotes() -> None:
    assert handoff_id_of("handoff:12") == 12
    assert handoff_id_of("handoff:x") is None and handoff_id_of("dispatch:4:@a:b") is None
    assert quoted("  " + "a" * 700) == "a" * 600


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    opened = await Database.open(tmp_path / "bot.sqlite")
    yield opened
    await opened.close()


async def test_the_repository_moves_a_hand_off_through_its_states(database: Database) -> None:
    new = repo.NewHandoff(None, "@gp:x", "!dm:x", "$q", "kiné ?", "!coord:x")
    async with database.transaction() as db:
        handoff = await repo.create(db, new, NOW)
        assert handoff.state is S.ASKED
        # Answering needs the post: nothing is recorded before it.
        assert not await repo.record_answer(db, handoff.id, "@coord:x", NOW)
        assert not await repo.record_post(db, handoff.id, "!other:x", "$post")
        assert await repo.record_post(db, handoff.id, "!coord:x", "$post")
        assert not await repo.record_post(db, handoff.id, "!coord:x", "$again")
        found = await repo.find_by_coordination_event(db, "!coord:x", "$post")
        assert found is not None and found.state is S.POSTED
        later = NOW + timedelta(minutes=3)
        assert await repo.record_answer(db, handoff.id, "@coord:x", later)
        assert not await repo.record_answer(db, handoff.id, "@other:x", later + timedelta(1))
        answered = await repo.get(db, handoff.id)
    assert answered is not None and answered.state is S.ANSWERED
    assert answered.answered_at == later and answered.answer_count == 3
