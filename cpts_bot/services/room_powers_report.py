"""At start-up: tell the coordination room what the bot cannot do in its alert and duty
rooms (mention @room, pin, remove messages), and where, so that someone fixes it before
an urgent alert goes out unheard."""

from __future__ import annotations

import logging
from datetime import datetime

from cpts_bot.core.messages import Reply
from cpts_bot.core.room_powers import Power, RoomFinding
from cpts_bot.i18n import N_, Translator
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

log = logging.getLogger(__name__)

POWER_LABELS = {
    Power.ROOM_MENTION: N_("mention @room (urgent alerts and dispatches)"),
    Power.PIN: N_("pin messages (alerts in force)"),
    Power.REDACT: N_("remove messages"),
}


def monitored_rooms(config: RoomsConfig) -> list[str]:
    """The alert and duty rooms, each once, in the order of the rooms file."""
    rooms = [*config.rooms.alerts, *config.rooms.duty.values()]
    return list(dict.fromkeys(str(room) for room in rooms))


def warning_text(findings: list[RoomFinding], translator: Translator) -> str | None:
    """The warning for the coordination room, or None when every room is fine."""
    problems = [finding for finding in findings if finding.has_problem]
    if not problems:
        return None
    _ = translator.gettext
    lines = [
        _(
            "Here is what I cannot do, room by room; a room administrator can give me the"
            " moderator level (50) there:"
        )
    ]
    for finding in problems:
        if not finding.member:
            what = _("I am not in this room")
        else:
            what = ", ".join(_(POWER_LABELS[power]) for power in finding.missing)
        lines.append("• " + _("{room}: {what}", room=finding.name, what=what))
    return "\n".join(lines)


async def warn_coordination(
    outbox: OutboxWriter, config: RoomsConfig, findings: list[RoomFinding]
) -> bool:
    """Queue the warning in the coordination room; False when there is nothing to say
    (or no coordination room: then it is only logged)."""
    for finding in findings:
        if finding.has_problem:
            log.warning(
                "missing room powers",
                extra={
                    "room_id": finding.room_id,
                    "member": finding.member,
                    "missing": [power.value for power in finding.missing],
                },
            )
    text = warning_text(findings, Translator(config.language))
    if text is None or not config.rooms.coordination:
        return False
    await outbox.send(str(config.rooms.coordination), Reply(text))
    return True


async def report_room_powers(
    database: Database, config: RoomsConfig, findings: list[RoomFinding], now: datetime
) -> bool:
    """Queue the warning (if any) in the coordination room, in one transaction."""
    async with database.transaction() as db:
        return await warn_coordination(OutboxWriter(db, now), config, findings)
