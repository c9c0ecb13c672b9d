"""How every cpts-bot command reads its settings, the same way for all of them.

``CPTS_*`` environment variables first, then the settings file (``--env-file``, which
must exist when given; by default ``.env`` in the current folder, when there is one),
then the defaults;
``--rooms-file`` on the command line wins over ``CPTS_ROOMS_FILE``. So ``run``, the
imports, the exports and the reports all use the same data directory and database.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cpts_bot.settings import (
    BotSettings,
    ConfigError,
    ConfigProblem,
    LocalSettings,
    load_bot_settings,
    load_local_settings,
)

DEFAULT_ENV_FILE = Path(".env")


def env_file_of(args: argparse.Namespace) -> Path | None:
    """The settings file to read, or None when there is none.

    Raises :class:`ConfigError` when ``--env-file`` names a file that does not exist.
    """
    given = getattr(args, "env_file", None)
    if given is None:
        return DEFAULT_ENV_FILE if DEFAULT_ENV_FILE.is_file() else None
    if not Path(given).is_file():
        raise ConfigError([ConfigProblem(str(given), "", "settings file not found")])
    return Path(given)


def _rooms_override(args: argparse.Namespace) -> dict[str, Path]:
    rooms_file = getattr(args, "rooms_file", None)
    return {"rooms_file": Path(rooms_file)} if rooms_file else {}


def local_settings_of(args: argparse.Namespace) -> LocalSettings:
    """Data directory, database and rooms file of a command that needs no Matrix login.

    Raises :class:`~cpts_bot.settings.ConfigError` when a setting is invalid.
    """
    return load_local_settings(env_file_of(args), **_rooms_override(args))


def bot_settings_of(args: argparse.Namespace) -> BotSettings:
    """Every setting of the bot (homeserver, account ...), read the same way."""
    return load_bot_settings(env_file_of(args), **_rooms_override(args))
