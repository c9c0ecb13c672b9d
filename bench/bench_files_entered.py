"""How many of the bot's source files one message enters, from its inbox row to its reply.

Through the real router (the bot's own features, one SQLite database): a directory
question, « aide », and a nurse's « je prends » while a dispatch waits for her. A profile
hook (``sys.setprofile``) records every function called while the router handles the
row; the files are those of ``cpts_bot``. Also counts the calls into declared phrases.

``--read-every-phrase`` routes as before trigger words: every declared phrase reads
every message.

Usage: python bench/bench_files_entered.py [--read-every-phrase]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cpts_bot.app import build_features  # noqa: E402
from cpts_bot.chat.commands import CommandRegistry  # noqa: E402
from cpts_bot.core.times import PARIS  # noqa: E402
from cpts_bot.inbox.command_router import CommandRouter  # noqa: E402
from cpts_bot.storage import core_repository as repo  # noqa: E402
from cpts_bot.storage.database import Database  # noqa: E402
from tests.unit.dispatch_support import HYERES  # noqa: E402
from tests.unit.medecin_traitant_support import add_professional, mt_config  # noqa: E402

NOW = datetime(2026, 11, 10, 10, 0, tzinfo=PARIS).astimezone(UTC)
COORDINATOR = "@coord:cpts.test"
NURSE = "@nurse:cpts.test"
KINE = "@kine:cpts.test"
PACKAGE = str(ROOT / "cpts_bot")


def row(sender: str, body: str, number: int) -> repo.InboxRow:
    payload = {"body": body, "timestamp": NOW.isoformat(), "is_direct": True}
    return repo.InboxRow(f"$m{number}", f"!dm-{sender}", sender, "message", payload, 0)


async def entered(router: CommandRouter, inbox_row: repo.InboxRow) -> tuple[set[str], int]:
    """The package files entered and the phrase reads while ``router`` handles the row."""
    files: set[str] = set()
    reads = 0

    def profile(frame: Any, event: str, _arg: Any) -> None:
        nonlocal reads
        if event != "call":
            return
        name = frame.f_code.co_filename
        if name.startswith(PACKAGE):
            files.add(name)
            if frame.f_code.co_name == "read" and name.endswith("/chat/commands.py"):
                reads += 1

    sys.setprofile(profile)
    try:
        await router._handle_row(inbox_row)
    finally:
        sys.setprofile(None)
    return files, reads


async def measure(read_every_phrase: bool) -> list[tuple[str, int, int]]:
    folder = Path(tempfile.mkdtemp(prefix="cpts-files-"))
    database = await Database.open(folder / "bot.sqlite")
    try:
        async with database.transaction() as db:
            await add_professional(db, NURSE, HYERES, NOW, profession="60")
            await add_professional(db, KINE, HYERES, NOW, profession="70")
        config = mt_config()
        chat = build_features(database, config).chat
        clock: Callable[[], datetime] = lambda: NOW  # noqa: E731
        router = CommandRouter(database, config, "@bot:cpts.test", chat, lambda: None, clock=clock)
        if read_every_phrase:
            from cpts_bot.chat.triggers import every_message

            everything = every_message("as before trigger words")
            router._routes.commands = CommandRegistry(
                dataclasses.replace(c, triggers=everything) for c in router.commands.commands
            )
        await router._handle_row(row(NURSE, "bonjour", 0))  # imports and caches warmed
        await router._handle_row(
            row(
                COORDINATOR,
                "déclenchement IDE domicile Hyères ce soir 20h pansement, patient d'accord",
                1,
            )
        )
        found = []
        for number, (sender, body) in enumerate(
            [(KINE, "kiné à domicile Hyères"), (NURSE, "aide"), (NURSE, "je prends")], start=2
        ):
            files, reads = await entered(router, row(sender, body, number))
            found.append((body, len(files), reads))
        return found
    finally:
        await database.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-every-phrase", action="store_true")
    args = parser.parse_args()
    for body, files, reads in asyncio.run(measure(args.read_every_phrase)):
        print(f"« {body} »: {files} files entered, {reads} phrase reads")


if __name__ == "__main__":
    main()
