"""Who is in a room, for the features that need it (alert acknowledgements)."""

from __future__ import annotations

from nio import AsyncClient, JoinedMembersResponse

from cpts_bot.domain.errors import MatrixError
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
