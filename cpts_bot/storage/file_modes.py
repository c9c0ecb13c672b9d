"""Files of the data directory are readable by the bot's user only (0600, folders 0700).

The database, its write-ahead log, the crypto store, the credentials and the recovery key
hold health data or secrets. The process runs with umask 077 (see ``cli.py``) and the
bot tightens what an older version or another tool left more open at every start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700
DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (never truncates)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


def restrict_database_files(path: Path) -> None:
    """Mode 0600 on a SQLite database and its companion files that exist."""
    for suffix in DATABASE_SUFFIXES:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.chmod(companion, FILE_MODE)


def restrict_tree(folder: Path) -> list[Path]:
    """Mode 0700 on ``folder`` and every folder below, 0600 on every file; return the
    paths whose mode was changed (symbolic links are left alone)."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = loose_paths(folder)
    for path in changed:
        os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
    return changed


def loose_paths(folder: Path) -> list[Path]:
    """Files not 0600 and folders not 0700 under ``folder`` (itself included)."""
    loose = []
    for path in [folder, *sorted(folder.rglob("*"))]:
        if path.is_symlink():
            continue
        wanted = FOLDER_MODE if path.is_dir() else FILE_MODE
        if stat.S_IMODE(path.stat().st_mode) != wanted:
            loose.append(path)
    return loose
