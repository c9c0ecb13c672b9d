"""Who an alert reaches: the rooms its audience designates, and their members."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from cpts_bot.settings import RoomsConfig


class RoomMembers(Protocol):
    """Who is in a room (joined members), implemented by the Matrix adapter."""

    async def members(self, room_id: str) -> list[str]: ...

    # Optional: ``room_name(room_id) -> str | None``, the room's name for people.


def audience_rooms(audience: list[str], config: RoomsConfig) -> list[str]:
    """The rooms an audience designates, in order, without duplicates."""
    rooms: list[str] = []
    duty = {key.lower(): room for key, room in config.rooms.duty.items()}
    for code in audience:
        if code == "alerts":
            rooms.extend(config.rooms.alerts)
        elif code == "duty":
            rooms.extend(config.rooms.duty.values())
        elif code == "coordination" and config.rooms.coordination:
            rooms.append(config.rooms.coordination)
        elif code.startswith("profession:") and code.split(":", 1)[1].lower() in duty:
            rooms.append(duty[code.split(":", 1)[1].lower()])
    return list(dict.fromkeys(rooms))


def room_names(rooms: Iterable[str], members: RoomMembers | None) -> list[str]:
    """The rooms by name (« Alertes Lyon 8 ») as the bot knows them, else their IDs."""
    namer = getattr(members, "room_name", None)
    return [(namer(room) if namer else None) or room for room in rooms]


async def people_in(
    rooms: Iterable[str], members: RoomMembers, *, without: Iterable[str | None] = ()
) -> set[str]:
    """The members of ``rooms`` together, minus ``without`` (the bot, the author)."""
    everyone: set[str] = set()
    for room in rooms:
        everyone.update(await members.members(room))
    return everyone - set(without)
