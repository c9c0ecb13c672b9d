"""The tables of every "first accept wins" offer (dispatch, cover request, médecin
traitant), in SQLite, through one small spec per kind.

Each kind keeps its own tables of the same shape: the subject (``dispatches``, ...)
with a ``state`` column; who was asked and what they answered (``…_recipients``:
``user_id``, ``answer``, ``answered_at``); the bot's messages about it, once sent
(``…_messages``: ``event_id``, ``room_id``, ``kind``, ``target``); its history
(``…_transitions``). :class:`OfferTables` names them; the functions here are the only
SQL for what they share. Every function runs in the caller's transaction.

A move is one conditional update (``WHERE id = ? AND state = :before``): of two racing
accepts only one changes the row; the other gets False (a lost race is a value).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import aiosqlite

from cpts_bot.core.offers import TOLD_TOO_LATE
from cpts_bot.core.times import to_iso


@dataclass(frozen=True)
class OfferTables:
    """Where one kind of offer is stored; ``key`` is the subject's column in the others."""

    subject: str
    key: str
    recipients: str
    messages: str
    transitions: str
    transition_notes: bool = True
    asked_at: str = "asked_at"  # the recipients' column saying when they were asked

    @classmethod
    def of(cls, subject: str, key: str, prefix: str, **overrides: Any) -> OfferTables:
        """The usual names: ``{prefix}_recipients``, ``_messages``, ``_transitions``."""
        names = {
            f"{part}": f"{prefix}_{part}" for part in ("recipients", "messages", "transitions")
        }
        return cls(subject, key, **{**names, **overrides})


async def move(
    tables: OfferTables,
    db: aiosqlite.Connection,
    subject_id: int,
    before: StrEnum,
    after: StrEnum,
    now: datetime,
    fields: Mapping[str, Any] | None = None,
    raw: tuple[str, tuple[Any, ...]] | None = None,
) -> bool:
    """Set ``state`` to ``after`` (and ``fields``, and ``raw`` SQL assignments with their
    values) if the subject is still ``before``; False if it moved meanwhile."""
    assignments = ["state = ?", "updated_at = ?"]
    values: list[Any] = [after.value, to_iso(now)]
    if raw is not None:
        assignments.append(raw[0])
        values.extend(raw[1])
    for name, value in (fields or {}).items():
        assignments.append(f"{name} = ?")
        values.append(to_iso(value) if isinstance(value, datetime) else value)
    cursor = await db.execute(
        f"UPDATE {tables.subject} SET {', '.join(assignments)} WHERE id = ? AND state = ?",
        (*values, subject_id, before.value),
    )
    return cursor.rowcount == 1


async def record_transition(
    tables: OfferTables,
    db: aiosqlite.Connection,
    subject_id: int,
    event: StrEnum,
    before: StrEnum | None,
    after: StrEnum,
    actor: str,
    now: datetime,
    note: str = "",
) -> None:
    columns = f"{tables.key}, event, from_state, to_state, actor, at"
    values: list[Any] = [
        subject_id,
        event.value,
        before.value if before else None,
        after.value,
        actor,
        to_iso(now),
    ]
    if tables.transition_notes:
        columns += ", note"
        values.append(note)
    marks = ", ".join("?" for _ in values)
    await db.execute(f"INSERT INTO {tables.transitions} ({columns}) VALUES ({marks})", values)


async def transitions(
    tables: OfferTables, db: aiosqlite.Connection, subject_id: int
) -> list[aiosqlite.Row]:
    async with db.execute(
        f"SELECT * FROM {tables.transitions} WHERE {tables.key} = ? ORDER BY id", (subject_id,)
    ) as cursor:
        return list(await cursor.fetchall())


# ------------------------------------------------------------------ who was asked


async def recipient(
    tables: OfferTables, db: aiosqlite.Connection, subject_id: int, user_id: str
) -> aiosqlite.Row | None:
    async with db.execute(
        f"SELECT * FROM {tables.recipients} WHERE {tables.key} = ? AND user_id = ?",
        (subject_id, user_id),
    ) as cursor:
        return await cursor.fetchone()


async def recipients(
    tables: OfferTables, db: aiosqlite.Connection, subject_id: int
) -> list[aiosqlite.Row]:
    async with db.execute(
        f"SELECT * FROM {tables.recipients} WHERE {tables.key} = ?"
        f" ORDER BY {tables.asked_at}, user_id",
        (subject_id,),
    ) as cursor:
        return list(await cursor.fetchall())


@dataclass(frozen=True)
class AnswerGuard:
    """When an answer may be written over the recipient's current one: a condition on
    their row, with its values."""

    condition: str
    values: tuple[Any, ...] = ()


ANYWAY = AnswerGuard("1")
# Only if they had not answered (otherwise someone else closed the offer first).
IF_PENDING = AnswerGuard("answer IS NULL")


def unless_told_too_late(sent_at: datetime | None) -> AnswerGuard:
    """Unless they were already told they came too late and their answer (written at
    ``sent_at``) is not later than that: one message per fact."""
    told = ", ".join(f"'{word}'" for word in sorted(TOLD_TOO_LATE))
    sent = to_iso(sent_at) if sent_at is not None else None
    return AnswerGuard(
        f"answer IS NULL OR answer NOT IN ({told}) OR (? IS NOT NULL AND answered_at < ?)",
        (sent, sent),
    )


async def set_answer(
    tables: OfferTables,
    db: aiosqlite.Connection,
    subject_id: int,
    user_id: str,
    answer: str,
    now: datetime,
    only_if: AnswerGuard = ANYWAY,
) -> bool:
    """Record ``user_id``'s ``answer`` if ``only_if`` holds; False when it does not."""
    cursor = await db.execute(
        f"UPDATE {tables.recipients} SET answer = ?, answered_at = ?"
        f" WHERE {tables.key} = ? AND user_id = ? AND ({only_if.condition})",
        (answer, to_iso(now), subject_id, user_id, *only_if.values),
    )
    return cursor.rowcount == 1


async def pending(
    tables: OfferTables,
    db: aiosqlite.Connection,
    subject_id: int | None = None,
    *,
    user_id: str | None = None,
) -> list[aiosqlite.Row]:
    """The offers still waiting for an answer: of ``subject_id``, or to ``user_id``."""
    column, value = (tables.key, subject_id) if user_id is None else ("user_id", user_id)
    async with db.execute(
        f"SELECT * FROM {tables.recipients} WHERE {column} = ? AND answer IS NULL ORDER BY user_id",
        (value,),
    ) as cursor:
        return list(await cursor.fetchall())


async def awaiting_answer_of(
    tables: OfferTables, db: aiosqlite.Connection, user_id: str, open_state: StrEnum
) -> list[int]:
    """The open subjects offered to ``user_id`` that they have not answered, newest first."""
    async with db.execute(
        f"SELECT s.id FROM {tables.subject} s JOIN {tables.recipients} r"
        f" ON r.{tables.key} = s.id WHERE r.user_id = ? AND r.answer IS NULL AND s.state = ?"
        " ORDER BY s.id DESC",
        (user_id, open_state.value),
    ) as cursor:
        return [row[0] for row in await cursor.fetchall()]


# ---------------------------------------------------------------- the bot's messages


async def record_message(
    tables: OfferTables,
    db: aiosqlite.Connection,
    event_id: str,
    room_id: str,
    subject_id: int | None,
    kind: str,
    target: str,
    now: datetime,
) -> None:
    await db.execute(
        f"INSERT OR REPLACE INTO {tables.messages} (event_id, room_id, {tables.key}, kind,"
        " target, sent_at) VALUES (?, ?, ?, ?, ?, ?)",
        (event_id, room_id, subject_id, kind, target, to_iso(now)),
    )


async def message(
    tables: OfferTables, db: aiosqlite.Connection, event_id: str
) -> aiosqlite.Row | None:
    async with db.execute(
        f"SELECT * FROM {tables.messages} WHERE event_id = ?", (event_id,)
    ) as cursor:
        return await cursor.fetchone()


async def messages(
    tables: OfferTables, db: aiosqlite.Connection, subject_id: int, kinds: Iterable[str]
) -> list[aiosqlite.Row]:
    kinds = tuple(kinds)
    marks = ",".join("?" for _ in kinds)
    async with db.execute(
        f"SELECT * FROM {tables.messages} WHERE {tables.key} = ? AND kind IN ({marks})"
        " ORDER BY sent_at, event_id",
        (subject_id, *kinds),
    ) as cursor:
        return list(await cursor.fetchall())
