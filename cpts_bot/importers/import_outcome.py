"""What every import reports and exits with, the same for all of them.

Exit codes of ``cpts-bot import rpps``, ``import directory`` and ``import-rota``:

- 0: every row (line) was imported;
- 1: some rows were rejected (each listed with its line number and every problem it
  has); the others were imported;
- 2: nothing was imported: the file, the settings or the database could not be used,
  or every row was rejected (the rota is all or nothing: one bad line rejects the file).

A row is checked whole: :class:`RowProblems` collects every problem of a line, so the
operator fixes a line once, not once per problem.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from cpts_bot.core.errors import InputFileError
from cpts_bot.settings import ConfigError, Territory, load_rooms_config

ALL_IMPORTED = 0
SOME_REJECTED = 1
NOTHING_IMPORTED = 2

EXIT_CODES_HELP = (
    "exit codes: 0 every row imported, 1 some rows rejected (listed, the others"
    " imported), 2 nothing imported"
)

Value = TypeVar("Value")


class RowError(InputFileError, ValueError):
    """One problem of one row (the message names the column and what is wrong)."""


class RowProblems:
    """Every problem found in one row: check each field, then :meth:`raise_if_any`."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def check(self, parse: Callable[[], Value], default: Value) -> Value:
        """``parse()``, or ``default`` when it raises :class:`RowError` (recorded)."""
        try:
            return parse()
        except RowError as error:
            self.add(str(error))
            return default

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def raise_if_any(self) -> None:
        """Raise one :class:`RowError` listing every problem found, if there is one."""
        if self.messages:
            raise RowError("; ".join(self.messages))


def exit_code(imported: int, rejected: int) -> int:
    """0 when nothing was rejected, 2 when nothing was imported, else 1."""
    if rejected == 0:
        return ALL_IMPORTED
    return NOTHING_IMPORTED if imported == 0 else SOME_REJECTED


def nothing_imported(message: str) -> int:
    """Print ``message`` as an error (followed by "nothing was imported") and return 2."""
    print(f"error: {message}\nnothing was imported", file=sys.stderr)
    return NOTHING_IMPORTED


def territory_of(rooms_file: Path) -> Territory | None:
    """The territory of ``rooms_file``; None, once the error is printed (nothing
    imported), when the file cannot be read."""
    try:
        return load_rooms_config(rooms_file).territory
    except ConfigError as error:
        nothing_imported(f"cannot read the territory's communes:\n{error}")
        return None


def report_rejected(rejected: int, imported: int) -> int:
    """Warn about rejected rows (already listed on standard output); return the exit code."""
    code = exit_code(imported, rejected)
    if code == SOME_REJECTED:
        print(
            f"warning: {rejected} row(s) rejected (see above); the others were imported",
            file=sys.stderr,
        )
    elif code == NOTHING_IMPORTED:
        print(
            f"error: all {rejected} row(s) rejected (see above): nothing was imported",
            file=sys.stderr,
        )
    return code
