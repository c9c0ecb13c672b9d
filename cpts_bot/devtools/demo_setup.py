"""The demo's set-up: Synapse started, the accounts, the group rooms, rooms.yaml, and the
sample territory with each demo account on its card and the nurses on the rota.

Everything lives in one folder (``.cpts/demo`` by default) that can be deleted.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from nio import (
    AsyncClient,
    JoinedRoomsResponse,
    LoginResponse,
    RoomCreateResponse,
    RoomGetStateEventResponse,
)
from nio.api import RoomPreset

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.devtools.demo_player import DemoRooms
from cpts_bot.devtools.demo_scenes import DEMO_USERS, GROUP_ROOMS
from cpts_bot.devtools.synapse import SynapseServer, synapse_python
from cpts_bot.settings import BotSettings, load_rooms_config

# Shipped with the package: the demo runs from an installed cpts-bot as from the sources.
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample"
SAMPLE_TERRITORY = SAMPLE_DIR / "territory.yaml"
BOT = "cpts-bot"
# Who is invited to each group room (besides the bot); the coordinator creates them.
GROUP_MEMBERS = {
    "alerts": tuple(user for user in DEMO_USERS if user != "demo-coord"),
    "coordination": (),
}
# The sample directory's card (RPPS number) each demo account gets; every other card of
# the sample loses its Matrix ID, so that nobody the bot writes to is out of reach.
DEMO_CARDS = {
    "demo-gp": "19900000011",
    "demo-nurse": "19900000101",
    "demo-nurse2": "19900000112",
    "demo-physio": "19900000212",
    "demo-pharma": "19900000501",
}
_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
# Short timers: an alert is posted within a second of its time.
DEMO_TIMERS = {"alerts": {"check_seconds": 1}, "dispatch": {"check_every_seconds": 1}}


def demo_rota(users: dict[str, str]) -> str:
    """Both nurses on duty in Lyon 8 every night (20:00-08:00); the first by day too
    (08:00-20:00), when the second is free to cover for her."""
    slots = [
        ("demo-nurse", "08:00", "20:00"),
        ("demo-nurse", "20:00", "08:00"),
        ("demo-nurse2", "20:00", "08:00"),
    ]
    return "type;matrix_id;name;profession;communes;day;start;end;from;until\n" + "".join(
        f"hebdo;{users[who]};;IDE;Lyon 8;{day};{start};{end};;\n"
        for who, start, end in slots
        for day in _DAYS
    )


def demo_directory(users: dict[str, str]) -> str:
    """The sample directory, each demo account on its card, no other Matrix ID."""
    source = (SAMPLE_DIR / "directory.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(source))
    holders = {rpps: users[who] for who, rpps in DEMO_CARDS.items()}
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=reader.fieldnames or [], lineterminator="\n")
    writer.writeheader()
    for row in reader:
        writer.writerow({**row, "matrix_id": holders.get(row["rpps"], "")})
    return output.getvalue()


@dataclass
class DemoState:
    folder: Path
    synapse: SynapseServer
    users: dict[str, str]
    bot_user: str
    bot_password: str
    group_rooms: dict[str, str]

    @property
    def rooms_file(self) -> Path:
        return self.folder / "rooms.yaml"

    def demo_rooms(self) -> DemoRooms:
        return DemoRooms(
            self.folder,
            self.synapse.url,
            self.users,
            self.bot_user,
            self.group_rooms,
            GROUP_MEMBERS,
        )

    def settings(self) -> BotSettings:
        return BotSettings(
            homeserver=self.synapse.url,
            user_id=self.bot_user,
            password=self.bot_password,
            data_dir=self.folder / "bot-data",
            rooms_file=self.rooms_file,
            device_name="cpts-bot demo",
        )


def prepare(state_dir: Path) -> DemoState:
    """Install and start Synapse, register the bot and demo users, write the config."""
    folder = (state_dir / "demo").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    python = (
        Path(os.environ["CPTS_SYNAPSE_PYTHON"])
        if os.environ.get("CPTS_SYNAPSE_PYTHON")
        else synapse_python(state_dir.resolve())
    )
    synapse = SynapseServer.configure(python, folder / "synapse")
    synapse.start()
    secrets_file = folder / "passwords.json"
    passwords = json.loads(secrets_file.read_text()) if secrets_file.exists() else {}
    for name in (BOT, *DEMO_USERS):
        passwords.setdefault(name, secrets.token_urlsafe(9))
    secrets_file.write_text(json.dumps(passwords, indent=2))
    os.chmod(secrets_file, 0o600)
    users = {name: synapse.register(name, passwords[name]) for name in DEMO_USERS}
    bot_user = synapse.register(BOT, passwords[BOT])
    group_rooms = asyncio.run(
        _ensure_group_rooms(folder, synapse.url, users, passwords["demo-coord"], bot_user)
    )
    rooms = yaml.safe_load(SAMPLE_TERRITORY.read_text("utf-8"))
    rooms["language"] = "fr"
    rooms["coordinators"] = [users["demo-coord"]]
    rooms["access"] = {"users": [], "servers": [synapse.server_name]}
    rooms["rooms"] = {
        "coordination": group_rooms["coordination"],
        "alerts": [group_rooms["alerts"]],
        "duty": {},
    }
    rooms.update(DEMO_TIMERS)
    (folder / "rooms.yaml").write_text(yaml.safe_dump(rooms, allow_unicode=True, sort_keys=False))
    load_rooms_config(folder / "rooms.yaml")
    return DemoState(folder, synapse, users, bot_user, passwords[BOT], group_rooms)


async def _ensure_group_rooms(
    folder: Path, homeserver: str, users: dict[str, str], password: str, bot_user: str
) -> dict[str, str]:
    """The coordinator's encrypted group rooms (Alertes, Coordination): the ones of a
    previous run while the coordinator is still in them, else new ones."""
    saved_file = folder / "rooms.json"
    saved = json.loads(saved_file.read_text()) if saved_file.exists() else {}
    client = AsyncClient(homeserver, users["demo-coord"])
    login = await client.login(password, device_name="demo setup")
    if not isinstance(login, LoginResponse):
        raise RuntimeError(f"login as {users['demo-coord']} failed: {login}")
    try:
        joined = await client.joined_rooms()
        joined_ids = set(joined.rooms) if isinstance(joined, JoinedRoomsResponse) else set()
        rooms: dict[str, str] = {}
        for key, name in GROUP_ROOMS.items():
            room_id = saved.get(key)
            invite = [bot_user, *(users[member] for member in GROUP_MEMBERS[key])]
            if room_id not in joined_ids:
                room_id = await _create_group_room(client, name, invite, bot_user)
            else:  # a demo account added since that room was made is invited now
                for user in invite:
                    await client.room_invite(room_id, user)
            rooms[key] = room_id
    finally:
        await client.logout()
        await client.close()
    saved_file.write_text(json.dumps(rooms, indent=2))
    return rooms


async def _create_group_room(
    client: AsyncClient, name: str, invite: list[str], bot_user: str
) -> str:
    """An encrypted private room where the bot is a moderator (it pins alerts)."""
    response = await client.room_create(
        name=name,
        invite=invite,
        preset=RoomPreset.private_chat,
        initial_state=[
            {
                "type": "m.room.encryption",
                "state_key": "",
                "content": {"algorithm": "m.megolm.v1.aes-sha2"},
            }
        ],
    )
    if not isinstance(response, RoomCreateResponse):
        raise RuntimeError(f"cannot create the {name} room: {response}")
    # Added to the room's own power levels: their defaults differ between room versions.
    levels = await client.room_get_state_event(response.room_id, "m.room.power_levels")
    if isinstance(levels, RoomGetStateEventResponse):
        content = dict(levels.content)
        content["users"] = {**content.get("users", {}), bot_user: 50}
        await client.room_put_state(response.room_id, "m.room.power_levels", content)
    return response.room_id


def load_sample_territory(state: DemoState) -> list[str]:
    """Import the sample national extract, then the CPTS's own directory file."""
    from cpts_bot.importers.directory_csv import import_directory_csv
    from cpts_bot.importers.rota_csv import import_rota_csv
    from cpts_bot.importers.rpps_extract import import_rpps_extract
    from cpts_bot.settings import DATABASE_FILE
    from cpts_bot.storage.database import Database

    config = load_rooms_config(state.rooms_file)
    communes = [commune.insee for commune in config.territory.communes]

    async def run() -> list[str]:
        database = await Database.open(state.folder / "bot-data" / DATABASE_FILE)
        try:
            national = await import_rpps_extract(
                database, SAMPLE_DIR / "rpps_sample.txt", communes, datetime.now(UTC), False
            )
            (state.folder / "directory.csv").write_text(demo_directory(state.users), "utf-8")
            directory = await import_directory_csv(
                database, state.folder / "directory.csv", datetime.now(UTC)
            )
            (state.folder / "rota.csv").write_text(demo_rota(state.users), "utf-8")
            rota = await import_rota_csv(
                database,
                state.folder / "rota.csv",
                PlaceIndex.from_territory(config.territory),
                datetime.now(UTC),
            )
        finally:
            await database.close()
        return [
            *national.lines(),
            *directory.lines(),
            f"rota: {rota.slots} weekly slots (demo-nurse and demo-nurse2 on duty in Lyon 8)",
        ]

    return asyncio.run(run())
