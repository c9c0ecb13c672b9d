"""« Je veux parler à la coordination »: the phrases that ask for a person (pure).

:func:`parse_handoff_request` reads a message into a typed :class:`HandoffRequest`, or
None when the message does not ask for a person of the coordination.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cpts_bot.core.text_normalizer import fold

_PERSON = (
    r"(?:la\s+)?(?:coordination|coordinat(?:eur|rice)s?|cpts|(?:un|une)\s+(?:humain|personne)"
    r"|quelqu\s*un|une\s+vraie\s+personne|un\s+etre\s+humain)"
)
HANDOFF_PATTERNS = (
    re.compile(rf"\b(?:parler|discuter|echanger)\s+(?:a|avec)\s+{_PERSON}\b"),
    re.compile(
        r"\b(?:appeler|contacter|joindre|rappeler)\s+(?:la\s+)?(?:coordination|cpts|"
        r"coordinat(?:eur|rice)s?)\b"
    ),
    re.compile(r"^(?:je\s+veux\s+|je\s+voudrais\s+)?(?:un|une)\s+(?:humain|vraie\s+personne)\b"),
    re.compile(r"^(?:humain|coordination)\s*[!?.]*$"),
    re.compile(
        r"\b(?:talk|speak)\s+(?:to|with)\s+(?:a\s+human|a\s+person|someone|"
        r"(?:the\s+)?coordinat(?:ion|or))\b"
    ),
)
# Only a call for the coordination, nothing of the person's own request.
_BARE_REQUEST = re.compile(
    r"^(?:(?:je\s+)?(?:veux|voudrais)\s+)?(?:parler\s+a\s+)?(?:la\s+|un\s+|une\s+)?"
    r"(?:coordination|humain|personne|cpts)\s*(?:svp|s\s*il\s+vous\s+plait)?\s*[!?.]*$"
)


@dataclass(frozen=True)
class HandoffRequest:
    """A request for a person of the coordination: its words, and whether they are only
    that call (« coordination », « un humain ») with nothing of the person's own."""

    text: str
    bare: bool


def _spaced(text: str) -> str:
    """Folded (lower case, no accents), apostrophes and hyphens as spaces."""
    return re.sub(r"['-]", " ", fold(text, keep_positions=True)).strip()


def asks_for_a_person(text: str) -> bool:
    """True when ``text`` asks to talk to a person of the coordination."""
    folded = _spaced(text)
    return any(pattern.search(folded) for pattern in HANDOFF_PATTERNS)


def parse_handoff_request(text: str) -> HandoffRequest | None:
    """``text`` as a request for a person of the coordination, or None."""
    if not asks_for_a_person(text):
        return None
    return HandoffRequest(text, _BARE_REQUEST.match(_spaced(text)) is not None)
