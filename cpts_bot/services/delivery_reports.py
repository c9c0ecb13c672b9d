"""Tell the coordination, once, what holds deliveries up: a destination that stays
unreachable (its row set aside after its bound), or the homeserver slowing the bot's
sends down (« envois ralentis par le serveur : 8 en attente, environ 4 min »).

Each report is noted in ``delivery_reports`` in the same transaction as the message it
queues, so that a restart does not tell it again; it is forgotten when the destination
works again or the queue has drained, so that a later episode is told again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

import aiosqlite

from cpts_bot.core.delivery_policy import SlowedQueue, slowed_queue
from cpts_bot.core.messages import Reply
from cpts_bot.i18n import Translator
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage import outbox_delivery as delivery
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

log = logging.getLogger(__name__)

SLOWED = "slowed"
# The coordination is told when, throttled, what waits would take at least this long.
SLOWED_AT_LEAST_SECONDS = 30


def stuck_text(translator: Translator, who: str, row_id: int, bound: timedelta) -> str:
    return translator.gettext(
        "⚠️ I have not been able to deliver to {who} for {minutes} min (their server does"
        " not answer): I have stopped trying. « cpts-bot outbox list » shows what waits;"
        " « cpts-bot outbox drop {row} » removes it.",
        who=who,
        minutes=max(1, int(bound.total_seconds() // 60)),
        row=row_id,
    )


def slowed_text(translator: Translator, slowed: SlowedQueue) -> str:
    return translator.gettext(
        "⏳ deliveries slowed down by the server: {count} waiting, about {minutes} min",
        count=slowed.waiting,
        minutes=slowed.minutes,
    )


async def report_stuck(
    config: RoomsConfig,
    db: aiosqlite.Connection,
    destination: str,
    row_id: int,
    bound: timedelta,
    now: datetime,
) -> bool:
    """Queue, once per destination, the notice that deliveries to it stopped."""
    log.error("delivery stuck", extra={"outbox_id": row_id, "destination": destination})
    coordination = str(config.rooms.coordination) if config.rooms.coordination else None
    if coordination is None or destination == coordination:
        return False
    if not await delivery.mark_reported(db, delivery.stuck_subject(destination), now):
        return False
    text = stuck_text(Translator(config.language), destination, row_id, bound)
    await OutboxWriter(db, now).send(coordination, Reply(text))
    return True


async def report_slowed(
    db: aiosqlite.Connection, config: RoomsConfig, slowed: SlowedQueue, now: datetime
) -> bool:
    """Queue, once per episode, the notice that the homeserver slows sends down."""
    if not config.rooms.coordination or not await delivery.mark_reported(db, SLOWED, now):
        return False
    log.warning("deliveries slowed", extra={"waiting": slowed.waiting})
    text = slowed_text(Translator(config.language), slowed)
    await OutboxWriter(db, now).send(str(config.rooms.coordination), Reply(text), notice=False)
    return True


class ThrottleView(Protocol):
    """What the outbox knows of the homeserver's rate limit."""

    def throttled(self) -> bool: ...

    def seconds_per_send(self) -> float: ...


async def watch_queue(
    config: RoomsConfig, database: Database, throttle: ThrottleView, now: datetime
) -> None:
    """At each turn of the outbox: tell the coordination once when the homeserver slows
    bulk deliveries down while some wait; forget it once the queue has drained."""
    waiting = await delivery.queued_bulk(database)
    delay = waiting * throttle.seconds_per_send()
    if throttle.throttled() and waiting and delay >= SLOWED_AT_LEAST_SECONDS:
        async with database.transaction() as db:
            slowed = slowed_queue(waiting, throttle.seconds_per_send())
            await report_slowed(db, config, slowed, now)
    elif waiting == 0 and not throttle.throttled():
        await delivery.forget_report(database, SLOWED)
