"""Post a month's report (text and charts) in a room: on demand or on the 1st of the month."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.chat.incoming import Reply
from cpts_bot.domain.monthly_stats import Month
from cpts_bot.i18n import Translator
from cpts_bot.reporting.monthly_report import MonthlyReport, build_monthly_report
from cpts_bot.services.outbox import OutboxWriter
from cpts_bot.services.outbox_media import queue_image
from cpts_bot.settings import RoomsConfig


async def post_report(
    db: aiosqlite.Connection,
    outbox: OutboxWriter,
    room_id: str,
    month: Month,
    translator: Translator,
    *,
    in_reply_to: str | None = None,
) -> MonthlyReport:
    """Queue ``month``'s report in ``room_id``: the text first, then one image per chart."""
    report = await build_monthly_report(db, month, translator)
    await outbox.send(room_id, Reply(report.text, html=report.html), in_reply_to=in_reply_to)
    for filename, png in report.charts:
        await queue_image(outbox, room_id, filename, png, filename.removesuffix(".png"))
    return report


async def publish_previous_month(
    db: aiosqlite.Connection, config: RoomsConfig, now: datetime
) -> MonthlyReport | None:
    """The job for the 1st of the month: last month's report in the coordination room.

    Runs inside the caller's transaction ``db``; None when no coordination room is set.
    """
    room = config.rooms.coordination
    if room is None:
        return None
    outbox = OutboxWriter(db, now)
    month = Month.containing(now).previous()
    return await post_report(db, outbox, room, month, Translator(config.language))
