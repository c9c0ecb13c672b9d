"""Retention: every column holding what people typed is emptied after a set period.

One rule per table and column (:data:`RULES`): which rows are old enough and how they
are emptied. The bot runs it daily (``services/data_minimisation.py``) and ``cpts-bot
retention`` runs it by hand, reporting per table. Kept: dates, codes, outcomes and who
(Matrix IDs), which the CPTS's tracking and monthly figures need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from cpts_bot.core.times import to_iso


@dataclass(frozen=True)
class RetentionRule:
    """Rows of ``table`` matching ``where`` (with ``:cutoff``) are emptied by ``erase``
    (with ``:now``): an UPDATE's assignments, or ``DELETE`` for the whole row."""

    name: str  # "table.column", as the report shows it
    table: str
    where: str
    erase: str


RULES: tuple[RetentionRule, ...] = (
    RetentionRule(
        "tracked_requests.free_text",
        "tracked_requests",
        "free_text IS NOT NULL AND requested_at < :cutoff",
        "free_text = NULL, free_text_purged_at = :now",
    ),
    RetentionRule(
        "handoffs.question",
        "handoffs",
        "question IS NOT NULL AND created_at < :cutoff",
        "question = NULL",
    ),
    RetentionRule(
        "dispatches.what",
        "dispatches",
        "what <> '' AND state <> 'open' AND created_at < :cutoff",
        "what = '', what_erased_at = :now",
    ),
    RetentionRule(
        "dispatches.details",
        "dispatches",
        "details <> '' AND created_at < :cutoff",
        "details_length = MAX(details_length, length(details)), details = '',"
        " details_erased_at = :now",
    ),
    RetentionRule(
        "dispatch_drafts",
        "dispatch_drafts",
        "updated_at < :cutoff",
        "DELETE",
    ),
    RetentionRule(
        "alerts.text",
        "alerts",
        "(text <> '' OR schedule_words <> '') AND status NOT IN ('active', 'paused')"
        " AND updated_at < :cutoff",
        "text = '', schedule_words = ''",
    ),
    RetentionRule(
        "alert_changes.detail",
        "alert_changes",
        "detail IS NOT NULL AND at < :cutoff AND alert_id IN (SELECT id FROM alerts"
        " WHERE status NOT IN ('active', 'paused'))",
        "detail = NULL",
    ),
    RetentionRule(
        "medecin_traitant_private",
        "medecin_traitant_private",
        "updated_at < :cutoff",
        "DELETE",
    ),
    RetentionRule(
        "inbox",
        "inbox",
        "received_at < :cutoff",
        "DELETE",
    ),
    RetentionRule(
        "outbox.payload",
        "outbox",
        "payload_erased_at IS NULL AND created_at < :cutoff",
        "payload = '{}', payload_erased_at = :now,"
        " sent_at = COALESCE(sent_at, :now), last_error = COALESCE(last_error, 'retention')",
    ),
    RetentionRule(
        "outbox_media",
        "outbox_media",
        "txn_id IN (SELECT txn_id FROM outbox WHERE created_at < :cutoff)",
        "DELETE",
    ),
)


@dataclass(frozen=True)
class RetentionReport:
    """What the retention policy emptied (or would empty), per ``table.column``."""

    cutoff: datetime
    counts: dict[str, int]

    @property
    def request_texts(self) -> int:
        return self.counts["tracked_requests.free_text"]

    @property
    def handoff_texts(self) -> int:
        return self.counts["handoffs.question"]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def apply_retention(
    db: aiosqlite.Connection, now: datetime, days: int, *, apply: bool
) -> RetentionReport:
    """Count (and with ``apply``, empty) what people typed more than ``days`` days ago."""
    if days < 1:
        raise ValueError("the retention period is at least one day")
    cutoff = now - timedelta(days=days)
    parameters = {"cutoff": to_iso(cutoff), "now": to_iso(now)}
    counts: dict[str, int] = {}
    for rule in RULES:
        async with db.execute(
            f"SELECT COUNT(*) FROM {rule.table} WHERE {rule.where}", parameters
        ) as cursor:
            counts[rule.name] = (await cursor.fetchone())[0]
        if apply and counts[rule.name]:
            if rule.erase == "DELETE":
                await db.execute(f"DELETE FROM {rule.table} WHERE {rule.where}", parameters)
            else:
                await db.execute(
                    f"UPDATE {rule.table} SET {rule.erase} WHERE {rule.where}", parameters
                )
    return RetentionReport(cutoff, counts)


def report_lines(report: RetentionReport) -> list[str]:
    """One line per table and column: ``  tracked_requests.free_text  12``."""
    width = max(len(name) for name in report.counts)
    return [f"  {name.ljust(width)}  {count}" for name, count in report.counts.items()]
