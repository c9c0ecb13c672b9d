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
from cpts_bot.settings import ConfigError, check_config, load_rooms_config
from cpts_bot.storage.schema_migrator import MigrationError

DESCRIPTION = (
    "An end-to-end-encrypted Matrix bot for a CPTS. Settings come from CPTS_* environment"
    " variables and the settings file (.env); every command uses the same data directory."
)

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
    demo = commands.add_parser("demo", help="local Synapse + bot + sample territory")
    demo.add_argument("--state-dir", type=Path, default=Path(".cpts"))
    demo.add_argument("--no-wait", action="store_true", help="stop after the scripted conversation")
    chat = commands.add_parser("chat", help="talk to the demo bot from the terminal (E2EE)")
    chat.add_argument("--as", dest="user", default="demo-gp")
    chat.add_argument("--state-dir", type=Path, default=Path(".cpts"))
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
        return 0
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 2


def cmd_run(args: argparse.Namespace) -> int:
    from cpts_bot.app import run_bot
    from cpts_bot.logging_setup import setup_logging

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

    try:
        asyncio.run(run_bot(settings, config))
    except (CrossSigningError, LoginError, MigrationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "check-config":
        return cmd_check_config(args)
    if args.command == "run":
        return cmd_run(args)
    if args.command == "demo":
        from cpts_bot.devtools.demo import run_demo

        return run_demo(args.state_dir, wait=not args.no_wait)
    if args.command == "chat":
        from cpts_bot.devtools.terminal_chat import run_chat

        return run_chat(args.state_dir, args.user)
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
