"""Trigger words: what a message must hold for a command's phrase to read it.

Each declared command says which folded fragments (« declench », « garde », « help »…)
any message its phrase understands contains, or that it reads every message (and why).
The router folds a message once (:class:`MessageText`) and only asks the phrases whose
triggers are in it, so a directory question is not read by thirty parsers each saying
"not mine".

A fragment matches anywhere in the folded text (« remplac » is in « remplaçant » and in
« remplacer »): a trigger may only ever let more phrases read a message, never fewer.
Fragments are best derived from the phrase's own regular expressions
(:func:`derived`): every match of a pattern holds one literal run of each alternative
it requires, so the longest required run of each alternative is a sound trigger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from cpts_bot.core.text_normalizer import fold

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class MessageText:
    """A message folded once, both ways the parsers fold it, spaces made single."""

    def __init__(self, body: str) -> None:
        kept = re.sub(r"\s+", " ", fold(body, keep_positions=True))
        expanded = re.sub(r"\s+", " ", fold(body))
        self.text = kept if kept == expanded else f"{kept}\n{expanded}"

        self._present: dict[frozenset[str], frozenset[str]] = {}

    def holds(self, fragment: str) -> bool:
        return fragment in self.text

    def present(self, fragments: frozenset[str]) -> frozenset[str]:
        """Those of ``fragments`` the text holds, looked for once per set (every command's
        triggers are then a set intersection, not a search each)."""
        found = self._present.get(fragments)
        if found is None:
            found = self._present[fragments] = frozenset(f for f in fragments if f in self.text)
        return found


@lru_cache(maxsize=32)
def message_text(body: str) -> MessageText:
    """``body`` folded once: the declared and the free-text passes share it."""
    return MessageText(body)


@dataclass(frozen=True)
class Triggers:
    """The fragments one of which every message a phrase understands holds; or none,
    with ``reads_every_message`` saying why the phrase must read every message."""

    fragments: frozenset[str] = frozenset()
    reads_every_message: str = ""

    def __or__(self, other: Triggers) -> Triggers:
        reason = " ".join(r for r in (self.reads_every_message, other.reads_every_message) if r)
        return Triggers(self.fragments | other.fragments, reason)

    def could_match(self, text: MessageText) -> bool:
        if self.reads_every_message or not self.fragments:
            return True
        return any(text.holds(fragment) for fragment in self.fragments)

    def held_in(self, present: frozenset[str]) -> bool:
        """:meth:`could_match`, given the fragments the text holds (``present``, which
        includes every fragment of these triggers that it holds)."""
        return bool(self.reads_every_message or not self.fragments or self.fragments & present)


def words(*fragments: str) -> Triggers:
    """Fragments written by hand (folded here): words a phrase reads without a pattern."""
    folded = frozenset(fold(fragment).strip() for fragment in fragments)
    if not all(folded):
        raise ValueError("an empty trigger would match every message")
    return Triggers(folded)


def every_message(reason: str) -> Triggers:
    """A phrase that must read every message (e.g. free text); ``reason`` says why."""
    if not reason.strip():
        raise ValueError("a phrase reading every message says why")
    return Triggers(reads_every_message=reason)


def derived(*patterns: re.Pattern[str]) -> Triggers:
    """The triggers of phrases that understand only what one of ``patterns`` matches."""
    found: set[str] = set()
    for pattern in patterns:
        fragments = required_fragments(pattern)
        if fragments is None:
            raise ValueError(f"no literal word is required by {pattern.pattern!r}")
        found |= fragments
    return Triggers(frozenset(found))


def required_fragments(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Folded literal fragments one of which every match of ``pattern`` contains, or
    None when some match needs no literal word (« ^(.+)$ »)."""
    return _sequence(sre_parse.parse(pattern.pattern, pattern.flags))


def _sequence(items: Any) -> frozenset[str] | None:
    """The most selective requirement of a sequence of pattern items."""
    options: list[frozenset[str]] = []
    run = ""
    for op, argument in items:
        if op is sre.LITERAL:
            run += chr(argument)
            continue
        options.extend(_runs(run))
        run = ""
        required = _item(op, argument)
        if required is not None:
            options.append(required)
    options.extend(_runs(run))
    if not options:
        return None
    return max(options, key=lambda fragments: (min(map(len, fragments)), -len(fragments)))


def _runs(run: str) -> list[frozenset[str]]:
    """A literal run, as requirements: each of its words is required."""
    return [frozenset({word}) for word in fold(run).split()]


def _item(op: Any, argument: Any) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        return _sequence(argument[-1])
    if op is sre.BRANCH:
        branches = [_sequence(branch) for branch in argument[1]]
        if any(branch is None for branch in branches):
            return None
        return frozenset().union(*branches)  # type: ignore[arg-type]
    if op in _REPEATS and argument[0] >= 1:
        return _sequence(argument[2])
    return None
