"""``cpts-bot reset-cross-signing`` and ``cpts-bot restore-cross-signing``.

Both use the bot's settings (``CPTS_*``, ``.env``) and its data directory; stop the bot
first (they open the same crypto store).

- ``restore-cross-signing`` asks for the recovery key shown when the identity was
  created, fetches the keys from the account's secret storage into the data directory
  and signs the bot's device: the bot keeps its identity on a new machine.
- ``reset-cross-signing`` asks for the bot's password and replaces its identity (new
  master and self-signing keys, a new recovery key shown once). Users' clients will
  show that the bot's identity changed.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from cpts_bot.command_settings import bot_settings_of
from cpts_bot.matrix.cross_signing import (
    CrossSigningError,
    ensure_cross_signed,
    reset_cross_signing,
    restore_cross_signing,
)
from cpts_bot.matrix.secret_storage import SecretStorageError
from cpts_bot.settings import BotSettings, ConfigError

EXIT_OK = 0
EXIT_FAILED = 1


def register_cli(subparsers: Any) -> None:
    """Add ``reset-cross-signing`` and ``restore-cross-signing`` to ``subparsers``."""
    reset = subparsers.add_parser(
        "reset-cross-signing",
        help="replace the bot's cross-signing identity (asks for the bot's password)",
    )
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    reset.set_defaults(handler=run_reset)
    restore = subparsers.add_parser(
        "restore-cross-signing",
        help="restore the bot's cross-signing keys with its recovery key",
    )
    restore.set_defaults(handler=run_restore)


def _ask(prompt: str) -> str:
    """Read a secret: hidden on a terminal, a line of standard input otherwise."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip()


def _settings(args: argparse.Namespace) -> BotSettings:
    return bot_settings_of(args)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED


def _show_recovery_key(recovery_key: str) -> None:
    print("New recovery key (shown once; write it down and keep it offline):")
    print(f"    {recovery_key}")
    print("It restores the bot's identity on a new machine: cpts-bot restore-cross-signing")


async def _with_client(settings: BotSettings, action: Any) -> Any:
    from cpts_bot.matrix.client_factory import create_client

    client = await create_client(settings)
    try:
        return await action(client)
    finally:
        await client.close()  # never log out: the device and its keys stay


def run_reset(args: argparse.Namespace) -> int:
    """Handler of ``reset-cross-signing``: returns the exit code."""
    try:
        settings = _settings(args)
    except ConfigError as error:
        return _fail(str(error))
    if not args.yes:
        answer = input(
            f"Replace the cross-signing identity of {settings.user_id}? Users will see it "
            "change and coordinators must confirm it. Type RESET to go on: "
        )
        if answer.strip() != "RESET":
            return _fail("cancelled")
    password = _ask(f"Password of {settings.user_id}: ")
    if not password:
        return _fail("no password given")
    try:
        status = asyncio.run(
            _with_client(
                settings, lambda client: reset_cross_signing(client, settings.data_dir, password)
            )
        )
    except CrossSigningError as error:
        return _fail(str(error))
    print(f"Cross-signing identity of {settings.user_id} replaced; master key {status.master_key}.")
    _show_recovery_key(status.recovery_key or "")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    """Handler of ``restore-cross-signing``: returns the exit code."""
    try:
        settings = _settings(args)
    except ConfigError as error:
        return _fail(str(error))
    recovery_key = _ask("Recovery key: ")

    async def restore(client: Any) -> str | None:
        await restore_cross_signing(client, settings.data_dir, recovery_key)
        status = await ensure_cross_signed(client, settings, settings.data_dir)
        return status.master_key

    try:
        master_key = asyncio.run(_with_client(settings, restore))
    except (CrossSigningError, SecretStorageError) as error:
        return _fail(str(error))
    print(
        f"Cross-signing keys of {settings.user_id} restored (master key {master_key}); "
        "this device is signed."
    )
    return EXIT_OK
