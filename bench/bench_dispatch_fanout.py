"""Fan-out of one dispatch to N professionals, each in their own encrypted direct chat.

Starts a Synapse on 127.0.0.1 and registers N professionals (nurses of one commune,
imported into the directory with their Matrix IDs, no rota: every one is asked). Each
professional is a real matrix-nio client with its own Olm account, long-polling the
homeserver and decrypting what it receives (all of them in this one process).

Measured, each time from the moment the request (or the accept) is sent:

- the floor: a bare matrix-nio client does the same sends with the same parallelism as
  the bot's outbox gives bulk sends (up to BULK_SLOTS rooms at once): a first message to each of the N
  professionals, creating their direct chats on the way; a second one to the existing
  chats; an edit of it for N-1 of them;
- cpts-bot (a separate process), started with the professionals in its directory:
  it opens their direct chats ahead of need (one at a time) and shares each chat's room
  key and writes its welcome once its professional has joined (the chat's first
  message, as in a chat already used); once every professional has had it, a
  coordinator sends "déclenchement IDE … maintenant …" and the time until each
  professional has decrypted the dispatch is measured (the coordinator's room with the
  bot has had a question and its answer before). Dispatch 1 goes to members who
  never wrote to the bot (chats opened ahead, nothing in them but the welcome);
  dispatches 2 and after (``--rounds``) to the same chats again (existing chats);
- after a professional replies "je prends": time until each of the N-1 others has been
  told: their broadcast edited to "[Pris par …]" (the only message they get);
- after each of the bot's dispatches, the bare client's sends to existing chats and
  edits once more: bot and bare client take turns, so that both meet the same load on
  the machine, and the ratios are of the medians (one measurement moves by a tenth or
  more from one round to the next).

The whole run is done on Synapse with SQLite, then again on Synapse with PostgreSQL (its
production database: a throw-away cluster of its own, on a Unix socket, needs initdb and
postgres on PATH or in CPTS_POSTGRES_BIN), with each request's CPU on the homeserver
summed per kind of request and phase from Synapse's request log.

Each database gets ``--runs`` whole runs (default 3; a new homeserver and a new bot each,
after the machine's load has gone down), since the first dispatch happens once per run:
a summary gives each run's ratios and their median, then the first run's details. On
PostgreSQL, the server's own autovacuum runs and checkpoints logged during the first
dispatch are named beside it.

Usage: python bench/bench_dispatch_fanout.py [--professionals 100] [--rounds 5]
       [--runs 3] [--database both]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    MegolmEvent,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)
from nio.api import RoomPreset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_support as support  # noqa: E402
from bench.bench_report import percentile, write_section  # noqa: E402
from bench.synapse_requests import Kind, RequestLog, table  # noqa: E402
from cpts_bot.devtools.matrix_user import MatrixUser  # noqa: E402
from cpts_bot.devtools.postgres import PostgresCluster  # noqa: E402
from cpts_bot.devtools.synapse import SynapseServer, install_postgres_driver  # noqa: E402
from cpts_bot.matrix.delivery_throttle import BULK_SLOTS  # noqa: E402
from cpts_bot.matrix.matrix_chat_gateway import DIRECT_ROOMS_AT_ONCE  # noqa: E402

# To put the homeserver's timestamps (wall clock, same machine) on the perf_counter scale.
WALL_MINUS_PERF = time.time() - time.perf_counter()

DIRECTORY_HEADER = (
    "kind,rpps,id,title,last_name,first_name,profession_code,profession_label,"
    "specialties,structure_type,name,offer,address,postal_code,commune_insee,"
    "commune_name,structure_name,phone,activities,modalities,languages,matrix_id,active"
)


@dataclass
class Seen:
    at: float  # perf_counter when the recipient's sync delivered it, decrypted
    room_id: str
    sender: str
    body: str
    event_id: str
    accepted_at: float = 0.0  # perf_counter time of the homeserver's origin_server_ts


@dataclass
class Professional:
    """A light E2EE client: long-polls (30 s), joins invites, records what it decrypts."""

    homeserver: str
    user_id: str
    device_id: str
    token: str
    store: Path
    changed: asyncio.Event
    seen: list[Seen] = field(default_factory=list)
    undecryptable: int = 0
    client: AsyncClient | None = None
    task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.store.mkdir(parents=True, exist_ok=True)
        config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False)
        self.client = AsyncClient(
            self.homeserver,
            self.user_id,
            device_id=self.device_id,
            store_path=str(self.store),
            config=config,
        )
        self.client.restore_login(self.user_id, self.device_id, self.token)
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        await self.sync_once(0)
        self.task = asyncio.create_task(self.loop())

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass
        if self.client:
            await self.client.close()

    async def loop(self) -> None:
        while True:
            try:
                await self.sync_once(30000)
            except asyncio.CancelledError:
                raise
            except Exception:
                await asyncio.sleep(0.5)

    async def sync_once(self, timeout: int) -> None:
        client = self.client
        assert client is not None
        response = await client.sync(timeout=timeout)
        now = time.perf_counter()
        if not isinstance(response, SyncResponse):
            await asyncio.sleep(0.5)
            return
        for room_id, info in response.rooms.invite.items():
            if any(isinstance(event, InviteMemberEvent) for event in info.invite_state):
                await client.join(room_id)
        for room_id, info in response.rooms.join.items():
            for event in info.timeline.events:
                if getattr(event, "sender", None) == self.user_id:
                    continue
                if isinstance(event, (RoomMessageText, RoomMessageNotice)):
                    accepted = event.server_timestamp / 1000 - WALL_MINUS_PERF
                    self.seen.append(
                        Seen(now, room_id, event.sender, event.body, event.event_id, accepted)
                    )
                    self.changed.set()
                elif isinstance(event, MegolmEvent):
                    self.undecryptable += 1
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await client.send_to_device_messages()

    async def send(self, room_id: str, body: str, reply_to: str | None = None) -> None:
        client = self.client
        assert client is not None
        content: dict[str, object] = {"msgtype": "m.text", "body": body}
        if reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        if client.should_query_keys:
            await client.keys_query()
        response = await client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        assert isinstance(response, RoomSendResponse), response

    def first(self, predicate: Callable[[Seen], bool]) -> Seen | None:
        return next((item for item in self.seen if predicate(item)), None)


FIRST_LABEL = "members who never wrote, chats opened ahead"


async def wait_chats_opened_ahead(
    professionals: list[Professional], bot_id: str, timeout: float
) -> None:
    """Until every professional has joined a direct chat the bot opened ahead of need,
    holds its room key (shared by the bot once they joined) and has had the bot's
    welcome there (sent once they joined: services/direct_chat_welcome.py)."""
    deadline = time.monotonic() + timeout

    def ready(pro: Professional) -> bool:
        if pro.client is None or pro.client.olm is None:
            return False
        rooms = {room_id for room_id, room in pro.client.rooms.items() if bot_id in room.users}
        keys = {session.room_id for session in pro.client.olm.inbound_group_store}
        welcomed = {item.room_id for item in pro.seen if item.sender == bot_id}
        return bool(rooms & keys & welcomed)

    while True:
        waiting = [pro for pro in professionals if not ready(pro)]
        if not waiting:
            return
        if unreadable := [pro.user_id for pro in waiting if pro.undecryptable]:
            # A room key that never came: waiting longer would not bring the welcome.
            raise RuntimeError(f"undecryptable events from the bot for {unreadable}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(waiting)} direct chats never opened ahead")
        await asyncio.sleep(0.5)


async def wait_all(
    changed: asyncio.Event,
    professionals: list[Professional],
    predicate: Callable[[Seen], bool],
    timeout: float,
) -> list[Seen]:
    """Wait until each professional has seen a matching message; what each saw first."""
    deadline = time.monotonic() + timeout
    while True:
        changed.clear()
        found = [pro.first(predicate) for pro in professionals]
        if all(found):
            return [item for item in found if item is not None]
        if time.monotonic() > deadline:
            missing = sum(1 for item in found if item is None)
            raise TimeoutError(f"{missing} of {len(professionals)} never received it")
        try:
            await asyncio.wait_for(changed.wait(), 1.0)
        except TimeoutError:
            pass


def directory_csv(professionals: list[Professional]) -> str:
    lines = [DIRECTORY_HEADER]
    for index, pro in enumerate(professionals):
        fields = ["professional", f"199{index:08d}", "", "", f"BENCH{index:03d}", "Iris", "60"]
        fields += ["Infirmier", "", "", "", "", f"{index} rue Laënnec", "69008", "69388"]
        fields += ["Lyon 8e", "", f"04 78 {index:02d} 00 00", "", "", "", pro.user_id, "1"]
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


async def _bare_direct_chat(client: AsyncClient, user_id: str) -> str:
    """What the bot does to open a direct chat: create it, wait for the sync to show it
    with the invitee, track the invitee's devices."""
    response = await client.room_create(
        is_direct=True,
        invite=[user_id],
        preset=RoomPreset.trusted_private_chat,
        initial_state=[support.ENCRYPTION_STATE],
    )
    assert isinstance(response, RoomCreateResponse), response
    room_id = response.room_id
    for _ in range(1200):  # at most a minute
        room = client.rooms.get(room_id)
        if room is not None and user_id in room.users:
            break
        await asyncio.sleep(0.05)
    assert client.olm is not None
    client.olm.update_tracked_users(client.rooms[room_id])
    if client.should_query_keys:
        await client.keys_query()
    return room_id


async def _bare_send(client: AsyncClient, room_id: str, content: dict[str, object]) -> str:
    if client.should_query_keys:
        await client.keys_query()
    response = await client.room_send(
        room_id, "m.room.message", content, ignore_unverified_devices=True
    )
    assert isinstance(response, RoomSendResponse), response
    return str(response.event_id)


@dataclass
class Bare:
    """The bare client's measurements: its first ones (arrival times in ms), and what
    it does again later in the run."""

    first: dict[str, list[float]]
    repeat: Callable[[int], Awaitable[dict[str, list[float]]]]
    open_ahead: Callable[[], Awaitable[None]]
    first_ahead: Callable[[], Awaitable[dict[str, list[float]]]]
    close: Callable[[], Awaitable[None]]


BARE_AHEAD = "first message, chats opened ahead"
BARE_WELCOME = "Bienvenue (bare)"


async def baseline(
    synapse: SynapseServer,
    work: Path,
    professionals: list[Professional],
    changed: asyncio.Event,
    admin_token: str,
    phases: Phases,
) -> Bare:
    """The floor: a bare nio client doing the bot's sends with the same parallelism
    (BULK_SLOTS rooms at once, as the outbox's bulk sends). Arrival times (ms) relative to each start: first
    contact (direct chats created on the way), a second message to existing chats, and
    edits of that message for all but the first professional; a function that does
    the last two once more (after the bot's sends, to bracket them); and what the bot
    does for members who never wrote: direct chats opened ahead (room key shared once
    joined, a welcome), then a first message into them."""
    user_id, device_id, token = synapse.register_with_login(
        f"bare-{secrets.token_hex(3)}", support.new_password()
    )
    support.exempt_from_rate_limits(synapse, admin_token, user_id)
    sender = Professional(synapse.url, user_id, device_id, token, work / "bare", changed)
    await sender.start()
    client = sender.client
    assert client is not None
    limit = asyncio.Semaphore(BULK_SLOTS)
    creating = asyncio.Semaphore(DIRECT_ROOMS_AT_ONCE)
    rooms: dict[str, str] = {}

    async def first_contact(pro: Professional) -> None:
        async with creating:
            rooms[pro.user_id] = await _bare_direct_chat(client, pro.user_id)
        async with limit:
            await _bare_send(client, rooms[pro.user_id], {"msgtype": "m.text", "body": "Bonjour 1"})

    results: dict[str, list[float]] = {}

    async def measure(name: str, sends: list[Any], body: str, who: list[Professional]) -> None:
        started = time.perf_counter()
        phase = f"bare nio client, {name}"
        recorded = phase not in phases.done
        if recorded:
            phases.begin(phase)
        await asyncio.gather(*sends)
        arrivals = await wait_all(
            changed,
            who,
            lambda item, body=body: item.sender == user_id and item.body == body,
            timeout=300,
        )
        if recorded:
            phases.end()
        results[name] = [(item.at - started) * 1000 for item in arrivals]
        results[f"{name}, homeserver accepted"] = [
            (item.accepted_at - started) * 1000 for item in arrivals
        ]

    await measure(
        "first contact (chats created)",
        [first_contact(pro) for pro in professionals],
        "Bonjour 1",
        professionals,
    )
    events: dict[str, str] = {}

    async def second(pro: Professional, body: str = "Bonjour 2") -> None:
        async with limit:
            content = {"msgtype": "m.text", "body": body}
            events[pro.user_id] = await _bare_send(client, rooms[pro.user_id], content)

    await measure(
        "existing chats", [second(pro) for pro in professionals], "Bonjour 2", professionals
    )

    async def edit(pro: Professional, body: str = "Bonjour 2") -> None:
        async with limit:
            new = {"msgtype": "m.text", "body": f"[Pris] {body}"}
            content = {
                **new,
                "body": f"* [Pris] {body}",
                "m.new_content": new,
                "m.relates_to": {"rel_type": "m.replace", "event_id": events[pro.user_id]},
            }
            await _bare_send(client, rooms[pro.user_id], content)

    others = professionals[1:]
    await measure(
        f"edits for {len(others)} (one accepted)",
        [edit(pro) for pro in others],
        "* [Pris] Bonjour 2",
        others,
    )

    async def repeat(round_number: int) -> dict[str, list[float]]:
        """The same sends to existing chats and edits once more (between the bot's)."""
        results.clear()
        body = f"Bonjour {round_number + 2}"
        await measure(
            "existing chats", [second(pro, body) for pro in professionals], body, professionals
        )
        await measure(
            f"edits for {len(others)} (one accepted)",
            [edit(pro, body) for pro in others],
            f"* [Pris] {body}",
            others,
        )
        return dict(results)

    ahead: dict[str, str] = {}

    def joined(room_id: str, member: str) -> bool:
        room = client.rooms.get(room_id)
        return room is not None and member in room.users and member not in room.invited_users

    async def open_ahead() -> None:
        """As the bot does ahead of need (services/direct_chats_ahead.py): a direct chat
        per professional, its room key shared once they have joined, then a welcome (a
        notice); until every professional has had it."""

        async def one(pro: Professional) -> None:
            async with creating:
                ahead[pro.user_id] = await _bare_direct_chat(client, pro.user_id)
            room_id = ahead[pro.user_id]
            deadline = time.monotonic() + 300
            while not joined(room_id, pro.user_id):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{pro.user_id} never joined the chat opened ahead")
                await asyncio.sleep(0.1)
            async with limit:
                await client.share_group_session(room_id, ignore_unverified_devices=True)
                welcome = {"msgtype": "m.notice", "body": BARE_WELCOME}
                await _bare_send(client, room_id, welcome)

        await asyncio.gather(*(one(pro) for pro in professionals))
        await wait_all(
            changed,
            professionals,
            lambda item: item.sender == user_id and item.body == BARE_WELCOME,
            timeout=300,
        )

    async def first_ahead() -> dict[str, list[float]]:
        """The first message (after the welcome) into each chat opened ahead."""
        results.clear()
        body = "Bonjour, premier message"

        async def one(pro: Professional) -> None:
            async with limit:
                content = {"msgtype": "m.text", "body": body}
                await _bare_send(client, ahead[pro.user_id], content)

        await measure(BARE_AHEAD, [one(pro) for pro in professionals], body, professionals)
        return dict(results)

    async def close() -> None:
        await sender.stop()

    return Bare(dict(results), repeat, open_ahead, first_ahead, close)


def summary(values: list[float]) -> str:
    return (
        f"{min(values):.0f} | {statistics.median(values):.0f} | "
        f"{percentile(values, 0.95):.0f} | {max(values):.0f} | {len(values)}"
    )


class Phases:
    """The homeserver's requests during each measured phase (see bench/synapse_requests.py)."""

    def __init__(self, log: RequestLog) -> None:
        self.log = log
        self.current: tuple[str, int, float] | None = None
        self.done: dict[str, tuple[dict[str, Kind], float]] = {}

    def begin(self, name: str) -> None:
        self.current = (name, self.log.mark(), time.perf_counter())

    def end(self) -> None:
        assert self.current is not None
        name, start, started = self.current
        self.done[name] = (self.log.since(start), time.perf_counter() - started)
        self.current = None


@dataclass
class Run:
    """What one run measured (arrival times in ms) on one homeserver database."""

    database: str
    floor: dict[str, list[float]]
    floor_rounds: list[dict[str, list[float]]]
    rows: dict[str, list[float]]
    told: dict[str, list[float]]
    undecryptable: int
    phases: dict[str, tuple[dict[str, Kind], float]]
    load_before: float
    load_after: float
    opened_ahead_s: float
    # PostgreSQL only: the server's own background work (autovacuum, checkpoints) that
    # fell inside each of the bot's dispatches, by dispatch number.
    background: dict[int, list[str]] = field(default_factory=dict)
    # The bare client's first message into chats it opened ahead, just before the bot's
    # first dispatch.
    floor_ahead: dict[str, list[float]] = field(default_factory=dict)
    # Seconds from the last welcome to the first message into the chats opened ahead:
    # the bare client's, the bot's.
    idle_s: tuple[float, float] = (0.0, 0.0)


def start_homeserver(work: Path, database: str) -> tuple[SynapseServer, PostgresCluster | None]:
    """Synapse on SQLite, or on a PostgreSQL cluster of its own (Unix socket only)."""
    if database == "sqlite":
        return support.start_synapse(work, request_log=True), None
    python = support.homeserver_python()
    install_postgres_driver(python)
    cluster = PostgresCluster(settings=POSTGRES_LOGGING)
    cluster.start()
    try:
        cluster.create_database(python)
        return support.start_synapse(work, cluster.synapse_database(), request_log=True), cluster
    except Exception:
        cluster.stop()
        raise


# The server's background work, logged with its time, to be set against the phases.
POSTGRES_LOGGING = {
    "log_autovacuum_min_duration": "0",
    "log_checkpoints": "on",
    "log_timezone": "UTC",
    "log_line_prefix": "%m ",
}
BACKGROUND = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC LOG:\s+"
    r"(automatic (?:aggressive )?(?:vacuum|analyze) of table \"[^\"]+\"|checkpoint \w+)"
)


def background_work(log: str, windows: dict[int, tuple[float, float]]) -> dict[int, list[str]]:
    """PostgreSQL's autovacuum runs and checkpoints logged inside each window (wall clock,
    seconds since the epoch), by window; a checkpoint counts where it overlaps."""
    found: dict[int, list[str]] = {number: [] for number in windows}
    checkpoint_from: float | None = None
    for line in log.splitlines():
        match = BACKGROUND.match(line)
        if match is None:
            continue
        at = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC).timestamp()
        what = match[2]
        if what == "checkpoint starting":
            checkpoint_from = at
            continue
        since = at
        if what == "checkpoint complete":
            since, what = checkpoint_from if checkpoint_from is not None else at, "checkpoint"
            checkpoint_from = None
        elif what.startswith("checkpoint"):
            continue
        for number, (start, end) in windows.items():
            if since <= end and at >= start:
                found[number].append(what)
    return found


def describe_background(work: list[str]) -> str:
    """« none », or how many tables autovacuum went through and how many checkpoints."""
    checkpoints = work.count("checkpoint")
    tables = len(work) - checkpoints
    parts = [f"autovacuum: {tables} table(s)"] if tables else []
    parts += [f"{checkpoints} checkpoint(s)"] if checkpoints else []
    return ", ".join(parts) or "none"


async def run(count: int, database: str, rounds: int) -> Run:
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="cpts-bench-fanout-"))
    synapse, cluster = start_homeserver(work, database)
    phases = Phases(RequestLog(synapse.directory / "homeserver.log"))
    processes: list[subprocess.Popen[bytes]] = []
    changed = asyncio.Event()
    professionals: list[Professional] = []
    rows: dict[str, list[float]] = {}
    try:
        started = time.perf_counter()
        for index in range(count):
            user_id, device_id, token = synapse.register_with_login(
                f"ide{index:03d}-{secrets.token_hex(2)}", support.new_password()
            )
            professionals.append(
                Professional(synapse.url, user_id, device_id, token, work / f"p{index}", changed)
            )
        for batch in range(0, count, 20):
            await asyncio.gather(*(pro.start() for pro in professionals[batch : batch + 20]))
        print(
            f"{count} professionals registered and syncing in {time.perf_counter() - started:.0f} s"
        )

        _, _, admin_token = synapse.register_with_login(
            f"admin-{secrets.token_hex(3)}", support.new_password(), admin=True
        )
        bare = await baseline(synapse, work, professionals, changed, admin_token, phases)
        floor = bare.first
        floor_rounds = [floor]
        await bare.open_ahead()
        bare_welcomed = time.perf_counter()
        print("baseline done, bare client's chats opened ahead")

        coordinator_id, coordinator_password = support.new_user(synapse, "coord")
        coordinator = await MatrixUser(
            synapse.url, coordinator_id, coordinator_password, work / "coord"
        ).start()
        bot_id, bot_password = support.new_user(synapse, "cpts-bot")
        support.exempt_from_rate_limits(synapse, admin_token, bot_id)
        rooms = {
            "territory": {
                "name": "CPTS Bench",
                "communes": [
                    {
                        "insee": "69388",
                        "name": "Lyon 8e Arrondissement",
                        "postal_codes": ["69008"],
                        "aliases": ["Lyon 8"],
                    }
                ],
            },
            "coordinators": [coordinator_id],
            "access": {"users": [pro.user_id for pro in professionals]},
        }
        (work / "directory.csv").write_text(directory_csv(professionals), "utf-8")
        bot = support.BotRun(
            synapse.url,
            bot_id,
            bot_password,
            work / "bot-data",
            support.write_rooms_file(work / "rooms.yaml", rooms),
        )
        bot.run_cli("import", "directory", str(work / "directory.csv"))
        processes.append(bot.start(work / "bot.log", timeout=120))
        opening = time.perf_counter()
        await wait_chats_opened_ahead(professionals, bot_id, timeout=900)
        opened_ahead_s = time.perf_counter() - opening
        print(f"direct chats opened ahead, joined, keyed and welcomed in {opened_ahead_s:.0f} s")
        room = await coordinator.create_encrypted_room([bot_id])
        await coordinator.wait_joined(room, bot_id)
        # The coordination room in use, as a CPTS's is: its keys exchanged both ways
        # before the first dispatch, which measures the dispatch, not that first contact.
        await coordinator.wait_reply(await coordinator.send(room, "aide"), timeout=120)
        # The homeserver's own cost of a first message into chats opened ahead: the bare
        # client writes into the chats it opened before the bot started (so they have
        # had longer to settle than the bot's), just before the bot's first dispatch.
        bare_idle_s = time.perf_counter() - bare_welcomed
        floor_ahead = await bare.first_ahead()
        bot_idle_s = time.perf_counter() - opening - opened_ahead_s
        print("bare client: first message into its chats opened ahead received by all")

        told: dict[str, list[float]] = {}
        windows: dict[int, tuple[float, float]] = {}
        for number in range(1, rounds + 2):
            request = (
                f"déclenchement IDE domicile Lyon 8 maintenant pansement n°{number}, "
                "patient d'accord"
            )
            recorded = number <= 2  # the homeserver's requests: the first of each kind
            sent_at = time.perf_counter()
            if recorded:
                phases.begin(f"cpts-bot, dispatch {number}")
            event_id = await coordinator.send(room, request)
            reply = await coordinator.wait_reply(event_id, timeout=120)
            assert f"envoyé à {count} professionnels" in reply.body, reply.body
            header = f"Déclenchement n°{number} "
            arrivals = await wait_all(
                changed,
                professionals,
                lambda item, header=header: item.sender == bot_id and item.body.startswith(header),
                timeout=600,
            )
            windows[number] = (WALL_MINUS_PERF + sent_at, time.time())
            label = FIRST_LABEL if number == 1 else "existing chats"
            rows[f"cpts-bot, dispatch {number} ({label})"] = [
                (item.at - sent_at) * 1000 for item in arrivals
            ]
            if recorded:
                phases.end()
            rows[f"cpts-bot, dispatch {number} ({label}), homeserver accepted"] = [
                (item.accepted_at - sent_at) * 1000 for item in arrivals
            ]
            print(f"dispatch {number} received by all")
            taker, others = professionals[0], professionals[1:]
            broadcast = taker.first(
                lambda item, header=header: item.sender == bot_id and item.body.startswith(header)
            )
            assert broadcast is not None
            accepted_at = time.perf_counter()
            if recorded:
                phases.begin(f"cpts-bot, dispatch {number}: from the accept to the edits")
            await taker.send(broadcast.room_id, "je prends", reply_to=broadcast.event_id)
            mark = f"n°{number}"
            told_at = await wait_all(
                changed,
                others,
                lambda item, mark=mark, at=accepted_at: (
                    item.sender == bot_id
                    and item.at >= at
                    and item.body.startswith("* [Pris par")
                    and mark in item.body
                ),
                timeout=600,
            )
            told[f"cpts-bot, dispatch {number}: broadcasts edited"] = [
                (item.at - accepted_at) * 1000 for item in told_at
            ]
            if recorded:
                phases.end()
            told[f"cpts-bot, dispatch {number}: edits accepted by the homeserver"] = [
                (item.accepted_at - accepted_at) * 1000 for item in told_at
            ]
            print(f"dispatch {number}: the {len(others)} others told")
            floor_rounds.append(await bare.repeat(number))  # bot and bare in turn
            print(f"baseline repeated ({number})")
        await coordinator.stop()
        await bare.close()
        undecryptable = sum(pro.undecryptable for pro in professionals)
        background = background_work(cluster.log(), windows) if cluster is not None else {}
    finally:
        for pro in professionals:
            await pro.stop()
        support.stop_processes(processes)
        synapse.stop()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)  # 100 crypto stores, the homeserver's files
    return Run(
        database,
        floor,
        floor_rounds,
        rows,
        told,
        undecryptable,
        phases.done,
        load_before,
        os.getloadavg()[0],
        opened_ahead_s,
        background,
        floor_ahead,
        (bare_idle_s, bot_idle_s),
    )


DATABASE_LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _seconds(values: list[float]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


@dataclass
class LastRecipient:
    """One run's last-recipient times, in seconds."""

    warm: list[float]  # the bot's dispatches to existing chats
    edited: list[float]  # the bot's edits after an accept (dispatches 2 and after)
    ahead: float  # the bot's first dispatch (chats opened ahead)
    bare_sends: list[float]
    bare_edits: list[float]
    bare_ahead: float  # the bare client's first message into chats opened ahead


def last_recipient(count: int, result: Run) -> LastRecipient:
    rows, told = result.rows, result.told
    edits = f"edits for {count - 1} (one accepted)"
    return LastRecipient(
        warm=[
            max(values) / 1000 for name, values in rows.items() if name.endswith("(existing chats)")
        ],
        edited=[
            max(values) / 1000
            for name, values in told.items()
            if name.endswith(": broadcasts edited") and not name.startswith("cpts-bot, dispatch 1:")
        ],
        ahead=max(rows[f"cpts-bot, dispatch 1 ({FIRST_LABEL})"]) / 1000,
        bare_sends=[max(floor["existing chats"]) / 1000 for floor in result.floor_rounds],
        bare_edits=[max(floor[edits]) / 1000 for floor in result.floor_rounds],
        bare_ahead=max(result.floor_ahead[BARE_AHEAD]) / 1000,
    )


def ratios(count: int, result: Run) -> list[str]:
    """The last recipient's time, cpts-bot against the bare client doing the same sends
    in the same run, in turn with the bot's (the ratios are of the medians)."""
    times = last_recipient(count, result)
    warm, edited, ahead = times.warm, times.edited, times.ahead
    bare_sends, bare_edits = times.bare_sends, times.bare_edits
    median = statistics.median
    lines = [
        "| last recipient | cpts-bot (s) | median | bare nio client (s) | median | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for name, ours, theirs in (
        (f"sends to {count} existing chats (dispatches 2–{len(warm) + 1})", warm, bare_sends),
        (f"edits for the {count - 1} others (dispatches 2–{len(warm) + 1})", edited, bare_edits),
        (
            f"dispatch to {count} members who never wrote, chats opened ahead (dispatch 1)",
            [ahead],
            [times.bare_ahead],
        ),
    ):
        lines.append(
            f"| {name} | {_seconds(ours)} | {median(ours):.2f} | {_seconds(theirs)} | "
            f"{median(theirs):.2f} | **{median(ours) / median(theirs):.2f}×** |"
        )
    lines += [
        "",
        "Dispatch to members who never wrote (chats opened ahead and welcomed, in "
        f"{result.opened_ahead_s:.0f} s after the start) / dispatches to existing chats "
        f"(median): **{ahead / median(warm):.2f}×**; the same for the bare client (its "
        "first message into chats it opened ahead the same way, just before the bot's "
        "first dispatch, against its sends to existing chats): "
        f"{times.bare_ahead / median(bare_sends):.2f}×; from the last welcome to that "
        f"first message: {result.idle_s[0]:.0f} s for the bare client, {result.idle_s[1]:.0f} s "
        "for the bot. The bare client's sends and edits are measured "
        "before the bot's first dispatch and after each of the bot's dispatches (bot, bare, "
        "bot, bare…), so that both meet the same load on the machine. The bot's times "
        "include reading the request, choosing the recipients and queueing the rows (one "
        "transaction) before the first send; the edits', the accept's round trip.",
    ]
    return lines


def render_runs(count: int, results: list[Run]) -> list[str]:
    """One line per run of one homeserver database, and the median of the runs' ratios."""
    label = DATABASE_LABELS[results[0].database]
    median = statistics.median
    times = [last_recipient(count, result) for result in results]
    postgres = results[0].database == "postgres"
    lines = [
        f"### Synapse on {label}: {len(results)} runs, the last recipient",
        "",
        "| run | load before | sends to existing chats, bot / bare | edits, bot / bare | "
        "first message into chats opened ahead, bot / bare | the bare client: first "
        "message into chats opened ahead / existing chats | the bot: first dispatch "
        "(chats opened ahead) / its dispatches to existing chats |"
        + (" PostgreSQL's background work during the first dispatch |" if postgres else ""),
        "|---|---|---|---|---|---|---|" + ("---|" if postgres else ""),
    ]

    def ratios_of(one: LastRecipient) -> tuple[float, float, float, float, float]:
        warm, sends = median(one.warm), median(one.bare_sends)
        return (
            warm / sends,
            median(one.edited) / median(one.bare_edits),
            one.ahead / one.bare_ahead,
            one.bare_ahead / sends,
            one.ahead / warm,
        )

    def cells(values: tuple[float, ...]) -> str:
        *others, last = values
        return " | ".join([*(f"{value:.2f}×" for value in others), f"**{last:.2f}×**"])

    per_run = [ratios_of(one) for one in times]
    for number, (result, one, values) in enumerate(
        zip(results, times, per_run, strict=True), start=1
    ):
        line = (
            f"| {number} | {result.load_before:.1f} | {cells(values)} "
            f"({one.ahead:.2f} s / {median(one.warm):.2f} s) |"
        )
        if postgres:
            line += f" {describe_background(result.background.get(1, []))} |"
        lines.append(line)
    if len(results) > 1:
        medians = tuple(median(column) for column in zip(*per_run, strict=True))
        lines.append(f"| median of the runs | | {cells(medians)} |" + (" |" if postgres else ""))
    lines += [
        "",
        "Each run starts a new homeserver and a new bot, so the first dispatch (to members "
        "who never wrote, chats opened ahead) happens once per run; the dispatches to "
        f"existing chats, {len(times[0].warm)} per run, and the bare client's "
        f"{len(times[0].bare_sends)} runs take turns with it. Each run's ratios are of its "
        "own medians (the machine's speed varies from one run to the next); the last line "
        "is the median of the runs' ratios. Before the bot starts, the bare client opens "
        "its own direct chats ahead as the bot does (each room key shared once its "
        "professional has joined, then a welcome notice); just before the bot's first "
        "dispatch, it sends a first message into them: the homeserver's own cost of a "
        "first message into a chat opened ahead, against which the bot's first dispatch "
        "is set (the bare client's chats have had the longer time to settle). The first "
        "run's details follow.",
    ]
    return lines


def render(count: int, results: list[Run]) -> str:
    """The runs' summary, then the tables of the first run (one homeserver database)."""
    return "\n".join([*render_runs(count, results), "", render_run(count, results[0])])


def render_run(count: int, result: Run) -> str:
    """The tables of one run (one homeserver database)."""
    floor, rows, told = result.floor, result.rows, result.told
    label = DATABASE_LABELS[result.database]

    lines = [
        f"### Synapse on {label}: fan-out to {count} professionals (each in an encrypted "
        "direct chat)",
        "",
        "| sender | first (ms) | median (ms) | p95 (ms) | last (ms) | recipients |",
        "|---|---|---|---|---|---|",
    ]
    floor_rows = {
        f"bare nio client, {name}": values
        for name, values in {**floor, **result.floor_ahead}.items()
        if not name.startswith("edits")
    }
    for name, values in {**floor_rows, **rows}.items():
        lines.append(f"| {name} | {summary(values)} |")
    lines += ["", *ratios(count, result), ""]
    lines += [
        f"### Synapse on {label}: from the first accept to the {count - 1} others' "
        "broadcasts edited",
        "",
        "| told | first (ms) | median (ms) | p95 (ms) | last (ms) | recipients |",
        "|---|---|---|---|---|---|",
    ]
    edits = f"edits for {count - 1} (one accepted)"
    lines.append(f"| bare nio client, {count - 1} edits | {summary(floor[edits])} |")
    lines.append(
        f"| bare nio client, {count - 1} edits accepted by the homeserver "
        f"| {summary(floor[edits + ', homeserver accepted'])} |"
    )
    for name, values in told.items():
        lines.append(f"| {name} | {summary(values)} |")
    lines += [
        "",
        "Each of the others gets one thing: their broadcast edited to “[Pris par …]” (no "
        "separate notice); the bot's times run from the accept's send, so they include "
        "the accept's round trip to the bot and its handling. “Accepted by the "
        "homeserver” is the event's origin_server_ts: when the send was done, before the "
        "recipients' clients (all in the benchmark's one process) sync and decrypt it.",
        "",
        f"Setup: Synapse on 127.0.0.1; the {count} professionals are real matrix-nio E2EE "
        "clients (own device and Olm account each) in one process on the same machine, "
        "long-polling with a 30 s timeout. The bot's and the bare client's users are "
        "exempted from Synapse's rate limits (admin API override_ratelimit), as "
        "docs/dispatch.md asks operators to do. Both send to up to "
        f"{BULK_SLOTS} rooms at once (the outbox's lanes: one per room, in order within "
        f"a room; a dispatch's sends are bulk sends, answers have slots of their own), creating up to {DIRECT_ROOMS_AT_ONCE} direct chats at once. The bare "
        "client does what nio does by itself: a key query, a one-time-key claim and a room "
        "key share per room before its first send; the bot queries, trusts and claims "
        "every recipient's keys once per batch (the room keys still go room by room). Times are from the send of the request (or of the accept) to the "
        "decrypted message arriving in the recipient's sync. The bot is a separate "
        f"process. Undecryptable events seen by the professionals: {result.undecryptable}. "
        f"Load average (1 min) before the run {result.load_before:.1f}, after it "
        f"{result.load_after:.1f}, on {os.cpu_count()} cores: the figures are only as "
        "good as the machine was quiet.",
        "",
        f"#### Synapse on {label}: where the homeserver's time goes",
        "",
        "From Synapse's request log (each request's CPU on the homeserver, all clients "
        "included: the sender's sends and room creations, the recipients' syncs, joins "
        "and key uploads), per phase, heaviest kinds first.",
    ]
    for name, (kinds, wall) in result.phases.items():
        lines += ["", f"*{name}*", "", *table(kinds, wall)]
    return "\n".join(lines)


def settle(below: float = 1.0, at_most: float = 120.0) -> None:
    """Wait (``at_most`` seconds) for the load left by the run before to go down: each
    run should start on a machine as quiet as the first."""
    deadline = time.monotonic() + at_most
    while os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--professionals", type=int, default=100)
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="dispatches to existing chats, each followed by the bare client's sends",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="whole runs per database (new homeserver and bot each: one first dispatch each)",
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="both",
        help="the homeserver's database (both: one run on each, SQLite first)",
    )
    args = parser.parse_args()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    parts = []
    for database in databases:
        results = []
        for number in range(1, args.runs + 1):
            settle()
            results.append(asyncio.run(run(args.professionals, database, args.rounds)))
            print(f"{database}: run {number} of {args.runs} done", flush=True)
        parts.append(render(args.professionals, results))
        print(parts[-1], flush=True)
    body = "\n\n".join(parts)
    if args.professionals >= 100:
        write_section("dispatch-fanout", "Dispatch fan-out to 100 professionals", body)


if __name__ == "__main__":
    main()
