"""Territorial alerts: store, schedule, post, pin, acknowledge, remind.

The scheduler calls :func:`run_due_alerts` every few seconds inside one transaction:
each occurrence is recorded in ``alert_firings`` under a unique (alert, scheduled_for)
key together with its outbox rows, so an occurrence is posted at most once, and one
missed while the bot was down is posted late (within the grace period) or skipped and
reported to the coordination, never dropped silently.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import aiosqlite
from babel.dates import format_datetime, get_day_names
from babel.lists import format_list

from cpts_bot.domain.alert_schedule import (
    KIND_CRON,
    KIND_DAILY,
    KIND_MONTHLY,
    KIND_WEEKLY,
    Schedule,
    due_firings,
    next_occurrence,
    schedule_from_spec,
)
from cpts_bot.domain.messages import Reply
from cpts_bot.domain.times import PARIS, from_iso, to_iso
from cpts_bot.i18n import Translator
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.core_repository import language_of
from cpts_bot.storage.outbox import OutboxWriter
from cpts_bot.storage.tracking_repository import (
    KIND_ALERT,
    OUTCOME_POSTED,
    TrackedRequest,
    record_request,
)

LEVELS = ("info", "important", "urgent")
ACKNOWLEDGED_LEVELS = ("important", "urgent")
MARKERS = {"urgent": "🔴", "important": "🟠", "info": ""}
CORRELATION_PREFIX = "alert:"
PIN_CORRELATION_PREFIX = "alert-pin:"
SCHEDULER = "scheduler"
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


class RoomMembers(Protocol):
    """Who is in a room (joined members), implemented by the Matrix adapter."""

    async def members(self, room_id: str) -> list[str]: ...

    # Optional: ``room_name(room_id) -> str | None``, the room's name for people.


@dataclass(frozen=True)
class AlertSettings:
    """Tunable delays (rooms.yaml ``extra.alerts`` in the app)."""

    grace: timedelta = timedelta(minutes=30)
    # A one-off alert without "jusqu'au" stays pinned this long.
    default_in_force: timedelta = timedelta(hours=72)
    # How often due alerts are looked for: a post later than that is marked late.
    check_every: timedelta = timedelta(seconds=5)


@dataclass(frozen=True)
class Alert:
    id: int
    text: str
    level: str
    audience: list[str]
    schedule: Schedule
    schedule_words: str
    starts_at: datetime
    expires_at: datetime | None
    reminder_minutes: int | None
    status: str
    last_scheduled_for: datetime | None
    created_by: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Alert:
        return cls(
            id=row["id"],
            text=row["text"],
            level=row["level"],
            audience=json.loads(row["audience"]),
            schedule=schedule_from_spec(row["schedule"]),
            schedule_words=row["schedule_words"],
            starts_at=from_iso(row["starts_at"]),
            expires_at=from_iso(row["expires_at"]) if row["expires_at"] else None,
            reminder_minutes=row["reminder_minutes"],
            status=row["status"],
            last_scheduled_for=(
                from_iso(row["last_scheduled_for"]) if row["last_scheduled_for"] else None
            ),
            created_by=row["created_by"],
            created_at=from_iso(row["created_at"]),
        )


@dataclass
class RunSummary:
    """What one run of :func:`run_due_alerts` did (for logs and tests)."""

    posted: list[tuple[int, datetime, bool]] = field(default_factory=list)
    skipped: list[tuple[int, datetime]] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    pinned: int = 0
    unpinned: int = 0
    reminded: int = 0


# ---------------------------------------------------------------------------- audience


def audience_rooms(audience: list[str], config: RoomsConfig) -> list[str]:
    """The rooms an audience designates, in order, without duplicates."""
    rooms: list[str] = []
    duty = {key.lower(): room for key, room in config.rooms.duty.items()}
    for code in audience:
        if code == "alerts":
            rooms.extend(config.rooms.alerts)
        elif code == "duty":
            rooms.extend(config.rooms.duty.values())
        elif code == "coordination" and config.rooms.coordination:
            rooms.append(config.rooms.coordination)
        elif code.startswith("profession:") and code.split(":", 1)[1].lower() in duty:
            rooms.append(duty[code.split(":", 1)[1].lower()])
    return list(dict.fromkeys(rooms))


# ---------------------------------------------------------------------------- rendering


def _locale(translator: Translator) -> str:
    return BABEL_LOCALES.get(translator.language, "fr_FR")


def format_moment(moment: datetime, translator: Translator) -> str:
    """ "lundi 24 novembre 2026 à 08:00" (Paris time)."""
    pattern = (
        "EEEE d MMMM yyyy 'à' HH:mm"
        if translator.language == "fr"
        else ("EEEE d MMMM yyyy 'at' HH:mm")
    )
    return format_datetime(moment, pattern, tzinfo=PARIS, locale=_locale(translator))


def describe_schedule(schedule: Schedule, translator: Translator) -> str:
    """The schedule in words: "tous les lundis à 08:00", "le 1 de chaque mois à 09:00"."""
    _ = translator.gettext
    clock = f"{schedule.hour:02d}:{schedule.minute:02d}"
    if schedule.kind == KIND_DAILY:
        return _("every day at {time}", time=clock)
    if schedule.kind == KIND_WEEKLY:
        names = get_day_names("wide", locale=_locale(translator))
        # Plural day names read naturally in both languages: "lundis", "Mondays".
        days = format_list(
            [f"{names[day]}s" for day in schedule.weekdays], locale=_locale(translator)
        )
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


# ---------------------------------------------------------------------------- repository


async def record_change(
    db: aiosqlite.Connection,
    alert_id: int,
    at: datetime,
    actor: str,
    action: str,
    detail: str | None = None,
) -> None:
    await db.execute(
        "INSERT INTO alert_changes (alert_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
        (alert_id, to_iso(at), actor, action, detail),
    )


async def create_draft(
    db: aiosqlite.Connection,
    *,
    text: str,
    level: str,
    audience: list[str],
    schedule: Schedule,
    schedule_words: str,
    expires_at: datetime | None,
    reminder_minutes: int | None,
    created_by: str,
    room_id: str,
    now: datetime,
) -> int:
    """Store an alert waiting for its author's "oui" (earlier drafts of theirs dropped)."""
    await db.execute(
        "UPDATE alerts SET status = 'cancelled', updated_at = ? WHERE status = 'draft'"
        " AND created_by = ? AND draft_room_id = ?",
        (to_iso(now), created_by, room_id),
    )
    cursor = await db.execute(
        "INSERT INTO alerts (text, level, audience, schedule, schedule_words, starts_at,"
        " expires_at, reminder_minutes, status, created_by, created_at, draft_room_id,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)",
        (
            text,
            level,
            json.dumps(audience),
            schedule.spec,
            schedule_words,
            to_iso(now),
            to_iso(expires_at) if expires_at else None,
            reminder_minutes,
            created_by,
            to_iso(now),
            room_id,
            to_iso(now),
        ),
    )
    alert_id = cursor.lastrowid
    assert alert_id is not None
    await record_change(db, alert_id, now, created_by, "drafted", schedule.spec)
    return alert_id


async def get_alert(db: aiosqlite.Connection, alert_id: int) -> Alert | None:
    async with db.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)) as cursor:
        row = await cursor.fetchone()
    return Alert.from_row(row) if row else None


async def pending_draft(
    db: aiosqlite.Connection,
    user_id: str,
    room_id: str,
    now: datetime,
    max_age: timedelta = timedelta(minutes=30),
) -> Alert | None:
    async with db.execute(
        "SELECT * FROM alerts WHERE status = 'draft' AND created_by = ? AND draft_room_id = ?"
        " AND created_at >= ? ORDER BY id DESC LIMIT 1",
        (user_id, room_id, to_iso(now - max_age)),
    ) as cursor:
        row = await cursor.fetchone()
    return Alert.from_row(row) if row else None


async def set_status(
    db: aiosqlite.Connection, alert: Alert, status: str, actor: str, now: datetime, action: str
) -> None:
    extra = ""
    params: list[Any] = [status, to_iso(now)]
    if action in ("confirmed", "resumed"):
        # Occurrences before confirmation or during a pause are not owed.
        extra = ", last_scheduled_for = ?, starts_at = ?"
        params += [to_iso(now - timedelta(microseconds=1))] * 2
    await db.execute(
        f"UPDATE alerts SET status = ?, updated_at = ?{extra} WHERE id = ?", (*params, alert.id)
    )
    await record_change(db, alert.id, now, actor, action)


async def update_fields(
    db: aiosqlite.Connection, alert: Alert, changes: dict[str, Any], actor: str, now: datetime
) -> None:
    """Apply ``changes`` (column -> value) and record who changed what."""
    columns = {
        "text",
        "level",
        "audience",
        "schedule",
        "schedule_words",
        "expires_at",
        "reminder_minutes",
    }
    assignments = []
    values: list[Any] = []
    for column, value in changes.items():
        if column not in columns:
            raise ValueError(f"cannot change {column}")
        assignments.append(f"{column} = ?")
        values.append(value)
    if "schedule" in changes:
        # Occurrences count from just before now, so that "maintenant" fires.
        assignments += ["starts_at = ?", "last_scheduled_for = NULL"]
        values.append(to_iso(now - timedelta(seconds=1)))
    assignments.append("updated_at = ?")
    values.append(to_iso(now))
    await db.execute(
        f"UPDATE alerts SET {', '.join(assignments)} WHERE id = ?", (*values, alert.id)
    )
    await record_change(db, alert.id, now, actor, "edited", json.dumps(changes, ensure_ascii=False))


async def list_alerts(db: aiosqlite.Connection) -> list[Alert]:
    async with db.execute(
        "SELECT * FROM alerts WHERE status IN ('active', 'paused') ORDER BY id"
    ) as cursor:
        return [Alert.from_row(row) for row in await cursor.fetchall()]


async def alert_history(db: aiosqlite.Connection, alert_id: int) -> list[aiosqlite.Row]:
    async with db.execute(
        "SELECT at, actor, action, detail FROM alert_changes WHERE alert_id = ? ORDER BY id",
        (alert_id,),
    ) as cursor:
        return list(await cursor.fetchall())


# ---------------------------------------------------------------------------- posting


async def _post_firing(
    db: aiosqlite.Connection,
    outbox: OutboxWriter,
    config: RoomsConfig,
    alert: Alert,
    scheduled_for: datetime,
    late: bool,
    now: datetime,
    members: RoomMembers | None,
    bot_user_id: str | None,
) -> int | None:
    cursor = await db.execute(
        "INSERT OR IGNORE INTO alert_firings (alert_id, scheduled_for, fired_at, status, late,"
        " level) VALUES (?, ?, ?, 'posted', ?, ?)",
        (alert.id, to_iso(scheduled_for), to_iso(now), int(late), alert.level),
    )
    if cursor.rowcount == 0:
        return None  # already handled: never twice
    firing_id = cursor.lastrowid
    assert firing_id is not None
    translator = Translator(config.language)
    post = alert_post(alert, translator, late_since=scheduled_for if late else None)
    rooms = audience_rooms(alert.audience, config)
    people: set[str] = set()
    for room in rooms:
        await outbox.send(
            room,
            post,
            notice=alert.level == "info",
            correlation=f"{CORRELATION_PREFIX}{firing_id}:{room}",
        )
        await db.execute(
            "INSERT INTO alert_posts (firing_id, room_id) VALUES (?, ?)", (firing_id, room)
        )
        if members is not None:
            people.update(await members.members(room))
    if members is not None:
        people -= {alert.created_by, bot_user_id}
        await db.execute(
            "UPDATE alert_firings SET targeted = ? WHERE id = ?", (len(people), firing_id)
        )
    await record_request(
        db,
        TrackedRequest(
            requested_at=scheduled_for,
            kind=KIND_ALERT,
            category="alert",
            outcome=OUTCOME_POSTED,
            answered_at=now,
            summary=f"alert {alert.id} {alert.level}",
        ),
    )
    return firing_id


async def _report_skipped(
    outbox: OutboxWriter, config: RoomsConfig, alert: Alert, skipped: list[datetime]
) -> None:
    translator = Translator(config.language)
    _ = translator.gettext
    times = ", ".join(format_moment(moment, translator) for moment in skipped[-5:])
    text = _(
        "⚠️ Alert no. {number} was not posted at {times}: the bot was stopped longer "
        "than the grace period. « {text} »",
        number=alert.id,
        times=times,
        text=alert.text,
    )
    if len(skipped) > 5:
        text += "\n" + _("({count} occurrences missed in all)", count=len(skipped))
    target = config.rooms.coordination
    if target:
        await outbox.send(target, Reply(text))
    else:
        await outbox.send_direct(alert.created_by, Reply(text))


async def run_due_alerts(
    context: Any,
    now: datetime,
    *,
    members: RoomMembers | None = None,
    settings: AlertSettings | None = None,
    bot_user_id: str | None = None,
) -> RunSummary:
    """Post what is due, skip (and report) what is too late, expire, pin, unpin, remind.

    ``context`` needs ``db`` (open transaction), ``outbox`` (an OutboxWriter on it) and
    ``config``. Call it every few seconds; it is idempotent.
    """
    db: aiosqlite.Connection = context.db
    outbox: OutboxWriter = context.outbox
    config: RoomsConfig = context.config
    settings = settings or AlertSettings()
    summary = RunSummary()
    for alert in await _alerts_with_status(db, ("active",)):
        anchor = alert.last_scheduled_for or alert.starts_at
        due = due_firings(
            alert.schedule,
            anchor,
            now,
            settings.grace,
            expires_at=alert.expires_at,
            tolerance=settings.check_every,
        )
        handled = [*due.skip, *(moment for moment, _ in due.post)]
        for moment in due.skip:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO alert_firings (alert_id, scheduled_for, fired_at, status,"
                " level) VALUES (?, ?, ?, 'skipped', ?)",
                (alert.id, to_iso(moment), to_iso(now), alert.level),
            )
            if cursor.rowcount:
                summary.skipped.append((alert.id, moment))
        if due.skip:
            await record_change(
                db,
                alert.id,
                now,
                SCHEDULER,
                "skipped",
                ", ".join(to_iso(moment) for moment in due.skip[-20:]),
            )
            await _report_skipped(outbox, config, alert, due.skip)
        for moment, late in due.post:
            firing_id = await _post_firing(
                db, outbox, config, alert, moment, late, now, members, bot_user_id
            )
            if firing_id is not None:
                summary.posted.append((alert.id, moment, late))
                await record_change(
                    db,
                    alert.id,
                    now,
                    SCHEDULER,
                    "posted_late" if late else "posted",
                    to_iso(moment),
                )
        if handled:
            await db.execute(
                "UPDATE alerts SET last_scheduled_for = ? WHERE id = ?",
                (to_iso(max(handled)), alert.id),
            )
        if alert.expires_at is not None and now >= alert.expires_at:
            continue  # expired below, with paused and finished ones
        if not alert.schedule.recurring and handled:
            await set_status(db, alert, "finished", SCHEDULER, now, "finished")
        elif (
            handled
            and alert.schedule.recurring
            and next_occurrence(alert.schedule, max(handled)) is None
        ):
            await set_status(db, alert, "finished", SCHEDULER, now, "finished")
    for alert in await _alerts_with_status(db, ("active", "paused", "finished")):
        if alert.expires_at is not None and now >= alert.expires_at:
            await set_status(db, alert, "expired", SCHEDULER, now, "expired")
            summary.expired.append(alert.id)
    await _pin_and_unpin(db, outbox, now, settings, summary)
    if members is not None:
        await _remind(db, outbox, config, now, members, summary, bot_user_id)
    return summary


async def _alerts_with_status(db: aiosqlite.Connection, statuses: tuple[str, ...]) -> list[Alert]:
    marks = ", ".join("?" for _ in statuses)
    async with db.execute(
        f"SELECT * FROM alerts WHERE status IN ({marks}) ORDER BY id", statuses
    ) as cursor:
        return [Alert.from_row(row) for row in await cursor.fetchall()]


async def _pin_and_unpin(
    db: aiosqlite.Connection,
    outbox: OutboxWriter,
    now: datetime,
    settings: AlertSettings,
    summary: RunSummary,
) -> None:
    """Pin posts while their alert is in force; unpin them after (or when superseded)."""
    async with db.execute(
        "SELECT p.firing_id, p.room_id, p.event_id, p.pinned_at, f.fired_at, f.alert_id,"
        " a.status, a.expires_at,"
        " (SELECT MAX(f2.id) FROM alert_firings f2 JOIN alert_posts p2 ON p2.firing_id = f2.id"
        "   WHERE f2.alert_id = f.alert_id AND p2.room_id = p.room_id"
        "   AND f2.status = 'posted') AS latest"
        " FROM alert_posts p JOIN alert_firings f ON f.id = p.firing_id"
        " JOIN alerts a ON a.id = f.alert_id"
        " WHERE p.event_id IS NOT NULL AND p.unpinned_at IS NULL"
    ) as cursor:
        rows = list(await cursor.fetchall())
    for row in rows:
        if row["expires_at"]:
            in_force = now < from_iso(row["expires_at"])
        else:
            in_force = now < from_iso(row["fired_at"]) + settings.default_in_force
        in_force = (
            in_force
            and row["status"] not in ("cancelled", "expired")
            and (row["latest"] == row["firing_id"])
        )
        if in_force and row["pinned_at"] is None:
            await outbox.pin(
                row["room_id"],
                row["event_id"],
                correlation=f"{PIN_CORRELATION_PREFIX}{row['firing_id']}:{row['room_id']}",
            )
            await db.execute(
                "UPDATE alert_posts SET pinned_at = ? WHERE firing_id = ? AND room_id = ?",
                (to_iso(now), row["firing_id"], row["room_id"]),
            )
            summary.pinned += 1
        elif not in_force:
            if row["pinned_at"] is not None:
                await outbox.unpin(row["room_id"], row["event_id"])
                summary.unpinned += 1
            await db.execute(
                "UPDATE alert_posts SET unpinned_at = ? WHERE firing_id = ? AND room_id = ?",
                (to_iso(now), row["firing_id"], row["room_id"]),
            )


async def _remind(
    db: aiosqlite.Connection,
    outbox: OutboxWriter,
    config: RoomsConfig,
    now: datetime,
    members: RoomMembers,
    summary: RunSummary,
    bot_user_id: str | None,
) -> None:
    async with db.execute(
        "SELECT f.id, f.fired_at, a.id AS alert_id, a.reminder_minutes FROM alert_firings f"
        " JOIN alerts a ON a.id = f.alert_id"
        " WHERE f.status = 'posted' AND f.reminded_at IS NULL AND a.reminder_minutes IS NOT NULL"
        " AND f.level IN ('important', 'urgent') AND a.status NOT IN ('cancelled')"
    ) as cursor:
        rows = list(await cursor.fetchall())
    for row in rows:
        if from_iso(row["fired_at"]) + timedelta(minutes=row["reminder_minutes"]) > now:
            continue
        alert = await get_alert(db, row["alert_id"])
        assert alert is not None
        report = await acknowledgement_report(
            db, row["id"], members, bot_user_id, exclude=alert.created_by
        )
        translator = Translator(config.language)
        for user in report.pending:
            text = translator.gettext(
                "Reminder: please acknowledge alert no. {number} — « {text} » (react to it or"
                " reply to it in its room).",
                number=alert.id,
                text=alert.text,
            )
            await outbox.send_direct(user, Reply(text))
            summary.reminded += 1
        await db.execute(
            "UPDATE alert_firings SET reminded_at = ? WHERE id = ?", (to_iso(now), row["id"])
        )


# ---------------------------------------------------------------------------- acknowledgement


async def on_sent(db: aiosqlite.Connection, correlation: str, room_id: str, event_id: str) -> bool:
    """Record the event id of a sent alert post; False if ``correlation`` is not ours."""
    if not correlation.startswith(CORRELATION_PREFIX):
        return False
    firing_text, _, room = correlation.removeprefix(CORRELATION_PREFIX).partition(":")
    try:
        firing_id = int(firing_text)
    except ValueError:
        return False
    await db.execute(
        "UPDATE alert_posts SET event_id = ? WHERE firing_id = ? AND room_id = ?",
        (event_id, firing_id, room or room_id),
    )
    return True


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
    async with db.execute(
        "SELECT a.id, a.created_by FROM alert_firings f JOIN alerts a ON a.id = f.alert_id"
        " WHERE f.id = ?",
        (int(firing_text),),
    ) as cursor:
        found = await cursor.fetchone()
    if found is None:
        return
    await db.execute(
        "UPDATE alert_posts SET unpinned_at = ? WHERE firing_id = ? AND room_id = ?",
        (to_iso(now), int(firing_text), room or room_id),
    )
    translator = Translator(await language_of(db, found["created_by"]) or default_language)
    text = translator.gettext(
        "📌 I could not pin alert no. {number} in « {room} »: I am not allowed to pin "
        "messages there. Give me the moderator role in that room (or the right to pin), "
        "or pin the post yourself.",
        number=found["id"],
        room=room_name,
    )
    await OutboxWriter(db, now).send_direct(found["created_by"], Reply(text))


async def firing_of_event(db: aiosqlite.Connection, room_id: str, event_id: str) -> int | None:
    async with db.execute(
        "SELECT firing_id FROM alert_posts WHERE event_id = ? AND room_id = ?",
        (event_id, room_id),
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def acknowledge(
    db: aiosqlite.Connection, firing_id: int, user_id: str, at: datetime, via: str
) -> bool:
    """Record ``user_id``'s acknowledgement (the first one counts); True if new."""
    cursor = await db.execute(
        "INSERT OR IGNORE INTO alert_acknowledgements (firing_id, user_id, at, via)"
        " VALUES (?, ?, ?, ?)",
        (firing_id, user_id, to_iso(at), via),
    )
    return cursor.rowcount > 0


@dataclass(frozen=True)
class AcknowledgementReport:
    firing_id: int
    fired_at: datetime
    acknowledged: list[tuple[str, datetime]]
    pending: list[str]
    members_known: bool


async def latest_firing(db: aiosqlite.Connection, alert_id: int) -> int | None:
    async with db.execute(
        "SELECT id FROM alert_firings WHERE alert_id = ? AND status = 'posted'"
        " ORDER BY scheduled_for DESC LIMIT 1",
        (alert_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def acknowledgement_report(
    db: aiosqlite.Connection,
    firing_id: int,
    members: RoomMembers | None,
    bot_user_id: str | None,
    exclude: str | None = None,
) -> AcknowledgementReport:
    """Who acknowledged firing ``firing_id`` and which members of its rooms did not."""
    async with db.execute(
        "SELECT fired_at FROM alert_firings WHERE id = ?", (firing_id,)
    ) as cursor:
        fired = await cursor.fetchone()
    async with db.execute(
        "SELECT user_id, at FROM alert_acknowledgements WHERE firing_id = ? ORDER BY at, user_id",
        (firing_id,),
    ) as cursor:
        acknowledged = [(row[0], from_iso(row[1])) for row in await cursor.fetchall()]
    pending: list[str] = []
    if members is not None:
        async with db.execute(
            "SELECT room_id FROM alert_posts WHERE firing_id = ?", (firing_id,)
        ) as cursor:
            rooms = [row[0] for row in await cursor.fetchall()]
        everyone: set[str] = set()
        for room in rooms:
            everyone.update(await members.members(room))
        done = {user for user, _ in acknowledged}
        pending = sorted(everyone - done - {bot_user_id, exclude})
    return AcknowledgementReport(
        firing_id, from_iso(fired[0]), acknowledged, pending, members is not None
    )
