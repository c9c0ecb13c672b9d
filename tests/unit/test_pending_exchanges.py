"""Pending exchanges: the most specific claim takes a message that replies to nothing;
equal claims of two features make the bot ask; the order of the follow-ups never counts."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from command_support import context_for, direct, make_config, replies

from cpts_bot.chat.follow_ups import WAITING_ANSWER, WAITING_EXCHANGE, FollowUp, FollowUps, Waiting
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.services.context import Context
from cpts_bot.storage.database import Database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    opened = await Database.open(tmp_path / "bot.sqlite")
    yield opened
    await opened.close()


def claiming(prefix: str, specificity: int | None, taken: list[str]) -> FollowUp:
    """A follow-up whose ``waiting`` claims every message with ``specificity`` (None:
    nothing of it waits)."""

    async def waiting(message: IncomingMessage, context: Context) -> Waiting | None:
        if specificity is None:
            return None

        async def handle() -> None:
            taken.append(prefix)

        return Waiting(specificity, f"{prefix} no. 1", handle)

    return FollowUp(prefix, waiting=waiting)


async def unreplied(database: Database, follow_ups: list[FollowUp]) -> bool:
    async with database.transaction() as db:
        return await FollowUps(follow_ups).on_unreplied(
            direct("ok"), context_for(db, make_config())
        )


@pytest.mark.parametrize(
    ("claims", "winner"),
    [
        ({"a:": WAITING_ANSWER, "b:": None}, "a:"),
        ({"a:": WAITING_ANSWER, "b:": WAITING_EXCHANGE}, "b:"),
        ({"a:": WAITING_EXCHANGE, "b:": WAITING_ANSWER, "c:": None}, "a:"),
    ],
)
async def test_the_most_specific_claim_takes_the_message_in_any_order(
    database: Database, claims: dict[str, int | None], winner: str
) -> None:
    for order in itertools.permutations(claims):
        taken: list[str] = []
        assert await unreplied(database, [claiming(p, claims[p], taken) for p in order])
        assert taken == [winner], order


async def test_equal_claims_of_two_features_make_the_bot_ask(database: Database) -> None:
    for order in (("a:", "b:"), ("b:", "a:")):
        taken: list[str] = []
        follow_ups = [claiming(prefix, WAITING_ANSWER, taken) for prefix in order]
        assert await unreplied(database, follow_ups)
        assert taken == []
    first, second = await replies(database)
    assert (
        first
        == second
        == (
            "Plusieurs demandes attendent votre réponse (a: no. 1, b: no. 1) :"
            " répondez directement au message concerné."
        )
    )


async def test_nothing_waiting_leaves_the_message_to_the_next_step(database: Database) -> None:
    taken: list[str] = []
    assert not await unreplied(database, [claiming("a:", None, taken), FollowUp("b:")])
    assert taken == [] and await replies(database) == []
