"""« Plus tard »: a reader postpones an alert's reminder for themselves (pure).

An important or urgent alert may remind, once, those who have not acknowledged it after
its reminder delay (« rappel: 30 min »). A reader who answers « plus tard » (or reacts 💤)
is not acknowledging: their reminder is postponed by that same delay counted from the
moment they said it (by :data:`DEFAULT_SNOOZE` when the alert sets no reminder). Saying
it again postpones it again. Acknowledging in the meantime cancels it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_SNOOZE = timedelta(hours=1)


def snooze_delay(reminder_minutes: int | None, default: timedelta = DEFAULT_SNOOZE) -> timedelta:
    """How long « plus tard » postpones the reminder: the alert's own reminder delay."""
    if reminder_minutes:
        return timedelta(minutes=reminder_minutes)
    return default


def snoozed_until(
    now: datetime, reminder_minutes: int | None, default: timedelta = DEFAULT_SNOOZE
) -> datetime:
    """When a reader who says « plus tard » at ``now`` is reminded."""
    return now + snooze_delay(reminder_minutes, default)


def round_recipients(pending: Iterable[str], snoozes: Mapping[str, datetime]) -> list[str]:
    """Who the posting's reminder goes to at ``now``: those who have not acknowledged,
    except readers who said « plus tard » (they get their own reminder when their snooze
    ends, never two)."""
    return sorted(user for user in pending if user not in snoozes)


@dataclass(frozen=True)
class Snooze:
    """One reader's postponed reminder for one posting of an alert."""

    firing_id: int
    user_id: str
    remind_at: datetime


def due_snoozes(
    snoozes: Iterable[Snooze], acknowledged: Mapping[int, set[str]], now: datetime
) -> tuple[list[Snooze], list[Snooze]]:
    """(to remind now, to forget): a due snooze of a reader who has acknowledged since is
    forgotten, the others are reminded."""
    remind: list[Snooze] = []
    forget: list[Snooze] = []
    for snooze in snoozes:
        if snooze.remind_at > now:
            continue
        if snooze.user_id in acknowledged.get(snooze.firing_id, set()):
            forget.append(snooze)
        else:
            remind.append(snooze)
    return remind, forget
