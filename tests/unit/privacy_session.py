"""A scripted session through the router and every feature, on a real SQLite file: the
sample territory, a fake homeserver that "sends" the outbox like the Matrix adapter
(mark sent + sent listeners in one transaction), and a clock the test moves."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from cpts_bot.app import build_features
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.times import to_iso
from cpts_bot.devtools.demo_setup import SAMPLE_DIR, SAMPLE_TERRITORY
from cpts_bot.importers.directory_csv import import_directory_csv
from cpts_bot.importers.rota_csv import import_rota_csv
from cpts_bot.importers.rpps_extract import import_rpps_extract
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.scheduling.periodic_jobs import JobRunner
from cpts_bot.settings import DATABASE_FILE, RoomsConfig, load_rooms_config
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database

COORD = "@demo-coord:localhost"
GP = "@demo-gp:localhost"
NURSE = "@demo-nurse:localhost"
COORDINATION_ROOM = "!coordination:localhost"
ALERTS_ROOM = "!alerts:localhost"
ROTA = "type;matrix_id;name;profession;communes;day;start;end;from;until\n" + "".join(
    f"hebdo;{NURSE};;IDE;Lyon 8;{day};00:00;00:00;;\n"
    for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
)


def direct_room(user_id: str) -> str:
    return f"!dm-{user_id}"


def session_config(folder: Path) -> RoomsConfig:
    rooms = yaml.safe_load(SAMPLE_TERRITORY.read_text("utf-8"))
    rooms["language"] = "fr"
    rooms["coordinators"] = [COORD]
    rooms["access"] = {"users": [], "servers": ["localhost"]}
    rooms["rooms"] = {"coordination": COORDINATION_ROOM, "alerts": [ALERTS_ROOM], "duty": {}}
    path = folder / "rooms.yaml"
    path.write_text(yaml.safe_dump(rooms, allow_unicode=True), "utf-8")
    return load_rooms_config(path)


async def load_territory(database: Database, config: RoomsConfig, now: datetime) -> None:
    communes = [commune.insee for commune in config.territory.communes]
    await import_rpps_extract(database, SAMPLE_DIR / "rpps_sample.txt", communes, now, False)
    await import_directory_csv(database, SAMPLE_DIR / "directory.csv", now)
    rota = database_folder(database) / "rota.csv"
    rota.write_text(ROTA, "utf-8")
    await import_rota_csv(database, rota, PlaceIndex.from_territory(config.territory), now)
    rota.unlink()


def database_folder(database: Database) -> Path:
    assert database.path is not None
    return database.path.parent


@dataclass
class Delivered:
    action: str
    target: str
    room_id: str
    event_id: str
    text: str


@dataclass
class Session:
    """The bot's router, features and jobs over one database; the test sets ``now``."""

    database: Database
    config: RoomsConfig
    now: datetime
    delivered: list[Delivered] = field(default_factory=list)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.features = build_features(self.database, self.config)
        self.router = CommandRouter(
            self.database,
            self.config,
            "@cpts-bot:localhost",
            self.features.chat,
            on_outbox=lambda: None,
            clock=lambda: self.now,
            before_event=self.features.before_event,
        )
        self.jobs = JobRunner(
            self.database, self.config, "@cpts-bot:localhost", lambda: None, lambda: self.now
        )

    @classmethod
    async def open(cls, folder: Path, now: datetime) -> Session:
        config = session_config(folder)
        database = await Database.open(folder / "data" / DATABASE_FILE)
        await load_territory(database, config, now)
        session = cls(database, config, now)
        await session.features.directory_index.refresh()
        return session

    async def say(
        self, sender: str, body: str, *, room: str | None = None, reply_to: str | None = None
    ) -> list[Delivered]:
        """``sender`` writes ``body`` (in their direct chat unless ``room``); the bot
        handles it and the homeserver takes what it sends. Returns what was sent."""
        event_id = f"$in{next(self._ids)}"
        payload = {
            "body": body,
            "timestamp": to_iso(self.now),
            "is_direct": room is None,
            "room_encrypted": True,
            "reply_to": reply_to,
        }
        item = repo.InboxItem(event_id, room or direct_room(sender), sender, "message", payload)
        await repo.store_batch(self.database, [item], f"token-{event_id}", self.now)
        await self.router.drain()
        return await self.send_outbox()

    async def run_job(self, name: str) -> list[Delivered]:
        job = next(job for job in self.features.jobs if job.name == name)
        await self.jobs.run(job)
        return await self.send_outbox()

    async def send_outbox(self) -> list[Delivered]:
        """What the Matrix adapter does: per row, in one transaction, mark it sent (which
        erases its payload) and tell the sent listeners its event id."""
        new = []
        for row in await repo.unsent_outbox(self.database, limit=1000):
            room_id = direct_room(row.target) if row.action == "direct_message" else row.target
            event_id = f"$out{next(self._ids)}"
            async with self.database.transaction() as db:
                await repo.mark_sent(db, row.id, event_id, self.now, room_id)
                for prefix, listener in self.features.sent_listeners:
                    if row.correlation and row.correlation.startswith(prefix):
                        await listener(db, row.correlation, room_id, event_id)
            text = str(row.payload.get("text") or row.payload.get("caption") or "")
            new.append(Delivered(row.action, row.target, room_id, event_id, text))
        self.delivered.extend(new)
        return new
