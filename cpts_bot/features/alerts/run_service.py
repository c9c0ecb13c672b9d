"""What one run of the alerts job works with and reports; the job's tunable delays."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiosqlite

from cpts_bot.features.alerts.audience_service import RoomMembers
from cpts_bot.features.alerts.snooze import DEFAULT_SNOOZE
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.outbox import OutboxWriter


@dataclass(frozen=True)
class AlertSettings:
    """Tunable delays (rooms.yaml ``alerts`` in the app)."""

    grace: timedelta = timedelta(minutes=30)
    # A one-off alert without "jusqu'au" stays pinned this long.
    default_in_force: timedelta = timedelta(hours=72)
    # How often due alerts are looked for: a post later than that is marked late.
    check_every: timedelta = timedelta(seconds=5)
    # « plus tard » to an alert without a reminder delay postpones by this much.
    snooze: timedelta = DEFAULT_SNOOZE


@dataclass
class RunSummary:
    """What one run of :func:`run_due_alerts` did (for logs and tests)."""

    posted: list[tuple[int, datetime, bool]] = field(default_factory=list)
    skipped: list[tuple[int, datetime]] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    pinned: int = 0
    unpinned: int = 0
    reminded: int = 0


@dataclass(frozen=True)
class Run:
    """What one run works with."""

    db: aiosqlite.Connection
    outbox: OutboxWriter
    config: RoomsConfig
    now: datetime
    settings: AlertSettings
    members: RoomMembers | None
    bot_user_id: str | None
    summary: RunSummary
