"""Every request into the tracking table: directory questions, card updates, retention.

The tracking table keeps what the bot understood (codes and short labels) and never a
patient's details: the words people typed go to the ``free_text`` column only, which
the retention policy empties after ``tracking.retention_days`` (rooms.yaml; see
``services/data_minimisation.py``).

:class:`RecentQuestions` remembers, in memory and for a short while, each person's last
directory question per room, so that "coordination" right after an unanswered question
hands that question (not the word "coordination") to the coordination team.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from cpts_bot.core.concepts import ConceptKind, ConceptRef
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.core.vocabulary_loader import Vocabulary
from cpts_bot.features.directory.professional_matcher import SearchResult
from cpts_bot.features.directory.query_parser import DirectoryQuery, Intent
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.reports.tracking_repository import (
    KIND_QUESTION,
    KIND_UPDATE,
    OUTCOME_ANSWERED,
    OUTCOME_NOTHING_FOUND,
    TrackedRequest,
    record_request,
)
from cpts_bot.services.context import Context

log = logging.getLogger(__name__)

CATEGORY_ORIENTATION = "orientation"
CATEGORY_DIRECTORY = "directory"
CATEGORY_UPDATE = "update"
DEFAULT_REMEMBER_FOR = timedelta(minutes=30)
MAX_REMEMBERED = 10_000


@dataclass(frozen=True)
class RecentQuestion:
    """A person's last directory question in one room, as the hand-off needs it: the
    request as the tracking table recorded it, what was understood and how many matched."""

    request_id: int
    request: TrackedRequest
    criteria: str = ""
    total: int = 0

    @property
    def nothing_found(self) -> bool:
        return self.request.outcome == OUTCOME_NOTHING_FOUND


class RecentQuestions:
    """Last directory question per (person, room), forgotten after ``remember_for``.

    In memory on purpose, like the directory's conversation context: the words typed
    are not kept in the database beyond the tracking table's purged column.
    """

    def __init__(self, remember_for: timedelta = DEFAULT_REMEMBER_FOR) -> None:
        self.remember_for = remember_for
        self._last: dict[tuple[str, str], RecentQuestion] = {}

    def remember(self, user_id: str, room_id: str, question: RecentQuestion) -> None:
        """Keep ``question`` as ``user_id``'s last one in ``room_id``."""
        if len(self._last) >= MAX_REMEMBERED:
            oldest = min(self._last, key=lambda key: self._last[key].request.requested_at)
            del self._last[oldest]
        self._last[(user_id, room_id)] = question

    def last(self, user_id: str, room_id: str, now: datetime) -> RecentQuestion | None:
        """The unexpired last question of ``user_id`` in ``room_id``, or None."""
        question = self._last.get((user_id, room_id))
        if question is None or now - question.request.requested_at > self.remember_for:
            return None
        return question

    def forget(self, user_id: str, room_id: str) -> None:
        """Drop the remembered question (once it has been handed off)."""
        self._last.pop((user_id, room_id), None)


async def requester_profession(db: aiosqlite.Connection, matrix_id: str) -> str | None:
    """The profession code (TRE_G15) of the directory card holding ``matrix_id``, if any."""
    return await DirectoryRepository(db).profession_code_by_matrix_id(matrix_id)


def profession_asked(query: DirectoryQuery, vocabulary: Vocabulary) -> str | None:
    """The profession codes asked for ("60"; "10,70" when several), None when none.

    A specialty ("pédiatre") counts as the profession it implies.
    """
    codes = set(query.professions)
    for code in query.specialties:
        codes |= vocabulary.professions_of(ConceptRef(ConceptKind.SPECIALTY, code))
    return ",".join(sorted(codes)) or None


def commune_asked(query: DirectoryQuery) -> str | None:
    """The INSEE codes of the communes asked for, None when the question names none."""
    return ",".join(sorted(query.places)) or None


def question_summary(query: DirectoryQuery, criteria: str, result: SearchResult) -> str:
    """What was understood and found: "find: kiné, Bron — 3 (relaxed: neighbours)"."""
    summary = f"{query.intent.value}: {criteria} — {result.total}"
    if result.relaxations:
        summary += f" (relaxed: {', '.join(step.value for step in result.relaxations)})"
    return summary


async def track_directory_question(
    context: Context,
    message: IncomingMessage,
    query: DirectoryQuery,
    result: SearchResult,
    criteria: str,
    vocabulary: Vocabulary,
) -> RecentQuestion:
    """Record a directory question (found something, or nothing even after relaxing)."""
    request = TrackedRequest(
        requested_at=message.timestamp,
        kind=KIND_QUESTION,
        category=CATEGORY_DIRECTORY if query.intent == Intent.COUNT else CATEGORY_ORIENTATION,
        outcome=OUTCOME_ANSWERED if result.found else OUTCOME_NOTHING_FOUND,
        summary=question_summary(query, criteria, result),
        free_text=message.body,
        answered_at=context.now,
        profession_asked=profession_asked(query, vocabulary),
        commune_asked=commune_asked(query),
        source_event_id=message.event_id,
    )
    # The asker's profession is read within the insert: a round trip less on the answer's path.
    request_id = await record_request(context.db, request, requester=message.sender)
    return RecentQuestion(request_id, request, criteria, result.total)


async def track_card_update(
    db: aiosqlite.Connection,
    message: IncomingMessage,
    now: datetime,
    *,
    own: bool,
    changed_fields: list[str],
) -> int:
    """Record a card update: which fields changed (never their values)."""
    whose = "own card" if own else "card of another"
    summary = f"{whose}: {', '.join(changed_fields) or 'nothing changed'}"
    return await record_request(
        db,
        TrackedRequest(
            requested_at=message.timestamp,
            kind=KIND_UPDATE,
            category=CATEGORY_UPDATE,
            outcome=OUTCOME_ANSWERED,
            requester_profession=await requester_profession(db, message.sender),
            summary=summary,
            free_text=message.body,
            answered_at=now,
            source_event_id=message.event_id,
        ),
    )
