"""A periodic job: a service the scheduler runs every so often, in a transaction of its own.

Declared by a feature's manifest (``chat/feature_manifest.py``), run by
``scheduling/periodic_jobs.py``; it lives here so that both may name it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cpts_bot.services.context import Context

JobFunction = Callable[[Context], Awaitable[object]]


@dataclass(frozen=True)
class PeriodicJob:
    """Run ``function`` every ``seconds``; with ``checkpoint``, then truncate the
    write-ahead log (for jobs that erase text: no copy stays in old log frames)."""

    name: str
    seconds: float
    function: JobFunction
    checkpoint: bool = False
