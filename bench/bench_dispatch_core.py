"""Dispatch requests without the network: SQLite and the handlers only.

Measures, over a real SQLite file: (1) handling a dispatch request that is broadcast to
20 professionals (parse, select, record, queue 20 messages); (2) N professionals
accepting at the same moment, each on its own connection and transaction (time until
all are answered, and that exactly one won); (3) the periodic deadline scan with 1,000
open dispatches and nothing due (what runs every few seconds).

Run: ``python bench/bench_dispatch_core.py`` (writes its section of docs/benchmarks.md).
The end-to-end figures through a homeserver are in the reply-latency benchmark.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_report import percentile, write_section
from cpts_bot.chat.command_dispatch import Routes, route_message, route_reaction
from cpts_bot.core.messages import IncomingMessage, IncomingReaction
from cpts_bot.features.directory.models import PracticeSite, Professional
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.escalation_service import (
    on_sent,
    run_due_dispatch_steps,
)
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

HYERES = "83069"
COORDINATOR = "@coord:bench.test"
CONFIG = RoomsConfig.model_validate(
    {
        "territory": {"name": "Bench", "communes": [{"insee": HYERES, "name": "Hyères"}]},
        "coordinators": [COORDINATOR],
    }
)
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


class Directory:
    def __init__(self, count: int) -> None:
        self.people = [
            Professional(
                key=f"cpts:{i}",
                last_name=f"Nurse{i}",
                first_name="",
                profession_code="60",
                sites=(PracticeSite(HYERES, "Hyères"),),
                matrix_id=f"@nurse{i}:bench.test",
            )
            for i in range(count)
        ]

    async def members(
        self, db: aiosqlite.Connection, profession_code: str, communes: Collection[str] | None
    ) -> list[Professional]:
        return [p for p in self.people if p.profession_code == profession_code]

    async def by_matrix_id(self, db: aiosqlite.Connection, user_id: str) -> Professional | None:
        return next((p for p in self.people if p.matrix_id == user_id), None)


def context(db: aiosqlite.Connection, event: IncomingMessage | IncomingReaction) -> Context:
    reply_room = event.room_id if isinstance(event, IncomingMessage) else None
    reply_to = event.event_id if isinstance(event, IncomingMessage) else None
    return Context(
        db,
        NOW,
        OutboxWriter(db, NOW, reply_to, reply_room),
        CONFIG,
        Translator("fr"),
        "@bot:bench.test",
    )


async def send_outbox(database: Database) -> dict[str, str]:
    """Mark queued rows sent; return broadcast event ids by recipient."""
    events = {}
    async with database.transaction() as db:
        async with db.execute("SELECT * FROM outbox WHERE sent_at IS NULL") as cursor:
            rows = list(await cursor.fetchall())
        for row in rows:
            event_id = f"$e{row['id']}"
            await db.execute(
                "UPDATE outbox SET sent_at = ?, event_id = ? WHERE id = ?",
                ("x", event_id, row["id"]),
            )
            if row["correlation"] and row["correlation"].startswith("dispatch:"):
                await on_sent(db, row["correlation"], f"!dm-{row['target']}", event_id, NOW)
                if ":broadcast:" in row["correlation"]:
                    events[row["target"]] = event_id
    return events


async def bench_request(folder: Path, rounds: int) -> list[float]:
    database = await Database.open(folder / "request.sqlite")
    feature = DispatchFeature(Directory(20))
    timings = []
    for index in range(rounds):
        msg = IncomingMessage(
            f"$req{index}",
            "!coord:bench.test",
            COORDINATOR,
            "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord",
            NOW,
        )
        started = time.perf_counter()
        async with database.transaction() as db:
            await route_message(Routes.of(feature), msg, context(db, msg))
        timings.append((time.perf_counter() - started) * 1000)
    await database.close()
    return timings


async def bench_race(
    folder: Path, count: int, rounds: int, shared: bool = False
) -> tuple[list[float], int]:
    timings, single_winner = [], 0
    for index in range(rounds):
        path = folder / f"race{count}-{index}-{shared}.sqlite"
        database = await Database.open(path)
        feature = DispatchFeature(Directory(count))
        msg = IncomingMessage(
            "$req",
            "!coord:bench.test",
            COORDINATOR,
            "déclenchement IDE Hyères maintenant prise de sang, patient d'accord",
            NOW,
        )
        async with database.transaction() as db:
            await route_message(Routes.of(feature), msg, context(db, msg))
        events = await send_outbox(database)
        connections = [] if shared else [await Database.open(path) for _ in range(count)]

        async def accept(
            i: int,
            connection: Database,
            events: dict[str, str] = events,
            feature: DispatchFeature = feature,
        ) -> None:
            user = f"@nurse{i}:bench.test"
            event = IncomingReaction(f"$r{i}", f"!dm-{user}", user, "👍", events[user], NOW)
            async with connection.transaction() as db:
                await route_reaction(Routes.of(feature), event, context(db, event))

        if shared:
            # The bot's own way: one connection, write transactions taken in turn.
            connections = [database] * count
        started = time.perf_counter()
        await asyncio.gather(*(accept(i, c) for i, c in enumerate(connections)))
        timings.append((time.perf_counter() - started) * 1000)
        winners = await database.fetch_all(
            "SELECT 1 FROM dispatch_transitions WHERE event = 'accept'"
        )
        single_winner += len(winners) == 1
        for connection in set(connections) - {database}:
            await connection.close()
        await database.close()
    return timings, single_winner


async def bench_scan(folder: Path, open_count: int, rounds: int) -> list[float]:
    database = await Database.open(folder / "scan.sqlite")
    stamp = "2026-11-23T14:00:00.000000Z"
    later = "2026-11-23T18:00:00.000000Z"
    async with database.transaction() as db:
        await db.executemany(
            "INSERT INTO dispatches (state, requester, request_room, profession, communes,"
            " needed_at, needed_precision, what, next_step_at, expires_at, created_at,"
            " updated_at) VALUES ('open', ?, '!r', '60', ?, ?, 'time', 'soin', ?, ?, ?, ?)",
            [(COORDINATOR, HYERES, stamp, later, later, stamp, stamp)] * open_count,
        )
    runtime = (database, CONFIG, Directory(0))
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        done = await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=1))
        timings.append((time.perf_counter() - started) * 1000)
        assert done == []
    await database.close()
    return timings


def line(label: str, values: list[float]) -> str:
    return (
        f"| {label} | {len(values)} | {percentile(values, 0.5):.1f} | "
        f"{percentile(values, 0.99):.1f} | {max(values):.1f} |"
    )


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        request = await bench_request(folder, 100)
        race5, ok5 = await bench_race(folder, 5, 20)
        race20, ok20 = await bench_race(folder, 20, 10)
        shared20, ok_shared = await bench_race(folder, 20, 20, shared=True)
        scan = await bench_scan(folder, 1000, 50)
    body = "\n".join(
        [
            "| measure | runs | p50 ms | p99 ms | max ms |",
            "|---|---|---|---|---|",
            line("request handled and broadcast to 20 (one transaction)", request),
            line("5 simultaneous accepts, each on its own connection", race5),
            line("20 simultaneous accepts, each on its own connection", race20),
            line("20 simultaneous accepts on the bot's single connection", shared20),
            line("deadline scan, 1,000 open dispatches, nothing due", scan),
            "",
            f"Exactly one winner in {ok5}/{len(race5)} races of 5, {ok20}/{len(race20)} races "
            f"of 20 on separate connections and {ok_shared}/{len(shared20)} on one connection. "
            "Separate connections wait on SQLite's busy handler (it sleeps between retries), "
            "hence the seconds for 20; the bot itself uses one connection and takes its write "
            "transactions in turn, which is the last-but-one line.",
        ]
    )
    print(body)
    write_section("dispatch-core", "Dispatch requests (SQLite, no network)", body)


if __name__ == "__main__":
    asyncio.run(main())
