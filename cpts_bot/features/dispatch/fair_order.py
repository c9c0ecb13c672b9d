"""Who is asked first among the professionals a dispatch fits equally (``dispatch.order``
in rooms.yaml). Pure: the candidates and their history in, the ones to ask out.

- ``all`` (default): every one of them, as before;
- ``least_recent``: the ``ask_at_most`` asked least recently (never asked first), ties
  broken by fewer accepted this month, then by the order given;
- ``round_robin``: the ``ask_at_most`` next in a fixed turn (by Matrix ID), starting
  after the one of them asked most recently.

The others wait for the next escalation step, which asks the next ones in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AskOrder(StrEnum):
    ALL = "all"
    LEAST_RECENT = "least_recent"
    ROUND_ROBIN = "round_robin"


@dataclass(frozen=True)
class AskHistory:
    """When a professional was last asked for a dispatch, and how many they accepted this
    month."""

    last_asked: datetime | None = None
    accepted_this_month: int = 0


def fair_choice(
    candidates: Sequence[str],
    history: Mapping[str, AskHistory],
    order: AskOrder,
    at_most: int,
) -> list[str]:
    """The candidates to ask now, in the order they are asked."""
    if order is AskOrder.ALL or len(candidates) <= at_most:
        return list(candidates)
    never = AskHistory()
    if order is AskOrder.LEAST_RECENT:
        position = {user: index for index, user in enumerate(candidates)}

        def key(user: str) -> tuple[bool, datetime | str, int, int]:
            seen = history.get(user, never)
            return (
                seen.last_asked is not None,
                seen.last_asked or "",
                seen.accepted_this_month,
                position[user],
            )

        return sorted(candidates, key=key)[:at_most]
    turn = sorted(candidates)
    asked = [user for user in turn if history.get(user, never).last_asked is not None]
    if not asked:
        return turn[:at_most]
    latest = max(asked, key=lambda user: (history[user].last_asked, user))
    start = turn.index(latest) + 1
    return (turn[start:] + turn[:start])[:at_most]
