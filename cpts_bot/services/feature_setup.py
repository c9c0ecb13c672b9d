"""What every feature's manifest is built from, once at start-up: the settings, and the
few objects several features share (built once by ``app.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from cpts_bot.core.vocabulary_loader import Vocabulary
from cpts_bot.features.alerts.audience_service import RoomMembers
from cpts_bot.features.directory.index_provider_service import DatabaseIndexProvider
from cpts_bot.features.reports.request_tracking_service import RecentQuestions
from cpts_bot.services.context import ProfessionalLookup
from cpts_bot.settings import RoomsConfig


@dataclass(frozen=True)
class FeatureSetup:
    """``directory_index``: the in-memory directory (the directory answers from it, the
    card and the médecin-traitant desk mark it dirty); ``recent_questions``: the
    directory's last question per person (« coordination » right after it passes it on);
    ``lookup``: the directory as dispatch, cover, rota and the desk see it; ``members``:
    who is in a room (the alerts' audience), from the Matrix adapter."""

    config: RoomsConfig
    vocabulary: Vocabulary
    directory_index: DatabaseIndexProvider
    recent_questions: RecentQuestions
    lookup: ProfessionalLookup
    members: RoomMembers | None = None
