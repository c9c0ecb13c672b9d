"""One engine for every state machine: a table of (state before, event) -> state after.

Each machine (dispatch, cover request, médecin-traitant request, hand-off, alert) keeps
only its states, its events and its :class:`StateTable`. A move that is not in the table
raises :class:`IllegalTransition`, which names the kind of thing that could not move.

What the table does not decide is a lost race: the stored state changed between reading
and writing. The repositories apply a move with one conditional update
(``... WHERE id = ? AND state = :before``) and answer ``None`` when no row changed; that
is a value (someone else won), never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from cpts_bot.core.errors import StateError

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


def _article(kind: str) -> str:
    return "an" if kind[:1] in "aeiou" else "a"


class IllegalTransition(StateError):
    """``event`` is not allowed in ``state`` for a thing of ``kind``."""

    def __init__(self, kind: str, state: StrEnum | None, event: StrEnum) -> None:
        super().__init__(f"cannot {event.value} {_article(kind)} {kind} that is {state or 'new'}")
        self.kind = kind
        self.state = state
        self.event = event


class StateTable(Generic[S, E]):
    """The moves of one kind of thing; ``None`` as the state before is "not there yet"."""

    def __init__(self, kind: str, transitions: Mapping[tuple[S | None, E], S]) -> None:
        self.kind = kind
        self.transitions: dict[tuple[S | None, E], S] = dict(transitions)

    def next_state(self, state: S | None, event: E) -> S:
        """The state after ``event`` in ``state``; raise :class:`IllegalTransition`."""
        try:
            return self.transitions[(state, event)]
        except KeyError:
            raise IllegalTransition(self.kind, state, event) from None

    def allowed_events(self, state: S | None) -> frozenset[E]:
        """The events ``state`` accepts."""
        return frozenset(event for (before, event) in self.transitions if before == state)

    def allows(self, state: S | None, event: E) -> bool:
        return (state, event) in self.transitions
