"""What the bot may do in a room, read from its ``m.room.power_levels`` content.

Alert and duty rooms need the bot to mention ``@room`` (urgent alerts and dispatches
notify everyone), pin events (alerts in force stay pinned) and redact (remove a message
posted by mistake). The defaults are the Matrix specification's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PINNED_EVENTS = "m.room.pinned_events"


class Power(StrEnum):
    ROOM_MENTION = "room_mention"
    PIN = "pin"
    REDACT = "redact"


def _level(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def user_level(levels: Mapping[str, Any], user_id: str) -> int:
    users = levels.get("users") or {}
    return _level(users.get(user_id), _level(levels.get("users_default"), 0))


def required_level(levels: Mapping[str, Any], power: Power) -> int:
    if power is Power.ROOM_MENTION:
        return _level((levels.get("notifications") or {}).get("room"), 50)
    if power is Power.PIN:
        state_default = _level(levels.get("state_default"), 50)
        return _level((levels.get("events") or {}).get(PINNED_EVENTS), state_default)
    return _level(levels.get("redact"), 50)


def missing_powers(levels: Mapping[str, Any], user_id: str) -> list[Power]:
    """The powers ``user_id`` lacks under ``levels`` (in the order of :class:`Power`)."""
    mine = user_level(levels, user_id)
    return [power for power in Power if mine < required_level(levels, power)]


@dataclass(frozen=True)
class RoomFinding:
    """One alert or duty room: its name, and what the bot lacks there (``member``
    False: the bot is not in the room at all)."""

    room_id: str
    name: str
    missing: tuple[Power, ...] = ()
    member: bool = True

    @property
    def has_problem(self) -> bool:
        return bool(self.missing) or not self.member
