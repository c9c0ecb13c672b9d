"""Read the bot's power levels in its alert and duty rooms from the homeserver, once it
has synced. What to say about them is the service's (``services/room_powers_report.py``):
this module only reads."""

from __future__ import annotations

from collections.abc import Iterable

from nio import AsyncClient, RoomGetStateEventResponse

from cpts_bot.core.errors import MatrixError
from cpts_bot.core.room_powers import RoomFinding, missing_powers
from cpts_bot.matrix.nio_responses import checked


async def room_findings(client: AsyncClient, room_ids: Iterable[str]) -> list[RoomFinding]:
    """What the bot lacks in each of these rooms (read from the homeserver)."""
    findings = []
    for room_id in room_ids:
        # Asked of the homeserver: a room joined during the first sync is not yet in
        # ``client.rooms``.
        room = client.rooms.get(room_id)
        name = (room.name or room.canonical_alias or room_id) if room else room_id
        try:
            response = checked(
                await client.room_get_state_event(room_id, "m.room.power_levels"),
                RoomGetStateEventResponse,
                "reading power levels",
            )
        except MatrixError:
            findings.append(RoomFinding(room_id, name, member=False))
            continue
        missing = tuple(missing_powers(response.content, client.user_id))
        findings.append(RoomFinding(room_id, name, missing))
    return findings
