"""Alert posts are pinned while their alert is in force, unpinned after (or when a newer
posting of the same alert replaces them); a room where the bot may not pin is reported
to the alert's author."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.core.messages import Reply
from cpts_bot.core.times import from_iso
from cpts_bot.features.alerts import firing_repository as firings
from cpts_bot.features.alerts.run_service import Run
from cpts_bot.features.alerts.states import AlertState
from cpts_bot.i18n import Translator
from cpts_bot.storage.core_repository import language_of
from cpts_bot.storage.outbox import OutboxWriter

PIN_CORRELATION_PREFIX = "alert-pin:"
_TAKEN_DOWN = (AlertState.CANCELLED.value, AlertState.EXPIRED.value)


def _in_force(row: aiosqlite.Row, run: Run) -> bool:
    if row["expires_at"]:
        in_force = run.now < from_iso(row["expires_at"])
    else:
        in_force = run.now < from_iso(row["fired_at"]) + run.settings.default_in_force
    return in_force and row["status"] not in _TAKEN_DOWN and row["latest"] == row["firing_id"]


async def pin_and_unpin(run: Run) -> None:
    """Pin posts while their alert is in force; unpin them after (or when superseded)."""
    for row in await firings.posts_to_pin_or_unpin(run.db):
        firing_id, room = row["firing_id"], row["room_id"]
        if _in_force(row, run):
            if row["pinned_at"] is None:
                await run.outbox.pin(
                    room,
                    row["event_id"],
                    correlation=f"{PIN_CORRELATION_PREFIX}{firing_id}:{room}",
                )
                await firings.mark_pin(run.db, firing_id, room, run.now, pinned=True)
                run.summary.pinned += 1
            continue
        if row["pinned_at"] is not None:
            await run.outbox.unpin(room, row["event_id"])
            run.summary.unpinned += 1
        await firings.mark_pin(run.db, firing_id, room, run.now, pinned=False)


async def on_pin_failed(
    db: aiosqlite.Connection,
    correlation: str,
    room_id: str,
    room_name: str,
    now: datetime,
    *,
    default_language: str = "fr",
) -> None:
    """The homeserver refused to pin an alert's post (the bot lacks the power in that
    room): the alert's author is told, in their direct chat, and no unpin is tried."""
    firing_text, _, room = correlation.removeprefix(PIN_CORRELATION_PREFIX).partition(":")
    found = await firings.author_of_firing(db, int(firing_text))
    if found is None:
        return
    number, author = found
    await firings.mark_pin(db, int(firing_text), room or room_id, now, pinned=False)
    translator = Translator(await language_of(db, author) or default_language)
    text = translator.gettext(
        "📌 I could not pin alert no. {number} in « {room} »: I am not allowed to pin "
        "messages there. Give me the moderator role in that room (or the right to pin), "
        "or pin the post yourself.",
        number=number,
        room=room_name,
    )
    await OutboxWriter(db, now).send_direct(author, Reply(text))
