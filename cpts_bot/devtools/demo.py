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
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

from cpts_bot.devtools.matrix_user import MatrixUser
from cpts_bot.devtools.synapse import SynapseServer, synapse_python
from cpts_bot.settings import BotSettings, load_rooms_config

DEMO_USERS = ("demo-coord", "demo-gp", "demo-nurse", "demo-physio")
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample"
EXAMPLE_ROOMS = Path(__file__).resolve().parents[2] / "rooms.yaml"

# The scripted conversation: (who, what they type).
SCRIPT: list[tuple[str, str]] = [
    ("demo-gp", "aide"),
    ("demo-gp", "kiné à domicile bronchiolite lyon 8"),
    ("demo-gp", "plus"),
    ("demo-gp", "combien d'orthophonistes à Vénissieux ?"),
    ("demo-gp", "ortho bilan langage enfant 4 ans bron"),
    ("demo-gp", "et à domicile ?"),
]


@dataclass
class DemoState:
    folder: Path
    synapse: SynapseServer
    users: dict[str, str]
    bot_user: str
    bot_password: str

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
    for name in ("cpts-bot", *DEMO_USERS):
        passwords.setdefault(name, secrets.token_urlsafe(9))
    secrets_file.write_text(json.dumps(passwords, indent=2))
    os.chmod(secrets_file, 0o600)
    users = {name: synapse.register(name, passwords[name]) for name in DEMO_USERS}
    bot_user = synapse.register("cpts-bot", passwords["cpts-bot"])
    rooms = yaml.safe_load(EXAMPLE_ROOMS.read_text("utf-8"))
    rooms["coordinators"] = [users["demo-coord"]]
    rooms["access"] = {"users": [], "servers": [synapse.server_name]}
    rooms["rooms"] = {"alerts": [], "duty": {}}
    (folder / "rooms.yaml").write_text(yaml.safe_dump(rooms, allow_unicode=True, sort_keys=False))
    load_rooms_config(folder / "rooms.yaml")
    return DemoState(folder, synapse, users, bot_user, passwords["cpts-bot"])


def load_sample_territory(state: DemoState) -> list[str]:
    """Import the sample national extract, then the CPTS's own directory file."""
    from datetime import UTC, datetime

    from cpts_bot.app import DATABASE_FILE
    from cpts_bot.importers.directory_csv import import_directory_csv
    from cpts_bot.importers.rpps_extract import import_rpps_extract
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
        finally:
            await database.close()
        return [*national.lines(), *directory.lines()]

    return asyncio.run(run())


async def _play(state: DemoState, app_ready: asyncio.Event) -> list[str]:
    await app_ready.wait()
    transcript: list[str] = []
    passwords = json.loads((state.folder / "passwords.json").read_text())
    clients: dict[str, MatrixUser] = {}
    rooms: dict[str, str] = {}
    try:
        for who, text in SCRIPT:
            if who not in clients:
                client = MatrixUser(
                    state.synapse.url,
                    state.users[who],
                    passwords[who],
                    state.folder / "clients" / who,
                    device_name="demo script",
                )
                clients[who] = await client.start()
                rooms[who] = await client.create_encrypted_room([state.bot_user])
                await client.wait_joined(rooms[who], state.bot_user)
            client = clients[who]
            event_id = await client.send(rooms[who], text)
            transcript.append(f"{who} > {text}")
            reply = await client.wait_reply(event_id, timeout=60)
            transcript.append(textwrap.indent(f"cpts-bot > {reply.body}", "    ")[4:])
            transcript.append("")
    finally:
        for client in clients.values():
            await client.stop()
    return transcript


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
        "Or, from another terminal, talk to the bot end-to-end encrypted:",
        "  .cpts/venv/bin/cpts-bot chat --as demo-gp",
        "Everything lives in .cpts/ (delete it to start afresh). Ctrl-C stops the demo.",
    ]
    return "\n".join(lines)


async def _run(state: DemoState, wait: bool) -> int:
    from cpts_bot.app import BotApp

    app = BotApp(state.settings(), load_rooms_config(state.rooms_file))
    bot_task = asyncio.create_task(app.run())
    try:
        transcript = await _play(state, app.ready)
        print("\n=== Scripted conversation ===\n")
        print("\n".join(transcript))
        print(instructions(state))
        if wait:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.Event().wait()
    finally:
        app.stop()
        await bot_task
    return 0


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
