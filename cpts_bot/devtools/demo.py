"""The demo: a local Synapse, the bot, a sample territory and scripted scenes, then a
banner with the logins; the bot's logs go to a file, never to the terminal.

The set-up is ``demo_setup.py``, the scenes ``demo_scenes.py``, who plays them
``demo_player.py``. Everything lives in one folder (``.cpts/demo`` by default) that can be
deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from cpts_bot.devtools.demo_player import Player, ScriptStopped
from cpts_bot.devtools.demo_scenes import DEMO_ROLES, DEMO_USERS, Step, demo_script
from cpts_bot.devtools.demo_setup import DemoState, load_sample_territory, prepare
from cpts_bot.settings import load_rooms_config

LOG_FILE = "bot.log"
DEMO_ENV_FILE = "demo.env"


def _next_play(folder: Path) -> int:
    """How many times the scenes have been played on this state, this one included."""
    counter = folder / "plays"
    played = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(played))
    return played


async def _play(player: Player, app_ready: asyncio.Event, script: list[Step]) -> None:
    await app_ready.wait()
    rooms = player.rooms
    try:
        # Every demo user is online (and in their rooms) before it starts: each gets the
        # room keys of what the bot posts in their rooms.
        for who in DEMO_USERS:
            await player.start(who)
        coordinator = player.clients["demo-coord"]
        for room_id in rooms.group_rooms.values():
            try:
                await coordinator.wait_joined(room_id, rooms.bot_user, timeout=60)
            except TimeoutError:
                raise ScriptStopped(f"the bot did not join {room_id}") from None
        player.line("\n=== Scripted conversation ===")
        await player.play(script)
    finally:
        await player.stop()


def write_env_file(state: DemoState) -> Path:
    """The demo bot's settings as a settings file: ``cpts-bot --env-file`` (or
    ``--demo``) makes every command (status, export ...) use the demo's database."""
    settings = state.settings()
    env_file = state.folder / DEMO_ENV_FILE
    env_file.write_text(
        f"CPTS_HOMESERVER={settings.homeserver}\n"
        f"CPTS_USER_ID={settings.user_id}\n"
        f"CPTS_PASSWORD={settings.password}\n"
        f"CPTS_DEVICE_NAME={settings.device_name}\n"
        f"CPTS_DATA_DIR={settings.data_dir}\n"
        f"CPTS_ROOMS_FILE={settings.rooms_file}\n"
    )
    os.chmod(env_file, 0o600)
    return env_file


def instructions(state: DemoState) -> str:
    """The banner printed once the scenes are played: nothing is printed after it."""
    passwords = json.loads((state.folder / "passwords.json").read_text())
    folder = _shown(state.folder)
    lines = [
        "",
        "=" * 78,
        f"The demo is running: homeserver {state.synapse.url}",
        "Log in with any Matrix client (that homeserver URL) as one of:",
    ]
    for name, role in DEMO_ROLES.items():
        lines.append(f"  {state.users[name]:24} password: {passwords[name]:14} {role}")
    lines += [
        f"and start an encrypted direct chat with {state.bot_user}.",
        "The rooms « Alertes » (every demo user) and « Coordination » (demo-coord) are ready.",
        "Or talk to the bot from another terminal, end-to-end encrypted (/help there):",
        "  .cpts/venv/bin/cpts-bot chat --as demo-gp",
        "Other scenes: ./scripts/demo --scene swaps (or medecin-traitant, alerts).",
        f"Data:     {folder / 'bot-data'} (the bot's database and keys)",
        f"Logs:     {folder / LOG_FILE} (the bot), {folder / 'synapse' / 'homeserver.log'}",
        f"Settings: {folder / DEMO_ENV_FILE} — e.g. .cpts/venv/bin/cpts-bot --demo status",
        "Ctrl-C stops the demo; delete .cpts/demo to start afresh.",
        "=" * 78,
    ]
    return "\n".join(lines)


def _shown(path: Path) -> Path:
    """``path`` relative to the current folder when it is inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


async def _run(state: DemoState, wait: bool, scenes: tuple[str, ...]) -> int:
    from cpts_bot.app import BotApp

    app = BotApp(state.settings(), load_rooms_config(state.rooms_file))
    bot_task = asyncio.create_task(app.run())
    player = Player(state.demo_rooms())
    script = demo_script(datetime.now(UTC), scenes, _next_play(state.folder))
    status = 0
    try:
        try:
            await _play(player, app.ready, script)
        except ScriptStopped as stopped:
            status = 1
            player.line(f"\nThe scripted conversation stopped: {stopped}")
        print(instructions(state), flush=True)
        if wait:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.Event().wait()
    finally:
        app.stop()
        await bot_task
    return status


def log_to_file(log_file: Path) -> None:
    """The bot's logs (JSON lines) go to ``log_file``, never to the terminal."""
    from cpts_bot.logging_setup import JsonFormatter, setup_logging

    setup_logging("WARNING")
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    logging.getLogger().handlers[:] = [handler]
    logging.getLogger("cpts_bot").setLevel(logging.INFO)
    logging.getLogger("nio").setLevel(logging.ERROR)
    logging.captureWarnings(True)


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run_demo(state_dir: Path, wait: bool = True, scenes: tuple[str, ...] = ("tour",)) -> int:
    """Entry point of ``cpts-bot demo``."""
    folder = state_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    lock = (folder / "demo.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(
            "A demo is already running with this state folder; stop it first (Ctrl-C).",
            file=sys.stderr,
        )
        return 1
    log_to_file(folder / LOG_FILE)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does
    print("Starting a local Synapse on 127.0.0.1 (first run installs it: about a minute)...")
    print(
        f"Logs go to {_shown(folder.resolve() / LOG_FILE)} and {_shown(folder.resolve())}/synapse/"
    )
    state = prepare(state_dir)
    try:
        print("Sample territory imported:")
        print("\n".join("  " + line for line in load_sample_territory(state)))
        (state.folder / "demo.json").write_text(
            json.dumps(
                {"homeserver": state.synapse.url, "bot": state.bot_user, "users": state.users}
            )
        )
        write_env_file(state)
        try:
            return asyncio.run(_run(state, wait, scenes))
        except KeyboardInterrupt:
            return 0
    finally:
        state.synapse.stop()
        print("Demo stopped.", file=sys.stderr)
