"""What the follow-up of requests for cover reads: open requests, and who was asked
without answering. Read only; runs in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from cpts_bot.core.times import from_iso


@dataclass(frozen=True)
class OpenCover:
    swap_id: int
    requester: str
    profession: str
    communes: frozenset[str]
    starts_at: datetime
    ends_at: datetime
    silent: tuple[tuple[str, datetime], ...]  # (colleague, asked at) with no answer yet


async def open_requests(db: aiosqlite.Connection) -> list[OpenCover]:
    async with db.execute("SELECT * FROM shift_swaps WHERE state = 'open' ORDER BY id") as c:
        swaps = list(await c.fetchall())
    found = []
    for swap in swaps:
        async with db.execute(
            "SELECT user_id, asked_at FROM shift_swap_recipients"
            " WHERE swap_id = ? AND answer IS NULL ORDER BY user_id",
            (swap["id"],),
        ) as cursor:
            silent = tuple((row[0], from_iso(row[1])) for row in await cursor.fetchall())
        found.append(
            OpenCover(
                swap["id"],
                swap["requester"],
                swap["profession"],
                frozenset(code for code in swap["communes"].split(",") if code),
                from_iso(swap["starts_at"]),
                from_iso(swap["ends_at"]),
                silent,
            )
        )
    return found
