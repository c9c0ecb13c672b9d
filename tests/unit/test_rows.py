"""A stored row read back as its model, by the field types (storage/rows.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import aiosqlite
import pytest

from cpts_bot.storage.rows import model_from_row


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Thing:
    id: int
    colour: Colour
    made_at: datetime
    done: bool
    note: str | None
    seen_at: datetime | None = None
    tags: tuple[str, ...] = ()
    count: int = 7


async def _row(sql: str) -> aiosqlite.Row:
    async with aiosqlite.connect(":memory:") as db:
        db.row_factory = aiosqlite.Row
        async with db.execute(sql) as cursor:
            row = await cursor.fetchone()
    assert row is not None
    return row


async def test_columns_are_read_as_the_field_types_say() -> None:
    row = await _row(
        "SELECT 4 AS id, 'blue' AS colour, '2026-03-01T08:30:00.000000Z' AS made_at,"
        " 1 AS done, NULL AS note, '2026-03-02T09:00:00+01:00' AS seen_at, 'a,b' AS tags"
    )
    thing = model_from_row(Thing, row, tags=tuple(row["tags"].split(",")))
    assert thing == Thing(
        id=4,
        colour=Colour.BLUE,
        made_at=datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        done=True,
        note=None,
        seen_at=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        tags=("a", "b"),
    )
    assert thing.colour is Colour.BLUE and thing.done is True and thing.count == 7


async def test_a_time_not_yet_set_is_none_and_a_missing_column_keeps_the_default() -> None:
    row = await _row(
        "SELECT 1 AS id, 'red' AS colour, '2026-03-01T08:30:00Z' AS made_at, 0 AS done,"
        " 'x' AS note, '' AS seen_at, 'ignored' AS other"
    )
    thing = model_from_row(Thing, row)
    assert thing.seen_at is None and thing.done is False and thing.tags == ()


async def test_a_wrong_stored_value_is_an_error_not_a_silent_default() -> None:
    row = await _row(
        "SELECT 1 AS id, 'green' AS colour, '2026-03-01T08:30:00Z' AS made_at, 0 AS done,"
        " NULL AS note"
    )
    with pytest.raises(ValueError):
        model_from_row(Thing, row)
