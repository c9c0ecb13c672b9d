"""Is the running bot healthy? Pure: a snapshot of its data directory goes in, the
problems come out (``cpts-bot status`` prints them and exits non-zero if any)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Exit codes of ``cpts-bot status`` (the container health check uses them).
HEALTHY = 0
UNHEALTHY = 1  # set up, but not syncing, or a queue is stuck
NOT_SET_UP = 2  # no credentials, no database, or the database cannot be read


@dataclass(frozen=True)
class HealthLimits:
    """How old the last sync, and the oldest queued row, may be."""

    max_sync_age: timedelta = timedelta(minutes=5)
    max_queue_age: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class StatusSnapshot:
    """What ``cpts-bot status`` read from the data directory."""

    now: datetime
    has_credentials: bool
    database_error: str | None = None
    device_id: str | None = None
    user_id: str | None = None
    cross_signing: str | None = None
    rooms_joined: int | None = None
    inbox_waiting: int = 0
    oldest_inbox_at: datetime | None = None
    outbox_unsent: int = 0
    oldest_unsent_at: datetime | None = None
    last_sync_at: datetime | None = None


def problems(snapshot: StatusSnapshot, limits: HealthLimits) -> tuple[int, list[str]]:
    """The exit code and the problems found (empty when healthy)."""
    if not snapshot.has_credentials:
        return NOT_SET_UP, ["no credentials.json: the bot has never logged in here"]
    if snapshot.database_error is not None:
        return NOT_SET_UP, [f"database unreadable: {snapshot.database_error}"]
    found = []
    if snapshot.last_sync_at is None:
        found.append("no sync recorded: the bot has not run yet with this database")
    elif snapshot.now - snapshot.last_sync_at > limits.max_sync_age:
        found.append(
            f"last sync {_minutes(snapshot.now - snapshot.last_sync_at)} ago"
            f" (more than {_minutes(limits.max_sync_age)})"
        )
    for what, oldest in (
        ("outbox", snapshot.oldest_unsent_at),
        ("inbox", snapshot.oldest_inbox_at),
    ):
        if oldest is not None and snapshot.now - oldest > limits.max_queue_age:
            found.append(
                f"{what} stuck: oldest row waiting for {_minutes(snapshot.now - oldest)}"
                f" (more than {_minutes(limits.max_queue_age)})"
            )
    return (UNHEALTHY if found else HEALTHY), found


def _minutes(delay: timedelta) -> str:
    minutes = int(delay.total_seconds() // 60)
    return f"{minutes} min" if minutes else f"{int(delay.total_seconds())} s"
