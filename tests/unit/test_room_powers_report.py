"""The start-up warning about missing powers, as the coordination room reads it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cpts_bot.core.room_powers import Power
from cpts_bot.i18n import Translator
from cpts_bot.services.room_powers_report import (
    RoomFinding,
    monitored_rooms,
    warn_coordination,
    warning_text,
)
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

CONFIG = RoomsConfig.model_validate(
    {
        "territory": {"name": "T", "communes": [{"insee": "69388", "name": "Lyon 8e"}]},
        "coordinators": ["@coord:hs"],
        "rooms": {
            "coordination": "!coord:hs",
            "alerts": ["!alerts:hs"],
            "duty": {"IDE": "!duty:hs", "MK": "!alerts:hs"},
        },
    }
)
FINDINGS = [
    RoomFinding("!alerts:hs", "Alertes"),
    RoomFinding("!duty:hs", "Garde IDE", (Power.ROOM_MENTION, Power.PIN)),
    RoomFinding("!gone:hs", "!gone:hs", member=False),
]


def test_rooms_checked_are_alert_and_duty_rooms_once() -> None:
    assert monitored_rooms(CONFIG) == ["!alerts:hs", "!duty:hs"]


def test_french_warning_names_each_room_and_what_is_missing() -> None:
    text = warning_text(FINDINGS, Translator("fr"))
    assert text is not None
    lines = text.splitlines()
    assert lines[0].startswith("Voici ce que je ne peux pas faire, salon par salon")
    assert lines[1] == (
        "• Garde IDE : mentionner @room (alertes et déclenchements urgents),"
        " épingler des messages (alertes en vigueur)"
    )
    assert lines[2] == "• !gone:hs : je ne suis pas dans ce salon"
    assert len(lines) == 3  # the room where all is well is not listed
    english = warning_text(FINDINGS, Translator("en"))
    assert english is not None and "• Garde IDE: mention @room" in english


def test_nothing_said_when_all_is_well() -> None:
    assert warning_text([RoomFinding("!a:hs", "A")], Translator("fr")) is None


async def test_queued_in_the_coordination_room(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        async with database.transaction() as db:
            now = datetime(2026, 11, 25, tzinfo=UTC)
            assert await warn_coordination(OutboxWriter(db, now), CONFIG, FINDINGS)
        rows = await database.fetch_all("SELECT action, target, payload FROM outbox")
    finally:
        await database.close()
    assert [(row["action"], row["target"]) for row in rows] == [("message", "!coord:hs")]
    assert "Garde IDE" in rows[0]["payload"]
