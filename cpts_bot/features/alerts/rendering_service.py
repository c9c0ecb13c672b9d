"""How alerts read: the post in each room, the description a coordinator confirms,
statuses and schedules in words (French first, through the ``alerts`` catalog)."""

from __future__ import annotations

import html
from datetime import datetime

from cpts_bot.core.messages import Reply
from cpts_bot.features.alerts.models import ACKNOWLEDGED_LEVELS, MARKERS, Alert
from cpts_bot.features.alerts.schedule import (
    KIND_CRON,
    KIND_DAILY,
    KIND_MONTHLY,
    KIND_WEEKLY,
    Schedule,
    next_occurrence,
)
from cpts_bot.features.alerts.states import AlertState
from cpts_bot.i18n import Translator


def format_moment(moment: datetime, translator: Translator) -> str:
    """ "lundi 24 novembre 2026 à 08:00" (Paris time)."""
    pattern = (
        "EEEE d MMMM yyyy 'à' HH:mm"
        if translator.language == "fr"
        else "EEEE d MMMM yyyy 'at' HH:mm"
    )
    return translator.format_datetime(moment, pattern)


def describe_schedule(schedule: Schedule, translator: Translator) -> str:
    """The schedule in words: "tous les lundis à 08:00", "le 1 de chaque mois à 09:00"."""
    _ = translator.gettext
    clock = f"{schedule.hour:02d}:{schedule.minute:02d}"
    if schedule.kind == KIND_DAILY:
        return _("every day at {time}", time=clock)
    if schedule.kind == KIND_WEEKLY:
        names = translator.day_names("wide")
        # Plural day names read naturally in both languages: "lundis", "Mondays".
        days = translator.format_list(f"{names[day]}s" for day in schedule.weekdays)
        return _("every {days} at {time}", days=days, time=clock)
    if schedule.kind == KIND_MONTHLY:
        return _(
            "on day {day} of every month at {time} (the last day in shorter months)",
            day=schedule.day_of_month,
            time=clock,
        )
    if schedule.kind == KIND_CRON:
        return _("cron « {expression} » (Paris time)", expression=schedule.cron)
    assert schedule.at is not None
    return format_moment(schedule.at, translator)


def describe_audience(audience: list[str], translator: Translator) -> str:
    _ = translator.gettext
    names = {
        "alerts": _("alert rooms"),
        "duty": _("duty rooms"),
        "coordination": _("coordination room"),
    }
    parts = []
    for code in audience:
        if code.startswith("profession:"):
            parts.append(_("{profession} duty room", profession=code.split(":", 1)[1]))
        else:
            parts.append(names.get(code, code))
    return ", ".join(parts)


def level_title(level: str, translator: Translator) -> str:
    _ = translator.gettext
    return {
        "urgent": _("URGENT ALERT"),
        "important": _("Important alert"),
        "info": _("Information"),
    }[level]


def status_label(status: AlertState, translator: Translator) -> str:
    _ = translator.gettext
    return {
        AlertState.DRAFT: _("alert status: to confirm"),
        AlertState.ACTIVE: _("alert status: active"),
        AlertState.PAUSED: _("alert status: paused"),
        AlertState.CANCELLED: _("alert status: cancelled"),
        AlertState.FINISHED: _("alert status: done"),
        AlertState.EXPIRED: _("alert status: expired"),
    }[status]


def alert_post(
    alert: Alert, translator: Translator, *, late_since: datetime | None = None
) -> Reply:
    """The message posted in each target room."""
    _ = translator.gettext
    marker = MARKERS[alert.level]
    title = f"{marker} {level_title(alert.level, translator)}".strip()
    lines = [f"{title} — {alert.text}"]
    if late_since is not None:
        lines.append(
            _("(posted late: it was due {time})", time=format_moment(late_since, translator))
        )
    if alert.level in ACKNOWLEDGED_LEVELS:
        lines.append(_("Please acknowledge: react to this message or reply to it."))
    lines.append(_("Alert no. {number}", number=alert.id))
    body_html = "".join(f"<p>{html.escape(line)}</p>" for line in lines[1:])
    head = html.escape(title)
    rich = (
        f"<p><strong>{head}</strong> — {html.escape(alert.text)}</p>{body_html}"
        if alert.level != "info"
        else f"<p>{head} — {html.escape(alert.text)}</p>{body_html}"
    )
    return Reply("\n".join(lines), html=rich, room_mention=alert.level == "urgent")


def describe(alert: Alert, translator: Translator, now: datetime, rooms: list[str]) -> list[str]:
    """What a coordinator reads back: level and text, when, next, for whom, until, reminder."""
    _ = translator.gettext
    title = f"{MARKERS[alert.level]} {level_title(alert.level, translator)}".strip()
    lines = [
        f"{title} — {alert.text}",
        _("When: {when}", when=describe_schedule(alert.schedule, translator)),
    ]
    if alert.schedule.recurring:
        upcoming = next_occurrence(alert.schedule, max(now, alert.last_scheduled_for or now))
        if upcoming and (alert.expires_at is None or upcoming < alert.expires_at):
            lines.append(_("Next: {when}", when=format_moment(upcoming, translator)))
    named = ", ".join(f"« {name} »" for name in rooms) if rooms else _("no room configured")
    lines.append(
        _(
            "For: {audience} ({rooms})",
            audience=describe_audience(alert.audience, translator),
            rooms=named,
        )
    )
    if alert.expires_at:
        lines.append(_("Until: {when}", when=format_moment(alert.expires_at, translator)))
    if alert.reminder_minutes:
        lines.append(
            _(
                "Reminder to those who have not acknowledged after {minutes} min",
                minutes=alert.reminder_minutes,
            )
        )
    return lines


def listing_line(alert: Alert, translator: Translator) -> str:
    """One line of « alertes »."""
    marker = MARKERS[alert.level] or "·"
    when = describe_schedule(alert.schedule, translator)
    paused = (
        f" ({status_label(AlertState.PAUSED, translator)})"
        if alert.status is AlertState.PAUSED
        else ""
    )
    return f"{marker} {alert.id}. {alert.text[:60]} — {when}{paused}"


def reminder_text(alert: Alert, translator: Translator) -> str:
    """The direct message to a reader who has not acknowledged."""
    _ = translator.gettext
    reminder = _(
        "Reminder: please acknowledge alert no. {number} — « {text} » (react to it or"
        " reply to it in its room).",
        number=alert.id,
        text=alert.text,
    )
    return "\n".join(
        [
            reminder,
            _("Not now? Reply « plus tard » to this message: I will remind you again later."),
        ]
    )
