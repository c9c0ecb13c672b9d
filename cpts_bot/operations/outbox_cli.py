"""``cpts-bot outbox list`` and ``cpts-bot outbox drop ID``: what the bot still owes the
homeserver, and removing a row that cannot be delivered (a recipient whose server is
gone, a room the bot was removed from).

``list`` shows every unsent row: its number, kind, destination, age, attempts, and
whether it waits, is being retried (until when) or was set aside (stuck). ``drop``
closes a row unsent: it is never sent, its text is erased; the running bot picks the
change up at its next turn. Safe while the bot runs (SQLite serialises the writes).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from cpts_bot.command_settings import local_settings_of
from cpts_bot.settings import ConfigError
from cpts_bot.storage import outbox_delivery as delivery
from cpts_bot.storage.database import Database, with_database


def register_cli(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    outbox = subparsers.add_parser("outbox", help="list or drop what the bot still has to send")
    outbox.add_argument("--data-dir", type=Path, default=None, help="the bot's data directory")
    actions = outbox.add_subparsers(dest="outbox_action", required=True)
    actions.add_parser("list", help="every unsent row, stuck ones included")
    drop = actions.add_parser("drop", help="never send this row (its text is erased)")
    drop.add_argument("row_id", type=int, metavar="ID", help="the row's number, from « list »")
    outbox.set_defaults(handler=run_outbox)


def run_outbox(args: argparse.Namespace) -> int:
    try:
        settings = local_settings_of(args)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    data_dir = Path(args.data_dir) if args.data_dir else settings.data_dir
    database = data_dir / settings.database_path.name
    if not database.exists():
        print(f"error: no database at {database}", file=sys.stderr)
        return 2
    if args.outbox_action == "drop":
        return asyncio.run(_drop(database, args.row_id))
    return asyncio.run(_list(database))


async def _list(path: Path) -> int:
    rows = await with_database(path, delivery.open_rows)
    print(f"{len(rows)} unsent")
    for row in rows:
        print(" ".join(_describe(row)))
    return 0


def _describe(row: delivery.DeliveryRow) -> list[str]:
    if row.stuck_at is not None:
        state = f"STUCK since {row.stuck_at:%Y-%m-%d %H:%M:%S} UTC"
    elif row.retry_at is not None:
        state = f"retrying at {row.retry_at:%H:%M:%S} UTC"
    else:
        state = "waiting"
    words = [
        f"{row.id:>6}",
        row.action,
        row.target,
        f"queued {row.created_at:%Y-%m-%d %H:%M:%S} UTC,",
        f"attempts {row.attempts},",
        state,
    ]
    if row.correlation:
        words.append(f"[{row.correlation}]")
    if row.last_error:
        words.append(f"— {row.last_error}")
    return words


async def _drop(path: Path, row_id: int) -> int:
    async def drop(database: Database) -> int:
        async with database.transaction() as db:
            return await delivery.close_unsent(
                db, [row_id], delivery.REASON_DROPPED, datetime.now(UTC)
            )

    closed = await with_database(path, drop)
    if not closed:
        print(
            f"error: no unsent outbox row {row_id} (see « cpts-bot outbox list »)", file=sys.stderr
        )
        return 1
    print(f"outbox row {row_id} dropped: it will not be sent")
    return 0
