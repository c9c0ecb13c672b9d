"""The cpts-bot command: run, check-config, demo, chat, and the feature commands.

Every command reads its settings the same way (see command_settings.py). Texts shown by
--help are plain text: no reStructuredText markup in them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

from cpts_bot.command_settings import bot_settings_of, env_file_of
from cpts_bot.settings import ConfigError, check_config, load_rooms_config, territory_notes
from cpts_bot.storage.schema_migrator import MigrationError

DESCRIPTION = (
    "An end-to-end-encrypted Matrix bot for a CPTS. Settings come from CPTS_* environment"
    " variables and the settings file (.env); every command uses the same data directory."
)

# Written by ``cpts-bot demo`` (run from the clone): the demo bot's settings.
DEMO_ENV = Path(".cpts/demo/demo.env")
CliRegistrar = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]


def _feature_registrars() -> list[CliRegistrar]:
    """The subcommands contributed by features (imports, exports, cross-signing ...)."""
    registrars: list[CliRegistrar] = []
    for module_name in (
        "cpts_bot.importers.cli_commands",
        "cpts_bot.importers.rota_csv",
        "cpts_bot.reporting.cli_commands",
        "cpts_bot.matrix.cross_signing_cli",
        "cpts_bot.operations.status_cli",
        "cpts_bot.operations.outbox_cli",
    ):
        try:
            module = __import__(module_name, fromlist=["register_cli"])
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue
            raise
        registrars.append(module.register_cli)
    return registrars


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cpts-bot", description=DESCRIPTION)
    parser.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help="settings file of CPTS_* variables (default: .env in the current folder, when"
        " there is one); the environment wins",
    )
    parser.add_argument(
        "--rooms-file",
        type=Path,
        default=None,
        help="territory and rooms (default: CPTS_ROOMS_FILE or rooms.yaml)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot")
    commands.add_parser("check-config", help="validate the settings and rooms.yaml")
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"use the running demo's settings ({DEMO_ENV}), e.g. cpts-bot --demo status",
    )
    from cpts_bot.devtools.cli_commands import register_demo_commands

    register_demo_commands(commands)
    for register in _feature_registrars():
        register(commands)
    return parser


def _print_problems(error: ConfigError) -> None:
    for problem in error.problems:
        print(f"error: {problem}", file=sys.stderr)


def cmd_check_config(args: argparse.Namespace) -> int:
    try:
        problems = check_config(env_file_of(args), args.rooms_file)
    except ConfigError as error:
        problems = error.problems
    if not problems:
        print("configuration OK")
        for note in territory_notes(args.rooms_file):
            print(f"note: {note}")
        return 0
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 2


def cmd_run(args: argparse.Namespace) -> int:
    from cpts_bot.app import run_bot
    from cpts_bot.logging_setup import setup_logging
    from cpts_bot.matrix.crypto_stack import CryptoStackError, check_crypto_stack

    try:
        check_crypto_stack()
    except CryptoStackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        settings = bot_settings_of(args)
        config = load_rooms_config(settings.rooms_file)
    except ConfigError as error:
        _print_problems(error)
        print(
            "cpts-bot refuses to start on an invalid configuration (run `cpts-bot check-config`).",
            file=sys.stderr,
        )
        return 2
    setup_logging(settings.log_level)
    os.umask(0o077)  # everything the bot writes is its user's alone (docs/privacy.md)
    from cpts_bot.matrix.client_factory import LoginError
    from cpts_bot.matrix.cross_signing import CrossSigningError
    from cpts_bot.matrix.token_login import AccessTokenRefused

    try:
        asyncio.run(run_bot(settings, config))
    except (AccessTokenRefused, CrossSigningError, LoginError, MigrationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    # « --demo » anywhere (cpts-bot status --demo): the demo's settings file.
    demo = "--demo" in arguments
    args = parser.parse_args([item for item in arguments if item != "--demo"])
    if demo or args.demo:
        if not DEMO_ENV.is_file():
            print(
                f"No demo here ({DEMO_ENV} is missing): start it with ./scripts/demo.",
                file=sys.stderr,
            )
            return 2
        args.env_file = DEMO_ENV
    if args.command == "check-config":
        return cmd_check_config(args)
    if args.command == "run":
        return cmd_run(args)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.error(f"unknown command {args.command}")
    try:
        return int(handler(args) or 0)
    except ConfigError as error:
        _print_problems(error)
        return 2
    except MigrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
