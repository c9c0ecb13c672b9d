"""A real Synapse for the session, fresh users per test, the bot as a real process."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from cpts_bot.devtools.matrix_user import MatrixUser
from cpts_bot.devtools.synapse import SynapseServer

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Users:
    """Creates fresh users with unique names on the session's Synapse."""

    synapse: SynapseServer
    base: Path
    clients: list[MatrixUser] = field(default_factory=list)

    def create(self, role: str, admin: bool = False) -> tuple[str, str]:
        localpart = f"{role}-{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        return self.synapse.register(localpart, password, admin=admin), password

    async def client(self, role: str) -> MatrixUser:
        user_id, password = self.create(role)
        client = MatrixUser(
            self.synapse.url, user_id, password, self.base / user_id.strip("@").replace(":", "_")
        )
        await client.start()
        self.clients.append(client)
        return client


@pytest.fixture
async def users(synapse: SynapseServer, tmp_path: Path) -> AsyncIterator[Users]:
    registry = Users(synapse, tmp_path / "clients")
    yield registry
    for client in registry.clients:
        await client.stop()


@dataclass
class BotProcess:
    """The bot run as ``python -m cpts_bot run``, like an operator runs it."""

    env: dict[str, str]
    data_dir: Path
    rooms_file: Path
    log_path: Path
    user_id: str
    process: subprocess.Popen[bytes] | None = None

    def start(self, wait_ready: bool = True, timeout: float = 60) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cpts_bot", "--rooms-file", str(self.rooms_file), "run"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        if wait_ready:
            self.wait_log("ready: logged in, synced, listening", timeout)

    def ready_count(self) -> int:
        return self.log_text().count("ready: logged in, synced, listening")

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace") if self.log_path.exists() else ""

    def wait_log(self, text: str, timeout: float = 60, count: int | None = None) -> None:
        wanted = count if count is not None else self.log_text().count(text) + 1
        deadline = time.monotonic() + timeout
        while self.log_text().count(text) < wanted:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"bot exited ({self.process.returncode}):\n" + self.log_text()[-3000:]
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"bot log never said {text!r}:\n" + self.log_text()[-3000:])
            time.sleep(0.1)

    def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None


def rooms_yaml(coordinators: list[str], users: list[str], **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "territory": {
            "name": "CPTS Test",
            "communes": [
                {
                    "insee": "69388",
                    "name": "Lyon 8e Arrondissement",
                    "postal_codes": ["69008"],
                    "aliases": ["Lyon 8"],
                }
            ],
        },
        "coordinators": coordinators,
        "access": {"users": users},
    }
    # No quiet hours unless a test sets them: reminders must not depend on the hour the
    # suite runs at (the quiet hours have their own tests).
    data["quiet_hours"] = {"start": "00:00", "end": "00:00"}
    data.update(extra)
    return data


@pytest.fixture
def make_bot(synapse: SynapseServer, tmp_path: Path) -> Iterator[object]:
    bots: list[BotProcess] = []

    def factory(coordinators: list[str], allowed: list[str], **extra: object) -> BotProcess:
        user_id, password = Users(synapse, tmp_path).create("bot")
        folder = tmp_path / f"bot-{len(bots)}"
        folder.mkdir()
        rooms_file = folder / "rooms.yaml"
        rooms_file.write_text(yaml.safe_dump(rooms_yaml(coordinators, allowed, **extra)))
        env = {
            **os.environ,
            "CPTS_HOMESERVER": synapse.url,
            "CPTS_USER_ID": user_id,
            "CPTS_PASSWORD": password,
            "CPTS_DATA_DIR": str(folder / "data"),
            "CPTS_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
        bot = BotProcess(env, folder / "data", rooms_file, folder / "bot.log", user_id)
        bots.append(bot)
        return bot

    yield factory
    for bot in bots:
        bot.stop()
