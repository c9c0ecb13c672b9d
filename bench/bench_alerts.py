"""Territorial alerts: firing accuracy, and one alert posted to many rooms.

Starts a Synapse on 127.0.0.1 and cpts-bot as a separate process. A coordinator (a real
E2EE client) creates the alerts by chat, as in production (« alerte … | quand: dans 15
secondes », then « oui »).

1. Accuracy: 50 alerts, each due 15 s after it was written, posted in one encrypted
   alerts room; for each, the delay from its scheduled time to the post's
   ``origin_server_ts`` (the homeserver's clock, same machine), to the job that queued it
   (``alert_firings.fired_at``) and to the decrypted post reaching the coordinator's client.
   Run with the due-alerts check every 5 s (the default) and every 1 s
   (``alerts.check_seconds``).
2. Fan-out: one urgent alert to 50 encrypted rooms: time from the job queueing it to the
   last room having it (first post in each room: new Megolm sessions; then a second
   alert with the sessions in place).

Writes the "alerts" section of docs/benchmarks.md.

Usage: python bench/bench_alerts.py [--alerts 50] [--rooms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nio import RoomGetEventResponse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_support as support  # noqa: E402
from bench.bench_report import write_section  # noqa: E402
from cpts_bot.core.times import from_iso  # noqa: E402
from cpts_bot.devtools.matrix_user import MatrixUser  # noqa: E402
from cpts_bot.devtools.synapse import SynapseServer  # noqa: E402

ALERT_NUMBER = re.compile(r"Alerte n° (\d+)")
LEAD_SECONDS = 15


@dataclass
class Watcher:
    """Stamps the wall-clock time at which each event reaches the client."""

    client: MatrixUser
    seen: dict[str, float] = field(default_factory=dict)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            for item in self.client.received[len(self.seen) :]:
                self.seen[item.event_id] = time.time()
            await asyncio.sleep(0.01)

    def stop(self) -> None:
        if self._task:
            self._task.cancel()


def bot_process(
    folder: Path,
    bot_id: str,
    password: str,
    url: str,
    coordinator_id: str,
    alert_rooms: list[str],
    check: float,
) -> subprocess.Popen[bytes]:
    """cpts-bot started in ``folder``, posting alerts to ``alert_rooms``, logged in."""
    config = {
        "territory": {
            "name": "CPTS Bench",
            "communes": [{"insee": "69388", "name": "Lyon 8e Arrondissement"}],
        },
        "coordinators": [coordinator_id],
        "rooms": {"alerts": alert_rooms},
        "alerts": {"check_seconds": check},
    }
    rooms_file = support.write_rooms_file(folder / "rooms.yaml", config)
    return support.BotRun(url, bot_id, password, folder / "data", rooms_file).start(
        folder / "bot.log", timeout=90
    )


async def wait_until(predicate: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("waited too long")
        await asyncio.sleep(0.05)


async def create_alert(coordinator: MatrixUser, room: str, line: str) -> int:
    asked = await coordinator.wait_reply(await coordinator.send(room, line), timeout=60)
    match = re.search(r"Alerte n° (\d+) à confirmer", asked.body)
    if not match:
        raise RuntimeError(asked.body)
    await coordinator.wait_reply(await coordinator.send(room, "oui"), timeout=60)
    return int(match.group(1))


def firings(folder: Path) -> dict[int, tuple[datetime, datetime]]:
    """alert id -> (scheduled_for, fired_at) of its posted firing."""
    with sqlite3.connect(f"file:{folder / 'data' / 'cpts-bot.sqlite'}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT alert_id, scheduled_for, fired_at FROM alert_firings WHERE status = 'posted'"
        ).fetchall()
    return {row[0]: (from_iso(row[1]), from_iso(row[2])) for row in rows}


async def server_ts(client: MatrixUser, room: str, event_id: str) -> float:
    assert client.client is not None
    response = await client.client.room_get_event(room, event_id)
    assert isinstance(response, RoomGetEventResponse), response
    return response.event.server_timestamp / 1000


def posts(client: MatrixUser, bot_id: str, rooms: set[str], number: int | None = None) -> list:
    return [
        item
        for item in client.received
        if item.sender == bot_id
        and item.room_id in rooms
        and item.reply_to is None
        and (match := ALERT_NUMBER.search(item.body))
        and (number is None or int(match.group(1)) == number)
    ]


def stats_row(label: str, values: list[float]) -> str:
    return f"| {label} | {support.median_p95(values, 2)} | {min(values):.2f} | {max(values):.2f} |"


async def accuracy(
    synapse: SynapseServer, work: Path, coordinator: MatrixUser, check: float, count: int
) -> list[str]:
    name = f"bot-check-{check:g}s".replace(".", "-")
    bot_id, password = support.new_user(synapse, name)
    folder = work / name
    folder.mkdir()
    room = await coordinator.create_encrypted_room([bot_id], direct=False, moderators=[bot_id])
    process = bot_process(folder, bot_id, password, synapse.url, coordinator.user_id, [room], check)
    try:
        await coordinator.wait_joined(room, bot_id, timeout=60)
        direct = await coordinator.create_encrypted_room([bot_id])
        await coordinator.wait_joined(direct, bot_id, timeout=60)
        numbers = []
        for index in range(count):
            numbers.append(
                await create_alert(
                    coordinator,
                    direct,
                    f"alerte info: Bench {index} | quand: dans {LEAD_SECONDS} secondes"
                    " | pour: tous",
                )
            )
        await wait_until(lambda: len(posts(coordinator, bot_id, {room})) >= count, 120)
    finally:
        process.terminate()
        process.wait(30)
    fired = firings(folder)
    to_server, to_job, to_client = [], [], []
    for item in posts(coordinator, bot_id, {room}):
        number = int(ALERT_NUMBER.search(item.body).group(1))  # type: ignore[union-attr]
        scheduled, queued = fired[number]
        ts = await server_ts(coordinator, room, item.event_id)
        to_server.append(ts - scheduled.timestamp())
        to_job.append((queued - scheduled).total_seconds())
        to_client.append(watcher_seen(coordinator)[item.event_id] - scheduled.timestamp())
    assert len(to_server) == count, len(to_server)
    return [
        stats_row(f"check every {check:g} s: scheduled → job queues it", to_job),
        stats_row(f"check every {check:g} s: scheduled → posted (server ts)", to_server),
        stats_row(f"check every {check:g} s: scheduled → decrypted at client", to_client),
    ]


WATCHERS: dict[str, Watcher] = {}


def watcher_seen(client: MatrixUser) -> dict[str, float]:
    return WATCHERS[client.user_id].seen


async def fan_out(
    synapse: SynapseServer, work: Path, coordinator: MatrixUser, room_count: int
) -> list[str]:
    bot_id, password = support.new_user(synapse, "bot-fanout")
    folder = work / "bot-fanout"
    folder.mkdir()
    rooms = [
        await coordinator.create_encrypted_room([bot_id], direct=False, moderators=[bot_id])
        for _ in range(room_count)
    ]
    process = bot_process(folder, bot_id, password, synapse.url, coordinator.user_id, rooms, 1)
    lines = []
    try:
        for room in rooms:
            await coordinator.wait_joined(room, bot_id, timeout=120)
        direct = await coordinator.create_encrypted_room([bot_id])
        await coordinator.wait_joined(direct, bot_id, timeout=60)
        for label in ("first alert (new Megolm session per room)", "second alert"):
            number = await create_alert(
                coordinator,
                direct,
                f"alerte urgent: Bench diffusion | quand: dans {LEAD_SECONDS} secondes"
                " | pour: tous",
            )
            await wait_until(
                lambda n=number: len(posts(coordinator, bot_id, set(rooms), n)) >= room_count,
                180,
            )
            scheduled, queued = firings(folder)[number]
            received = posts(coordinator, bot_id, set(rooms), number)
            stamps = [
                await server_ts(coordinator, item.room_id, item.event_id) for item in received
            ]
            seen = [watcher_seen(coordinator)[item.event_id] for item in received]
            lines.append(
                f"| {label} | {(queued - scheduled).total_seconds():.2f} | "
                f"{min(stamps) - queued.timestamp():.2f} | {max(stamps) - queued.timestamp():.2f} | "
                f"{max(seen) - queued.timestamp():.2f} | {max(seen) - scheduled.timestamp():.2f} |"
            )
    finally:
        process.terminate()
        process.wait(30)
    return lines


async def run(count: int, room_count: int) -> str:
    work = Path(tempfile.mkdtemp(prefix="cpts-bench-alerts-"))
    synapse = support.start_synapse(work)
    try:
        coordinator_id, password = support.new_user(synapse, "coord")
        coordinator = await MatrixUser(synapse.url, coordinator_id, password, work / "c").start()
        watcher = Watcher(coordinator)
        WATCHERS[coordinator_id] = watcher
        watcher.start()
        accuracy_rows = []
        for check in (5.0, 1.0):
            accuracy_rows += await accuracy(synapse, work, coordinator, check, count)
            print("\n".join(accuracy_rows[-3:]), flush=True)
        fan_rows = await fan_out(synapse, work, coordinator, room_count)
        watcher.stop()
        await coordinator.stop()
    finally:
        synapse.stop()
    lines = [
        f"### Firing accuracy ({count} alerts, delay after the scheduled time, seconds)",
        "",
        "| measure | median | p95 | min | max |",
        "|---|---|---|---|---|",
        *accuracy_rows,
        "",
        f"Each alert was written by chat {LEAD_SECONDS} s ahead (« quand: dans"
        f" {LEAD_SECONDS} secondes »), one after the other, so the due times fall at every"
        " phase of the check interval; one encrypted alerts room where the bot may pin"
        ' (each post is pinned by the next check). "Posted" is the post\'s'
        ' `origin_server_ts` (Synapse on the same machine); "decrypted at client" is when'
        " the coordinator's nio client had it. The delay is the wait for the next check of"
        " due alerts (on average half of `alerts.check_seconds`) plus the send; set"
        " `alerts.check_seconds: 1` in rooms.yaml for a more punctual bot.",
        "",
        f"### One urgent alert to {room_count} encrypted rooms (seconds)",
        "",
        "| alert | scheduled → job queues it | job → first room (server ts) |"
        " job → last room (server ts) | job → last room decrypted at client |"
        " scheduled → last room at client |",
        "|---|---|---|---|---|---|",
        *fan_rows,
        "",
        "Rooms given in rooms.yaml `rooms.alerts`; the bot and the coordinator are in each;"
        " check every 1 s. The posts go out one room after the other from the outbox; the"
        " pins are queued by the next check, after them.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=50)
    parser.add_argument("--rooms", type=int, default=50)
    args = parser.parse_args()
    body = asyncio.run(run(args.alerts, args.rooms))
    print(body)
    write_section("alerts", "Territorial alerts: firing accuracy and fan-out to many rooms", body)


if __name__ == "__main__":
    main()
