"""A feature's manifest: everything the bot registers for one feature, declared once.

Each feature folder has one ``manifest.py`` whose ``manifest(setup)`` returns a
:class:`FeatureManifest`: the feature's declared commands, the follow-ups to its
messages, its periodic jobs, its hooks on sent (and failed) messages, and the outbox
correlation prefixes it owns. ``app.py`` builds the bot from the list of manifests and
from nothing else; a follow-up or a hook on a prefix the feature does not own is refused
here, and two features owning overlapping prefixes are refused by :func:`prefix_clashes`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cpts_bot.chat.command_dispatch import Declared
from cpts_bot.chat.commands import Command
from cpts_bot.chat.follow_ups import FollowUp
from cpts_bot.services.periodic_job import PeriodicJob

# (database connection, correlation, room id, event id): the outbox row was sent.
SentHook = Callable[[Any, str, str, str], Awaitable[object]]
# (database connection, correlation, target, error, when): the outbox row gave up.
FailedHook = Callable[[Any, str, str, str, datetime], Awaitable[object]]
BeforeEvent = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class FeatureManifest:
    """One feature as the bot registers it. ``on_sent`` / ``on_failed`` pair a
    correlation prefix with its hook; ``before_event`` runs before each event is
    handled (outside its transaction)."""

    name: str
    commands: tuple[Command, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    jobs: tuple[PeriodicJob, ...] = ()
    on_sent: tuple[tuple[str, SentHook], ...] = ()
    on_failed: tuple[tuple[str, FailedHook], ...] = ()
    before_event: tuple[BeforeEvent, ...] = ()
    # The prefixes it owns: of its outbox correlations, and of the keys under which it
    # notes what it told once; every such literal of the package is owned by a manifest
    # (tests/unit/test_manifests.py).
    correlation_prefixes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        used = [f.prefix for f in self.follow_ups]
        used += [prefix for prefix, _hook in (*self.on_sent, *self.on_failed)]
        foreign = sorted(set(used) - set(self.correlation_prefixes))
        if foreign:
            raise ValueError(f"{self.name}: correlation prefixes it does not own: {foreign}")

    def routes(self) -> Declared:
        """What the router reads: the commands and the follow-ups."""
        return Declared(self.commands, self.name, self.follow_ups)


class AnsweredFeature(Protocol):
    """A feature whose messages people answer: its commands and the follow-up to them."""

    def commands(self) -> Iterable[Command]: ...

    def follow_up(self) -> FollowUp: ...


def answered_feature(
    name: str, feature: AnsweredFeature, prefix: str, on_sent: SentHook, *jobs: PeriodicJob
) -> FeatureManifest:
    """The manifest of a feature whose messages are answered (an offer kind, a hand-off):
    its commands, the follow-up to its messages, the hook telling which event a message
    became and its jobs, all under its one correlation ``prefix``."""
    return FeatureManifest(
        name,
        commands=tuple(feature.commands()),
        follow_ups=(feature.follow_up(),),
        jobs=jobs,
        on_sent=((prefix, on_sent),),
        correlation_prefixes=(prefix,),
    )


def prefix_clashes(manifests: Iterable[FeatureManifest]) -> list[str]:
    """Prefixes owned twice, or one starting another (a correlation would then be
    claimed by two features): empty when every correlation has one owner."""
    owned = [(p, m.name) for m in manifests for p in m.correlation_prefixes]
    return [
        f"{a!r} ({owner_a}) and {b!r} ({owner_b})"
        for i, (a, owner_a) in enumerate(owned)
        for b, owner_b in owned[i + 1 :]
        if a.startswith(b) or b.startswith(a)
    ]
