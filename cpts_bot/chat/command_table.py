"""A feature's commands as a table: what its commands share is said once, and each row
holds only what sets one command apart (its name, phrase, priority, help and examples).

``command_table(row(...), row(...), topic=Topic.DUTY, audience=Audience.COORDINATOR)``
builds the :class:`~cpts_bot.chat.commands.Command` declarations, in the rows' order:
the fields every row shares, each row's own fields winning. A row's phrase may be a
compiled regular expression (read as a :class:`Pattern`), a parse function
``parse(text, context)`` (read as a :class:`Parser` of the table's ``specificity``), or
any phrase. ``patterns`` (a row's, or the table's) are the regular expressions the
command's trigger words are derived from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cpts_bot.chat.commands import Command, Parser, Pattern, Phrase
from cpts_bot.chat.triggers import derived

Reads = re.Pattern[str] | Phrase | Callable[..., Any]


@dataclass(frozen=True)
class Row:
    """One command of a table: what sets it apart from the others."""

    name: str
    reads: Reads
    priority: int
    help: str  # N_ msgid
    examples: tuple[str, ...]  # N_ msgids
    fields: Mapping[str, Any]  # any other field of Command, over the table's


def row(name: str, reads: Reads, priority: int, help: str, *examples: str, **fields: Any) -> Row:
    """One row: ``name``, its phrase, its priority, its help text and its examples;
    ``fields`` are other fields of the command (``handler``, ``published``, ...)."""
    return Row(name, reads, priority, help, examples, fields)


def _phrase(reads: Reads, specificity: int | None) -> Phrase:
    if isinstance(reads, re.Pattern):
        return Pattern(reads)
    if hasattr(reads, "read"):
        return reads  # type: ignore[return-value]
    if specificity is None:
        raise ValueError("a parse function needs the table's specificity")
    return Parser(reads, specificity)


def command_table(*rows: Row, specificity: int | None = None, **shared: Any) -> tuple[Command, ...]:
    """The commands of ``rows``: each row's fields over ``shared`` (the fields every row
    has, e.g. ``topic``)."""
    commands = []
    for one in rows:
        fields = {**shared, **one.fields}
        patterns = fields.pop("patterns", ())
        if patterns:
            fields["triggers"] = derived(*patterns)
        commands.append(
            Command(
                name=one.name,
                phrase=_phrase(one.reads, specificity),
                help=one.help,
                examples=one.examples,
                priority=one.priority,
                **fields,
            )
        )
    return tuple(commands)
