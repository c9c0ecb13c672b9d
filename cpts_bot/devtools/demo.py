"""The demo: a local Synapse, the bot, a sample territory and a scripted conversation.

Everything lives in one folder (``.cpts/demo`` by default) that can be deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import secrets
import sys
from collections.abc import Callable
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

from cpts_bot.devtools.matrix_user import MatrixUser, Received
from cpts_bot.devtools.synapse import SynapseServer, synapse_python
from cpts_bot.domain.errors import CptsBotError
from cpts_bot.domain.place_index import PlaceIndex
from cpts_bot.domain.times import PARIS
from cpts_bot.settings import BotSettings, load_rooms_config

DEMO_USERS = ("demo-coord", "demo-gp", "demo-nurse", "demo-physio")
# Shipped with the package: the demo runs from an installed cpts-bot as from the sources.
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample"
SAMPLE_TERRITORY = SAMPLE_DIR / "territory.yaml"
BOT = "cpts-bot"
# A room of a step: the user's direct chat with the bot, or one of the demo's group rooms.
DIRECT = "direct"
GROUP_ROOMS = {"alerts": "Alertes", "coordination": "Coordination"}
# Who is invited to each group room (besides the bot); the coordinator creates them.
GROUP_MEMBERS = {
    "alerts": ("demo-gp", "demo-nurse", "demo-physio"),
    "coordination": (),
}
# The demo nurse is on duty in Lyon 8 every day, all day: the dispatch asks her alone.
ROTA = "type;matrix_id;name;profession;communes;day;start;end;from;until\n" + "".join(
    f"hebdo;@demo-nurse:localhost;;IDE;Lyon 8;{day};00:00;00:00;;\n"
    for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
)
# Short timers: an alert is posted within a second of its time.
DEMO_TIMERS = {"alerts": {"check_seconds": 1}, "dispatch": {"check_every_seconds": 1}}


Match = Callable[[Received], bool]


def says(*words: str) -> Match:
    """A bot message containing every one of ``words``."""
    return lambda item: all(word in item.body for word in words)


@dataclass(frozen=True)
class Scene:
    """A title in the transcript."""

    title: str


@dataclass(frozen=True)
class Say:
    """``who`` types ``text`` in ``room``; with ``answer``, the bot's reply is awaited."""

    who: str
    text: str
    room: str = DIRECT
    answer: bool = True


@dataclass(frozen=True)
class ReplyTo:
    """``who`` answers, as a Matrix reply, the message an earlier :class:`Expect` named."""

    who: str
    message: str
    text: str


@dataclass(frozen=True)
class Expect:
    """``who`` receives from the bot, in ``room``, a message that ``matches``.

    ``name`` lets a later :class:`ReplyTo` answer it; ``description`` says what is
    awaited when it does not come."""

    who: str
    description: str
    matches: Match
    room: str = DIRECT
    name: str | None = None


Step = Scene | Say | ReplyTo | Expect


class ScriptStopped(CptsBotError):
    """A step of the script did not happen in time."""


def dispatch_request(now: datetime) -> str:
    """The coordinator's request; « ce soir 20h » while it is still ahead (Paris time)."""
    moment = "ce soir 20h" if now.astimezone(PARIS).hour < 19 else "demain 8h"
    return (
        f"déclenchement IDE domicile Lyon 8 {moment} pansement post-op\n"
        "patient : Mme D., 3 rue des Lilas, 06 12 34 56 78"
    )


def demo_script(now: datetime) -> list[Step]:
    """The scripted conversation: the directory, a dispatch, an alert, a hand-off."""
    return [
        Scene("1. A GP asks the directory"),
        Say("demo-gp", "kiné à domicile bronchiolite lyon 8"),
        Say("demo-gp", "combien d'orthophonistes à Vénissieux ?"),
        Say("demo-gp", "ortho bilan langage enfant 4 ans bron"),
        Scene("2. The coordination needs a nurse at home (a dispatch)"),
        Say("demo-coord", dispatch_request(now)),
        Expect(
            "demo-nurse",
            "the dispatch request",
            lambda item: item.body.startswith("Déclenchement n°"),
            name="dispatch",
        ),
        ReplyTo("demo-nurse", "dispatch", "je prends"),
        Expect("demo-nurse", "the patient's details", says("est pour vous")),
        Expect("demo-coord", "who took the dispatch", says("pris par")),
        Scene("3. The coordination warns the territory (an alert)"),
        Say(
            "demo-coord",
            "alerte important: Épisode de canicule : pensez aux patients isolés"
            " | quand: maintenant | pour: tous",
        ),
        Say("demo-coord", "oui"),
        Expect("demo-nurse", "the alert", says("Alerte importante", "canicule"), room="alerts"),
        Scene("4. The GP asks for a person (a hand-off)"),
        Say("demo-gp", "je veux parler à la coordination"),
        Expect("demo-coord", "the hand-off", says("demo-gp"), room="coordination"),
    ]


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
            if room_id not in joined_ids:
                invite = [bot_user, *(users[member] for member in GROUP_MEMBERS[key])]
                room_id = await _create_group_room(client, name, invite, bot_user)
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
            directory = await import_directory_csv(
                database, SAMPLE_DIR / "directory.csv", datetime.now(UTC)
            )
            (state.folder / "rota.csv").write_text(ROTA, "utf-8")
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
            f"rota: {rota.slots} weekly slot(s) ({state.users['demo-nurse']} on duty in Lyon 8)",
        ]

    return asyncio.run(run())


class _Player:
    """Plays a script with real E2EE clients and writes what each one sees."""

    def __init__(self, state: DemoState) -> None:
        self.state = state
        self.passwords = json.loads((state.folder / "passwords.json").read_text())
        self.clients: dict[str, MatrixUser] = {}
        self.direct: dict[str, str] = {}
        self.history: dict[str, int] = {}  # messages of earlier runs, seen at start
        self.used: set[str] = set()
        self.named: dict[str, Received] = {}
        self.transcript: list[str] = []
        self._where: tuple[str, str] | None = None

    def _session_file(self, who: str) -> Path:
        return self.state.folder / "clients" / f"{who}-script.json"

    async def start(self, who: str) -> MatrixUser:
        """Log ``who`` in (the device of the previous run, if any) and keep it syncing."""
        if who in self.clients:
            return self.clients[who]
        session_file = self._session_file(who)
        session = json.loads(session_file.read_text()) if session_file.exists() else {}
        client = MatrixUser(
            self.state.synapse.url,
            self.state.users[who],
            self.passwords[who],
            self.state.folder / "clients" / who,
            device_name="demo script",
            device_id=session.get("device_id"),
            access_token=session.get("access_token"),
        )
        await client.start()
        self.clients[who] = client
        self.history[who] = len(client.received)
        assert client.client is not None
        room_id = session.get("room_id")
        if room_id in client.client.rooms:
            self.direct[who] = room_id
        session_file.write_text(
            json.dumps(
                {
                    "device_id": client.device_id,
                    "access_token": client.access_token,
                    "room_id": room_id,
                }
            )
        )
        for key, members in GROUP_MEMBERS.items():
            if who in members:
                await client.wait_joined(self.state.group_rooms[key], client.user_id, timeout=60)
        return client

    async def direct_room(self, who: str) -> str:
        """``who``'s encrypted direct chat with the bot (created on first use)."""
        client = await self.start(who)
        if who not in self.direct:
            room_id = await client.create_encrypted_room([self.state.bot_user])
            await client.wait_joined(room_id, self.state.bot_user)
            self.direct[who] = room_id
            session = json.loads(self._session_file(who).read_text())
            self._session_file(who).write_text(json.dumps({**session, "room_id": room_id}))
        return self.direct[who]

    def _room_name(self, room_id: str) -> str:
        for key, room in self.state.group_rooms.items():
            if room == room_id:
                return key
        return DIRECT

    def _show(self, who: str, room: str, speaker: str, text: str) -> None:
        if self._where != (who, room):
            where = (
                "direct chat with the bot" if room == DIRECT else f"room « {GROUP_ROOMS[room]} »"
            )
            self.transcript.append(f"  [{who} sees, {where}]")
            self._where = (who, room)
        lines = text.splitlines() or [""]
        self.transcript.append(f"{speaker} > {lines[0]}")
        self.transcript.extend(" " * (len(speaker) + 3) + line for line in lines[1:])

    async def _room(self, who: str, room: str) -> str:
        if room == DIRECT:
            return await self.direct_room(who)
        await self.start(who)
        return self.state.group_rooms[room]

    async def play(self, steps: list[Step]) -> list[str]:
        for step in steps:
            if isinstance(step, Scene):
                self.transcript += ["", f"=== {step.title} ===", ""]
                self._where = None
            elif isinstance(step, Say):
                room_id = await self._room(step.who, step.room)
                event_id = await self.clients[step.who].send(room_id, step.text)
                self._show(step.who, step.room, step.who, step.text)
                if step.answer:
                    try:
                        reply = await self.clients[step.who].wait_reply(event_id, timeout=60)
                    except TimeoutError:
                        raise ScriptStopped(f"no answer to {step.who}'s « {step.text} »") from None
                    self.used.add(reply.event_id)
                    self._show(step.who, step.room, BOT, reply.body)
            elif isinstance(step, ReplyTo):
                client = await self.start(step.who)
                message = self.named[step.message]
                await client.send(message.room_id, step.text, reply_to=message.event_id)
                room = self._room_name(message.room_id)
                self._show(step.who, room, f"{step.who} (replying to it)", step.text)
            else:
                received = await self._expect(step)
                self._show(step.who, step.room, BOT, received.body)
        return self.transcript

    async def _expect(self, step: Expect) -> Received:
        client = await self.start(step.who)
        bot, skip = self.state.bot_user, self.history[step.who]

        def found(me: MatrixUser) -> list[Received]:
            return [
                item
                for item in me.received[skip:]
                if item.sender == bot
                and item.event_id not in self.used
                and "m.new_content" not in item.content  # an edit of an earlier message
                and self._room_name(item.room_id) == step.room
                and step.matches(item)
            ]

        try:
            received = (await client.wait_for(found, timeout=60))[0]
        except TimeoutError:
            raise ScriptStopped(f"{step.who} did not receive {step.description}") from None
        self.used.add(received.event_id)
        if step.name:
            self.named[step.name] = received
        return received

    async def stop(self) -> None:
        for client in self.clients.values():
            await client.stop()


async def _play(player: _Player, app_ready: asyncio.Event) -> None:
    await app_ready.wait()
    state = player.state
    try:
        # Everyone in the script is online (and in their rooms) before it starts.
        script = demo_script(datetime.now(UTC))
        for who in dict.fromkeys(step.who for step in script if not isinstance(step, Scene)):
            await player.start(who)
        coordinator = player.clients["demo-coord"]
        for room_id in state.group_rooms.values():
            try:
                await coordinator.wait_joined(room_id, state.bot_user, timeout=60)
            except TimeoutError:
                raise ScriptStopped(f"the bot did not join {room_id}") from None
        await player.play(script)
    finally:
        await player.stop()


def instructions(state: DemoState) -> str:
    passwords = json.loads((state.folder / "passwords.json").read_text())
    lines = [
        "",
        "The demo homeserver is running on " + state.synapse.url,
        "Log in with any Matrix client (homeserver URL above) as one of:",
    ]
    for name in DEMO_USERS:
        lines.append(f"  {state.users[name]:32} password: {passwords[name]}")
    lines += [
        f"and start an encrypted direct chat with {state.bot_user}.",
        "The rooms « Alertes » (all demo users) and « Coordination » (demo-coord) are ready.",
        "Or, from another terminal, talk to the bot end-to-end encrypted:",
        "  .cpts/venv/bin/cpts-bot chat --as demo-gp",
        "Everything lives in .cpts/ (delete it to start afresh). Ctrl-C stops the demo.",
    ]
    return "\n".join(lines)


async def _run(state: DemoState, wait: bool) -> int:
    from cpts_bot.app import BotApp

    app = BotApp(state.settings(), load_rooms_config(state.rooms_file))
    bot_task = asyncio.create_task(app.run())
    player = _Player(state)
    status = 0
    try:
        try:
            await _play(player, app.ready)
        except ScriptStopped as stopped:
            status = 1
            player.transcript += ["", f"The scripted conversation stopped: {stopped}"]
        print("\n=== Scripted conversation ===")
        print("\n".join(player.transcript))
        print(instructions(state))
        if wait:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.Event().wait()
    finally:
        app.stop()
        await bot_task
    return status


def run_demo(state_dir: Path, wait: bool = True) -> int:
    """Entry point of ``cpts-bot demo``."""
    from cpts_bot.logging_setup import setup_logging

    setup_logging("WARNING")
    logging.getLogger("cpts_bot").setLevel(logging.INFO)
    logging.getLogger("nio").setLevel(logging.ERROR)
    (state_dir / "demo").mkdir(parents=True, exist_ok=True)
    lock = (state_dir / "demo" / "demo.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(
            "A demo is already running with this state folder; stop it first (Ctrl-C).",
            file=sys.stderr,
        )
        return 1
    print("Starting a local Synapse on 127.0.0.1 (first run installs it: about a minute)...")
    state = prepare(state_dir)
    try:
        print("Sample territory imported:")
        print("\n".join("  " + line for line in load_sample_territory(state)))
        (state.folder / "demo.json").write_text(
            json.dumps(
                {"homeserver": state.synapse.url, "bot": state.bot_user, "users": state.users}
            )
        )
        try:
            return asyncio.run(_run(state, wait))
        except KeyboardInterrupt:
            return 0
    finally:
        state.synapse.stop()
        print("Demo stopped.", file=sys.stderr)
