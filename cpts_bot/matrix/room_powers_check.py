"""Read the bot's power levels in its alert and duty rooms once it has synced, and warn
the coordination room of what it cannot do (``services/room_powers_report.py``)."""

from __future__ import annotations

from datetime import UTC, datetime

from nio import AsyncClient, RoomGetStateEventResponse

from cpts_bot.domain.errors import MatrixError
from cpts_bot.domain.room_powers import missing_powers
from cpts_bot.matrix.nio_responses import checked
from cpts_bot.services.room_powers_report import RoomFinding, monitored_rooms, warn_coordination
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter


async def room_findings(client: AsyncClient, config: RoomsConfig) -> list[RoomFinding]:
    """What the bot lacks in each alert and duty room (read from the homeserver)."""
    findings = []
    for room_id in monitored_rooms(config):
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


async def check_room_powers(
    client: AsyncClient, database: Database, config: RoomsConfig
) -> list[RoomFinding]:
    """Queue the warning (if any) in the coordination room; return the findings."""
    findings = await room_findings(client, config)
    now = datetime.now(UTC)
    async with database.transaction() as db:
        await warn_coordination(OutboxWriter(db, now), config, findings)
    return findings
