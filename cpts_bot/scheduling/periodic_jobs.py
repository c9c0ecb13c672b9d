"""apscheduler wiring: each job wakes up, runs one service in a transaction, and leaves.

The database is the truth (deadlines, schedules, what was already posted); a job only
re-reads it and acts on what is due, so a missed tick or a restart loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.services.periodic_job import PeriodicJob
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

log = logging.getLogger(__name__)


class JobRunner:
    """Runs jobs in a write transaction with an outbox; wakes the sender afterwards."""

    def __init__(
        self,
        database: Database,
        config: RoomsConfig,
        bot_user_id: str,
        on_outbox: Callable[[], None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._database = database
        self._config = config
        self._bot = bot_user_id
        self._on_outbox = on_outbox
        self._clock = clock

    async def run(self, job: PeriodicJob) -> None:
        try:
            async with self._database.transaction() as db:
                # The clock is read once the write lock is held: a run that waited for
                # another transaction must not act on a moment before that one's writes.
                now = self._clock()
                context = Context(
                    db=db,
                    now=now,
                    outbox=OutboxWriter(db, now),
                    config=self._config,
                    translator=Translator(self._config.language),
                    bot_user_id=self._bot,
                )
                await job.function(context)
        except Exception:
            log.exception("job failed", extra={"job": job.name})
            return
        if job.checkpoint and not await self._database.checkpoint():
            log.info("log checkpoint postponed: a reader is busy", extra={"job": job.name})
        self._on_outbox()


def start_scheduler(runner: JobRunner, jobs: list[PeriodicJob]) -> AsyncIOScheduler:
    """Start an asyncio scheduler running each job at its interval (never two at once)."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job in jobs:
        scheduler.add_job(
            runner.run,
            "interval",
            seconds=job.seconds,
            args=[job],
            id=job.name,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
    scheduler.start()
    return scheduler
