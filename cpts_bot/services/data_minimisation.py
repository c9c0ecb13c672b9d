"""Periodic erasure of what the bot no longer needs (see ``docs/privacy.md``).

- :func:`erase_expired_details` (every few minutes): private details of dispatches taken
  more than ``dispatch.details_kept_hours`` ago (or needed that long ago, if later), and
  unfinished dispatch drafts older than ``dispatch.draft_minutes``. Ended dispatches lose
  their details in the transaction that ends them (``features/dispatch/repository.py``),
  sent messages lose their text in the transaction that marks them sent.
- :func:`apply_retention_policy` (daily): every column holding typed text, after
  ``tracking.retention_days`` (``storage/retention_repository.py``).

Both run as scheduler jobs that checkpoint the write-ahead log afterwards, so that the
erased text does not stay in old log frames.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from cpts_bot.features.dispatch.policy import policy_from_config
from cpts_bot.features.dispatch.repository import delete_drafts_before, erase_details_taken_before
from cpts_bot.services.context import Context
from cpts_bot.storage.retention_repository import apply_retention

log = logging.getLogger(__name__)

ERASE_DETAILS_EVERY_SECONDS = 300
RETENTION_EVERY_SECONDS = 24 * 3600


async def erase_expired_details(context: Context) -> tuple[int, int]:
    """Erase details kept past their delay and stale drafts; return (details, drafts)."""
    policy = policy_from_config(context.config)
    details = await erase_details_taken_before(
        context.db, context.now - timedelta(hours=policy.details_kept_hours), context.now
    )
    drafts = await delete_drafts_before(
        context.db, context.now - timedelta(minutes=policy.draft_minutes)
    )
    if details or drafts:
        log.info("dispatch details erased", extra={"details": details, "drafts": drafts})
    return details, drafts


async def apply_retention_policy(context: Context) -> None:
    """Empty every typed text older than ``tracking.retention_days``."""
    report = await apply_retention(
        context.db, context.now, context.config.tracking.retention_days, apply=True
    )
    if report.total:
        log.info(
            "retention applied", extra={"erased": {k: v for k, v in report.counts.items() if v}}
        )
