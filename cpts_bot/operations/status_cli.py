"""``cpts-bot status``: the running bot's device, cross-signing state, rooms, queues and
last sync, read from its data directory without disturbing it.

Exit codes (the container health check relies on them):

- 0: healthy;
- 1: unhealthy: no sync for more than ``--max-sync-minutes`` (default 5), or the oldest
  unsent outbox row or unhandled inbox row older than ``--max-queue-minutes`` (default 10),
  or a delivery set aside past its bound (``CPTS_DELIVERY_STUCK_MINUTES``);
- 2: not set up: no ``credentials.json`` or no readable database in the data directory.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpts_bot.command_settings import local_settings_of
from cpts_bot.core.health import (
    HEALTHY,
    NOT_SET_UP,
    UNHEALTHY,
    HealthLimits,
    StatusSnapshot,
    problems,
)
from cpts_bot.operations.delivery_status import delivery_report
from cpts_bot.operations.status_details import detail_lines
from cpts_bot.settings import ConfigError
from cpts_bot.storage.bot_status import read_snapshot

CREDENTIALS_NAME = "credentials.json"


def register_cli(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    status = subparsers.add_parser(
        "status", help="the running bot's health (exit 0 healthy, 1 unhealthy, 2 not set up)"
    )
    status.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the bot's data directory (default: CPTS_DATA_DIR, as every command reads it)",
    )
    status.add_argument("--max-sync-minutes", type=float, default=5)
    status.add_argument("--max-queue-minutes", type=float, default=10)
    status.add_argument(
        "--no-homeserver",
        action="store_true",
        help="do not ask the homeserver its version nor check the token (offline)",
    )
    status.set_defaults(handler=run_status)


def run_status(args: argparse.Namespace, now: datetime | None = None) -> int:
    try:
        settings = local_settings_of(args)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return NOT_SET_UP
    data_dir = Path(args.data_dir) if args.data_dir else settings.data_dir
    snapshot = read_snapshot(
        data_dir / settings.database_path.name,
        now or datetime.now(UTC),
        has_credentials=(data_dir / CREDENTIALS_NAME).exists(),
    )
    limits = HealthLimits(
        max_sync_age=timedelta(minutes=args.max_sync_minutes),
        max_queue_age=timedelta(minutes=args.max_queue_minutes),
    )
    code, found = problems(snapshot, limits)
    database = data_dir / settings.database_path.name
    more_lines, stuck = delivery_report(database)
    if stuck and code == HEALTHY:
        code = UNHEALTHY
    print("\n".join([*status_lines(snapshot, found + stuck), *more_lines]))
    print("\n".join(detail_lines(data_dir, database, snapshot.now, not args.no_homeserver)))
    return code


def status_lines(snapshot: StatusSnapshot, found: list[str]) -> list[str]:
    def when(moment: datetime | None) -> str:
        if moment is None:
            return "never"
        age = int((snapshot.now - moment).total_seconds())
        return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({age} s ago)"

    lines = [
        f"health:        {'healthy' if not found else 'UNHEALTHY'}",
        f"device:        {snapshot.device_id or '?'} ({snapshot.user_id or '?'})",
        f"cross-signing: {snapshot.cross_signing or '?'}",
        f"rooms joined:  {'?' if snapshot.rooms_joined is None else snapshot.rooms_joined}",
        f"inbox:         {snapshot.inbox_waiting} waiting",
        f"outbox:        {snapshot.outbox_unsent} unsent"
        + (f", oldest {when(snapshot.oldest_unsent_at)}" if snapshot.oldest_unsent_at else ""),
        f"last sync:     {when(snapshot.last_sync_at)}",
    ]
    lines += [f"problem:       {problem}" for problem in found]
    return lines
