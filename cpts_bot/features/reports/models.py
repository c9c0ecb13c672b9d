"""What the tracking table says of any request, whoever records or reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RequestFacts:
    """When a request came, of which kind and category, its outcome, and who asked for
    which profession where: codes and short labels, never a patient's details."""

    requested_at: datetime
    kind: str
    category: str
    outcome: str
    requester_profession: str | None = None
    profession_asked: str | None = None
    commune_asked: str | None = None
