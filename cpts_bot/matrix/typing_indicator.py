""" "Typing…" while the bot works, but only when the work is slow enough to be seen.

A typing notification costs the homeserver two requests and wakes every member's sync;
for an answer that is ready in a few milliseconds it only slows that answer down. So the
notification is sent only if the handling of a message takes longer than ``delay``.
"""

from __future__ import annotations

import asyncio
import contextlib

from nio import AsyncClient


class TypingIndicator:
    def __init__(self, client: AsyncClient, delay: float = 0.4) -> None:
        self._client = client
        self._delay = delay
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._shown: set[str] = set()

    async def set(self, room_id: str, working: bool) -> None:
        """``working=True`` when handling starts in ``room_id``, False when it ends."""
        if working:
            if room_id not in self._pending:
                self._pending[room_id] = asyncio.create_task(self._show_later(room_id))
            return
        task = self._pending.pop(room_id, None)
        if task is not None:
            task.cancel()
        if room_id in self._shown:
            self._shown.discard(room_id)
            await self._send(room_id, False)

    async def _show_later(self, room_id: str) -> None:
        await asyncio.sleep(self._delay)
        self._shown.add(room_id)
        await self._send(room_id, True)

    async def _send(self, room_id: str, on: bool) -> None:
        with contextlib.suppress(Exception):
            await self._client.room_typing(room_id, on, timeout=15000)
