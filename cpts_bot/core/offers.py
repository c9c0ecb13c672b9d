"""What every "first accept wins" offer shares, pure: the answers people give (reply
words, 👍 / ❌), what an answer comes to (:class:`Outcome`), what a recipient's answer is
recorded as, and the states and events of a kind's table that every offer moves by, with
the lifecycle they make (:class:`OfferRules`): a kind's table is that lifecycle and its
own extra moves.

Dispatch requests, cover requests and the médecin-traitant desk are kinds of offer: the
request is offered to several people, the first accept wins (one conditional update
decides), the others are told once, a decline is recorded, the offer may expire and the
next one be made. A new kind is its state table, an :class:`OfferRules`, its tables
(``storage/offer_repository.OfferTables``) and its texts and side effects
(``services/offer_service.OfferKind``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from cpts_bot.core.text_normalizer import fold

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


class Answer(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    HAND_BACK = "hand_back"


_HAND_BACK = re.compile(
    r"^(?:desolee?\s*)?(?:je\s+ne\s+peux\s+plus|j'?\s?peux\s+plus|peux\s+plus|je\s+me\s+desiste"
    r"|desistement|je\s+rends|je\s+le\s+rends|je\s+la\s+rends|empeche(?:e)?)(?![a-z])"
)
_DECLINE = re.compile(
    r"^(?:non|no|nan|pas\s+dispo(?:nible)?|indispo(?:nible)?|je\s+ne\s+peux\s+pas"
    r"|j'?\s?peux\s+pas|peux\s+pas|impossible|je\s+refuse|refuse|pas\s+possible"
    r"|desolee?|pas\s+moi|not\s+available|unavailable|i\s+can'?n?o?t)(?![a-z])"
)
_ACCEPT = re.compile(
    r"^(?:ok|okay|oki|oui|yes|dispo(?:nible)?|je\s+suis\s+dispo(?:nible)?|je\s+prends"
    r"|je\s+la\s+prends|je\s+le\s+prends|j'?\s?accepte|accepte|go|je\s+peux|je\s+m'en\s+occupe"
    r"|c'?\s?est\s+bon|pour\s+moi|je\s+y\s+vais|j'?\s?y\s+vais|banco|d'accord|daccord|ca\s+marche"
    r"|i'?\s?ll\s+take\s+it|i\s+take\s+it|available)(?![a-z])"
)
ACCEPT_REACTIONS = frozenset({"👍", "✅", "✔", "👌", "🙋", "🙋‍♀", "🙋‍♂"})
DECLINE_REACTIONS = frozenset({"❌", "👎", "🚫", "✖"})
_MAX_ANSWER_WORDS = 8


def _strip_emoji_modifiers(key: str) -> str:
    return "".join(char for char in key if char != "\ufe0f" and not 0x1F3FB <= ord(char) <= 0x1F3FF)


def classify_reaction(key: str) -> Answer | None:
    """👍 ✅ accept, ❌ 👎 decline (skin tones and variation selectors ignored)."""
    key = _strip_emoji_modifiers(key.strip())
    if key in ACCEPT_REACTIONS:
        return Answer.ACCEPT
    if key in DECLINE_REACTIONS:
        return Answer.DECLINE
    return None


def classify_answer(text: str) -> Answer | None:
    """What a short reply to a dispatch means: "ok je prends", "dispo", "pas dispo",
    "je ne peux plus" ... or None when it is not an answer (a long message, a question)."""
    cleaned = re.sub(r"[!.?,;:…\s]+", " ", fold(text, keep_positions=True)).strip()
    cleaned = re.sub(r"\s*\d+$", "", cleaned)  # "je prends 42"
    if not cleaned or len(cleaned.split()) > _MAX_ANSWER_WORDS:
        key = text.strip()
        return classify_reaction(key) if key else None
    if _HAND_BACK.match(cleaned):
        return Answer.HAND_BACK
    if _DECLINE.match(cleaned):
        return Answer.DECLINE
    if _ACCEPT.match(cleaned):
        return Answer.ACCEPT
    return classify_reaction(text.strip())


class Outcome(StrEnum):
    """What an answer or a request's action came to (one list for every kind)."""

    WON = "won"
    ALREADY_YOURS = "already_yours"
    TAKEN_BY_OTHER = "taken_by_other"
    CLOSED = "closed"
    NOT_ASKED = "not_asked"
    NO_ROOM = "no_room"
    DECLINED = "declined"
    UNKNOWN = "unknown"
    HANDED_BACK = "handed_back"
    NOT_ALLOWED = "not_allowed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    RELAUNCHED = "relaunched"


def offer_correlation(prefix: str, subject_id: int, kind: str, target: str) -> str:
    """What a kind's message about ``subject_id`` is correlated as in the outbox:
    ``{prefix}{subject_id}:{kind}:{target}`` (``kind``: an offer, the details...)."""
    return f"{prefix}{subject_id}:{kind}:{target}"


def parse_offer_correlation(prefix: str, text: str) -> tuple[int, str, str] | None:
    """``dispatch:42:broadcast:@nurse:hs`` -> (42, "broadcast", "@nurse:hs") for the
    prefix ``dispatch:``; None when ``text`` is not a correlation of ``prefix``."""
    if not text.startswith(prefix):
        return None
    parts = text[len(prefix) :].split(":", 2)
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1], parts[2]


# What a recipient's answer is recorded as.
ACCEPTED = "accepted"
DECLINED = "declined"
LATE = "late"  # answered after someone else won, and told so
TAKEN = "taken"  # told by the win itself that someone else won (médecin traitant)
TOLD_TOO_LATE = frozenset({LATE, TAKEN})


# The names a kind's states and events bear unless it names them otherwise.
_USUAL_STATES = {"open": "OPEN", "won": "TAKEN", "cancelled": "CANCELLED", "expired": "EXPIRED"}
_USUAL_EVENTS = {
    "create": "CREATE",
    "accept": "ACCEPT",
    "decline": "DECLINE",
    "cancel": "CANCEL",
    "expire": "EXPIRE",
}


@dataclass(frozen=True)
class OfferRules(Generic[S, E]):
    """The states and events of a kind's table that every offer moves by: ``open``
    (offered, waiting), ``won`` (someone accepted), ``cancelled``, and ``expired`` (what
    an offer's expiry leaves it in); ``late`` is what a too-late answer is recorded as."""

    open: S
    won: S
    cancelled: S
    expired: S
    create: E
    accept: E
    decline: E
    cancel: E
    expire: E
    late: str = LATE

    @classmethod
    def named(cls, states: type[S], events: type[E], **given: Any) -> OfferRules[S, E]:
        """The rules of a kind whose states and events bear the usual names (``OPEN``,
        ``TAKEN``, ``CANCELLED``, ``EXPIRED``; ``CREATE``, ``ACCEPT``, ``DECLINE``,
        ``CANCEL``, ``EXPIRE``); ``given`` names the ones that differ."""
        usual: dict[str, Any] = {
            field: states[name] for field, name in _USUAL_STATES.items() if field not in given
        }
        usual |= {
            field: events[name] for field, name in _USUAL_EVENTS.items() if field not in given
        }
        return cls(**usual, **given)

    def lifecycle(self) -> dict[tuple[S | None, E], S]:
        """The moves every offer makes: created open; accepted, won; declined, still open
        (for the others); expired; cancelled while open."""
        return {
            (None, self.create): self.open,
            (self.open, self.accept): self.won,
            (self.open, self.decline): self.open,
            (self.open, self.expire): self.expired,
            (self.open, self.cancel): self.cancelled,
        }
