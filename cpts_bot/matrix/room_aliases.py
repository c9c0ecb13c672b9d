"""Resolve the room aliases of rooms.yaml to room IDs once, at start-up."""

from __future__ import annotations

import logging

from nio import AsyncClient, RoomResolveAliasResponse

from cpts_bot.core.errors import MatrixError
from cpts_bot.matrix.nio_responses import checked
from cpts_bot.settings import RoomsConfig

log = logging.getLogger(__name__)


async def resolve_room_aliases(client: AsyncClient, config: RoomsConfig) -> RoomsConfig:
    """A copy of ``config`` whose room references are IDs; unresolvable aliases are kept
    (and logged) so that the operator sees which one is wrong."""
    cache: dict[str, str] = {}

    async def resolve(reference: str) -> str:
        if not reference.startswith("#"):
            return reference
        if reference not in cache:
            try:
                response = checked(
                    await client.room_resolve_alias(reference),
                    RoomResolveAliasResponse,
                    "resolving a room alias",
                )
                cache[reference] = response.room_id
            except MatrixError as error:
                log.error("room alias not found", extra={"alias": reference, "error": str(error)})
                cache[reference] = reference
        return cache[reference]

    rooms = config.rooms
    resolved = rooms.model_copy(
        update={
            "coordination": await resolve(rooms.coordination) if rooms.coordination else None,
            "alerts": [await resolve(room) for room in rooms.alerts],
            "duty": {name: await resolve(room) for name, room in rooms.duty.items()},
        }
    )
    return config.model_copy(update={"rooms": resolved})
