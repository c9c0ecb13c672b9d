"""Alerts and their history in SQLite. Every function runs in the caller's transaction.

A status change goes through :func:`apply_event`: the transition table
(:mod:`cpts_bot.features.alerts.states`) decides the new status and one conditional
update (``WHERE id = ? AND status = ?``) applies it, with a line of history.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.features.alerts.models import Alert, AlertFields
from cpts_bot.features.alerts.schedule import Schedule, schedule_from_spec
from cpts_bot.features.alerts.states import (
    HISTORY_ACTIONS,
    IN_FORCE_STATES,
    TABLE,
    AlertEvent,
    AlertState,
    restarts_schedule,
)
from cpts_bot.storage.rows import model_from_row

# A draft waits this long for its author's « oui ».
DRAFT_MAX_AGE = timedelta(minutes=30)


def alert_from_row(row: aiosqlite.Row) -> Alert:
    return model_from_row(
        Alert,
        row,
        audience=json.loads(row["audience"]),
        schedule=schedule_from_spec(row["schedule"]),
    )


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


async def get_alert(db: aiosqlite.Connection, alert_id: int) -> Alert | None:
    async with db.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)) as cursor:
        row = await cursor.fetchone()
    return alert_from_row(row) if row else None


async def alerts_with_status(
    db: aiosqlite.Connection, statuses: tuple[AlertState, ...]
) -> list[Alert]:
    marks = ", ".join("?" for _ in statuses)
    async with db.execute(
        f"SELECT * FROM alerts WHERE status IN ({marks}) ORDER BY id",
        tuple(status.value for status in statuses),
    ) as cursor:
        return [alert_from_row(row) for row in await cursor.fetchall()]


async def alerts_in_force(db: aiosqlite.Connection) -> list[Alert]:
    """Active and paused alerts, by number (« alertes »)."""
    return await alerts_with_status(db, IN_FORCE_STATES)


async def apply_event(
    db: aiosqlite.Connection,
    alert: Alert,
    event: AlertEvent,
    actor: str,
    now: datetime,
    detail: str | None = None,
) -> AlertState | None:
    """Move ``alert`` by ``event`` (the table raises if it forbids the move). The new
    status, or None if the stored status changed meanwhile (a lost race)."""
    after = TABLE.next_state(alert.status, event)
    extra = ""
    params: list[Any] = [after.value, to_iso(now)]
    if restarts_schedule(event):
        # Occurrences before confirmation or during a pause are not owed.
        extra = ", last_scheduled_for = ?, starts_at = ?"
        params += [to_iso(now - timedelta(microseconds=1))] * 2
    cursor = await db.execute(
        f"UPDATE alerts SET status = ?, updated_at = ?{extra} WHERE id = ? AND status = ?",
        (*params, alert.id, alert.status.value),
    )
    if cursor.rowcount != 1:
        return None
    await record_change(db, alert.id, now, actor, HISTORY_ACTIONS[event], detail)
    return after


async def create_draft(
    db: aiosqlite.Connection, fields: AlertFields, created_by: str, room_id: str, now: datetime
) -> int:
    """Store an alert waiting for its author's « oui »; their earlier draft in that room
    is dropped (one draft at a time)."""
    previous = await pending_draft(db, created_by, room_id, now, max_age=None)
    if previous is not None:
        await apply_event(db, previous, AlertEvent.DROP, created_by, now, "superseded")
    assert fields.schedule is not None and fields.text and fields.level
    cursor = await db.execute(
        "INSERT INTO alerts (text, level, audience, schedule, schedule_words, starts_at,"
        " expires_at, reminder_minutes, status, created_by, created_at, draft_room_id,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            fields.text,
            fields.level,
            json.dumps(fields.audience or []),
            fields.schedule.spec,
            fields.schedule_words or "",
            to_iso(now),
            to_iso(fields.expires_at) if fields.expires_at else None,
            fields.reminder_minutes,
            TABLE.next_state(None, AlertEvent.DRAFT).value,
            created_by,
            to_iso(now),
            room_id,
            to_iso(now),
        ),
    )
    alert_id = cursor.lastrowid
    assert alert_id is not None
    await record_change(
        db, alert_id, now, created_by, HISTORY_ACTIONS[AlertEvent.DRAFT], fields.schedule.spec
    )
    return alert_id


async def pending_draft(
    db: aiosqlite.Connection,
    user_id: str,
    room_id: str,
    now: datetime,
    max_age: timedelta | None = DRAFT_MAX_AGE,
) -> Alert | None:
    """The draft ``user_id`` described last in ``room_id`` (not older than ``max_age``)."""
    oldest = to_iso(now - max_age) if max_age is not None else ""
    async with db.execute(
        "SELECT * FROM alerts WHERE status = ? AND created_by = ? AND draft_room_id = ?"
        " AND created_at >= ? ORDER BY id DESC LIMIT 1",
        (AlertState.DRAFT.value, user_id, room_id, oldest),
    ) as cursor:
        row = await cursor.fetchone()
    return alert_from_row(row) if row else None


async def post_now_from(db: aiosqlite.Connection, alert_id: int, now: datetime) -> None:
    """A one-off alert whose time passed while it waited for « oui » is posted now."""
    await db.execute(
        "UPDATE alerts SET schedule = ?, last_scheduled_for = NULL, starts_at = ? WHERE id = ?",
        (Schedule("once", at=now).spec, to_iso(now - timedelta(seconds=1)), alert_id),
    )


def _columns(changes: AlertFields) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    if changes.text is not None:
        columns["text"] = changes.text
    if changes.level is not None:
        columns["level"] = changes.level
    if changes.audience is not None:
        columns["audience"] = json.dumps(changes.audience)
    if changes.schedule is not None:
        columns["schedule"] = changes.schedule.spec
        columns["schedule_words"] = changes.schedule_words
    if changes.expires_at is not None:
        columns["expires_at"] = to_iso(changes.expires_at)
    if changes.reminder_minutes is not None:
        columns["reminder_minutes"] = changes.reminder_minutes
    return columns


async def update_fields(
    db: aiosqlite.Connection, alert: Alert, changes: AlertFields, actor: str, now: datetime
) -> None:
    """Apply ``changes`` (an EDIT: the state does not move) and record who changed what."""
    TABLE.next_state(alert.status, AlertEvent.EDIT)
    columns = _columns(changes)
    assignments = [f"{column} = ?" for column in columns]
    values: list[Any] = list(columns.values())
    if changes.schedule is not None:
        # Occurrences count from just before now, so that "maintenant" fires.
        assignments += ["starts_at = ?", "last_scheduled_for = NULL"]
        values.append(to_iso(now - timedelta(seconds=1)))
    assignments.append("updated_at = ?")
    values.append(to_iso(now))
    await db.execute(
        f"UPDATE alerts SET {', '.join(assignments)} WHERE id = ?", (*values, alert.id)
    )
    detail = json.dumps(columns, ensure_ascii=False)
    await record_change(db, alert.id, now, actor, HISTORY_ACTIONS[AlertEvent.EDIT], detail)


async def set_last_scheduled(db: aiosqlite.Connection, alert_id: int, moment: datetime) -> None:
    await db.execute(
        "UPDATE alerts SET last_scheduled_for = ? WHERE id = ?", (to_iso(moment), alert_id)
    )


async def alert_history(db: aiosqlite.Connection, alert_id: int) -> list[aiosqlite.Row]:
    async with db.execute(
        "SELECT at, actor, action, detail FROM alert_changes WHERE alert_id = ? ORDER BY id",
        (alert_id,),
    ) as cursor:
        return list(await cursor.fetchall())
