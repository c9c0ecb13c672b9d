"""Who is in a room, for the features that need it (alert acknowledgements)."""

from __future__ import annotations

from nio import AsyncClient, JoinedMembersResponse


class NioRoomMembers:
    """Joined members of a room, the bot excluded, asked of the homeserver."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def members(self, room_id: str) -> list[str]:
        response = await self._client.joined_members(room_id)
        if not isinstance(response, JoinedMembersResponse):
            return []
        return sorted(
            member.user_id for member in response.members if member.user_id != self._client.user_id
        )
