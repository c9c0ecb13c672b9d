"""Fair asks: among professionals a request fits equally, the one asked least recently (or
next in turn) is asked first when the policy asks fewer than all. A month of simulated
dispatches, two a day, each taken by the first one asked, shows the spread."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS, to_iso
from cpts_bot.features.dispatch import repository as dispatch_repository
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.fair_order import AskHistory, AskOrder, fair_choice
from cpts_bot.features.dispatch.fairness_repository import ask_history
from cpts_bot.features.dispatch.models import DispatchRequest
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    FakeDirectory,
    FakeHomeserver,
    Sent,
    context_for,
    make_config,
    message,
    professional,
)

NURSES = [f"@nurse{n}:cpts.test" for n in range(1, 7)]
DIRECTORY = FakeDirectory([professional(user, "60", HYERES) for user in NURSES])
START = datetime(2026, 11, 2, 8, 0, tzinfo=PARIS).astimezone(UTC)


def test_the_pure_orders() -> None:
    at = START
    history = {
        "@a": AskHistory(at - timedelta(hours=1), 0),
        "@b": AskHistory(at - timedelta(hours=5), 3),
        "@c": AskHistory(at - timedelta(hours=5), 1),
    }
    users = ["@a", "@b", "@c", "@d"]
    assert fair_choice(users, history, AskOrder.ALL, 2) == users
    assert fair_choice(users, history, AskOrder.LEAST_RECENT, 2) == ["@d", "@c"]
    assert fair_choice(users, history, AskOrder.ROUND_ROBIN, 2) == ["@b", "@c"]
    assert fair_choice(users, {}, AskOrder.ROUND_ROBIN, 3) == ["@a", "@b", "@c"]


async def test_only_this_months_accepts_count(tmp_path: Path) -> None:
    """« Accepted least this month »: an accept of last month, a decline, do not count."""
    month_start = datetime(2026, 12, 1, tzinfo=PARIS).astimezone(UTC)
    answers = [  # (answer, answered at)
        ("accepted", month_start - timedelta(hours=2)),
        ("declined", month_start + timedelta(hours=2)),
        ("accepted", month_start + timedelta(hours=3)),
    ]
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        async with database.transaction() as db:
            for answer, at in answers:
                new = DispatchRequest(
                    COORDINATOR, "!c:cpts.test", "60", (HYERES,), at, "minute", "soin", at
                )
                dispatch = await dispatch_repository.create(db, new, at)
                await dispatch_repository.add_recipients(db, dispatch.id, NURSES[:2], 0, at)
                await db.execute(
                    "UPDATE dispatch_recipients SET answer = ?, answered_at = ?"
                    " WHERE dispatch_id = ? AND user_id = ?",
                    (answer, to_iso(at), dispatch.id, NURSES[0]),
                )
            history = await ask_history(db, NURSES[:3], month_start)
    finally:
        await database.close()
    last = month_start + timedelta(hours=3)
    assert history == {NURSES[0]: AskHistory(last, 1), NURSES[1]: AskHistory(last, 0)}


async def simulate_month(
    tmp_path: Path, order: str, at_most: int = 2
) -> tuple[Counter[str], Counter[str]]:
    """60 dispatches over 30 days; the quickest of those asked takes each. Who was asked,
    who took."""
    config = make_config(dispatch={"order": order, "ask_at_most": at_most})
    feature = DispatchFeature(DIRECTORY)
    database = await Database.open(tmp_path / f"{order}-{at_most}.sqlite")
    server = FakeHomeserver(database)
    asked: Counter[str] = Counter()
    took: Counter[str] = Counter()

    async def say(sender: str, text: str, at: datetime, reply_to: Sent | None = None) -> list[Sent]:
        incoming = message(
            sender,
            text,
            at,
            room=reply_to.room_id if reply_to else "!coord:cpts.test",
            reply_to=reply_to.event_id if reply_to else None,
            is_direct=reply_to is not None,
        )
        async with database.transaction() as db:
            await route_message(Routes.of(feature), incoming, context_for(db, config, at, incoming))
        return await server.flush(at)

    for day in range(30):
        for hour in (0, 4):
            at = START + timedelta(days=day, hours=hour)
            sent = await say(
                COORDINATOR, "déclenchement IDE Hyères demain 10h pansement, patient d'accord", at
            )
            offers = [s for s in sent if s.action == "direct_message" and s.target in NURSES]
            asked.update(offer.target for offer in offers)
            # The quickest to answer of those asked takes it (nurse1 is the quickest).
            first = min(offers, key=lambda offer: NURSES.index(offer.target))
            await say(first.target, "je prends", at + timedelta(minutes=2), reply_to=first)
            took[first.target] += 1
    await database.close()
    return asked, took


def spread(counts: Counter[str]) -> int:
    return max(counts[user] for user in NURSES) - min(counts[user] for user in NURSES)


@pytest.mark.parametrize("order", ["least_recent", "round_robin"])
async def test_a_month_of_asks_is_spread_evenly(tmp_path: Path, order: str) -> None:
    asked, took = await simulate_month(tmp_path, order)
    # 60 dispatches, 2 asked each: 120 asks for 6 nurses (20 each, not 60); 60 taken.
    assert sum(asked.values()) == 120 and sum(took.values()) == 60
    print(f"{order}, 2 asked: asked {sorted(asked.values())} took {sorted(took.values())}")
    assert spread(asked) == 0


@pytest.mark.parametrize("order", ["least_recent", "round_robin"])
async def test_one_asked_at_a_time_spreads_the_work_too(tmp_path: Path, order: str) -> None:
    asked, took = await simulate_month(tmp_path, order, at_most=1)
    print(f"{order}, 1 asked: asked {sorted(asked.values())} took {sorted(took.values())}")
    assert sum(took.values()) == 60 and spread(took) == 0 and spread(asked) == 0


async def test_asking_all_leaves_the_first_listed_with_every_dispatch(tmp_path: Path) -> None:
    asked, took = await simulate_month(tmp_path, "all")
    print(f"all: asked {sorted(asked.values())} took {sorted(took.values())}")
    assert all(asked[user] == 60 for user in NURSES)
    assert spread(took) == 60
