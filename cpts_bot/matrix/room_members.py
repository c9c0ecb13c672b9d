"""Who is in a room and what it is called, for the features that need it (alerts), and
whether a room is end-to-end encrypted."""

from __future__ import annotations

from nio import AsyncClient, JoinedMembersResponse, RoomGetStateEventResponse

from cpts_bot.core.errors import MatrixError
from cpts_bot.matrix.nio_responses import checked


class NioRoomMembers:
    """Joined members of a room, the bot excluded, asked of the homeserver."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def members(self, room_id: str) -> list[str]:
        try:
            response = checked(
                await self._client.joined_members(room_id), JoinedMembersResponse, "members"
            )
        except MatrixError:
            return []
        return sorted(
            member.user_id for member in response.members if member.user_id != self._client.user_id
        )

    def room_name(self, room_id: str) -> str | None:
        """The room's name as members see it (from the last sync), if the bot is in it."""
        room = self._client.rooms.get(room_id)
        return room.display_name if room is not None else None


async def is_encrypted(client: AsyncClient, room_id: str) -> bool:
    """Whether ``room_id`` has end-to-end encryption, by its state read now (nio does not
    keep it from an invitation)."""
    state = await client.room_get_state_event(room_id, "m.room.encryption")
    return isinstance(state, RoomGetStateEventResponse) and bool(state.content.get("algorithm"))
