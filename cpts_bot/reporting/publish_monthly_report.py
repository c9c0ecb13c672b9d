"""Post a month's report (text and charts) in a room: on demand or on the 1st of the month."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from cpts_bot.core.messages import Reply
from cpts_bot.core.public_holidays import GENERAL_CALENDAR
from cpts_bot.core.times import PARIS
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.features.reports.repository import claim_monthly_report
from cpts_bot.i18n import Translator
from cpts_bot.reporting.monthly_report import MonthlyReport, build_monthly_report
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.outbox import OutboxWriter
from cpts_bot.storage.outbox_media import queue_image


async def post_report(
    db: aiosqlite.Connection,
    outbox: OutboxWriter,
    room_id: str,
    month: Month,
    translator: Translator,
    *,
    in_reply_to: str | None = None,
    config: RoomsConfig | None = None,
) -> MonthlyReport:
    """Queue ``month``'s report in ``room_id``: the text first, then one image per chart.
    With ``config``, communes are named as the territory names them."""
    names = {c.insee: c.name for c in config.territory.communes} if config else None
    holidays = config.territory.holiday_calendar() if config else GENERAL_CALENDAR
    report = await build_monthly_report(
        db, month, translator, commune_names=names, holidays=holidays
    )
    await outbox.send(room_id, Reply(report.text, html=report.html), in_reply_to=in_reply_to)
    for filename, png in report.charts:
        await queue_image(outbox, room_id, filename, png, filename.removesuffix(".png"))
    return report


async def publish_monthly_report_if_due(
    context: Any,
    *,
    hour: int = 8,
    window: timedelta = timedelta(days=7),
) -> MonthlyReport | None:
    """The job of the 1st: last month's report in the coordination room, once.

    Safe to run every few minutes: from the 1st at ``hour`` (Paris) and for ``window``
    after, the previous month's report is posted unless it already was (recorded in
    ``monthly_reports_posted`` in the same transaction as the outbox rows). A bot down
    on the 1st posts it when it comes back; later than the window it does not (a
    coordinator can still ask "rapport <mois>"). ``context`` needs ``db`` (an open
    transaction), ``now``, ``outbox`` and ``config``.
    """
    config: RoomsConfig = context.config
    room = config.rooms.coordination
    if room is None:
        return None
    now: datetime = context.now
    current = Month.containing(now)
    due_at = datetime(current.year, current.month, 1, hour, tzinfo=PARIS).astimezone(UTC)
    if not due_at <= now < due_at + window:
        return None
    month = current.previous()
    if not await claim_monthly_report(context.db, month.label, room, now):
        return None
    return await post_report_in(context, room, month, Translator(config.language))


async def post_report_in(
    context: Any,
    room_id: str,
    month: Month,
    translator: Translator,
    *,
    in_reply_to: str | None = None,
) -> MonthlyReport:
    """:func:`post_report` with what ``context`` holds: its transaction, its outbox and
    the territory of its configuration (how a chat command asks for a report)."""
    return await post_report(
        context.db,
        context.outbox,
        room_id,
        month,
        translator,
        in_reply_to=in_reply_to,
        config=context.config,
    )
