"""What dispatch requests mean, in French and English. Pure: text (and the time) in,
values out.

"déclenchement IDE domicile Hyères ce soir 20h pansement post-op" is a request for a
nurse, in Hyères, tonight at 20h, for "domicile pansement post-op"; "need a nurse at
home in Hyères tonight 8pm for a post-op dressing" is the same request. English requests
start with « need », « request » or « urgent » and name a profession (« I need cover for
my shift » stays a request for cover); their profession, care and commune words are the
vocabulary's own, their time is read by :func:`~cpts_bot.core.english_datetime.parse_moment_in`.
Patient details are kept apart from the broadcast: whatever follows the first line, or
a marker such as "patient :" or "détails :", only goes to the professional who accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from cpts_bot.core.english_datetime import parse_moment_in
from cpts_bot.core.french_datetime import ERROR_NOT_FOUND, Moment, MomentError
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.profession_words import find_profession
from cpts_bot.core.text_normalizer import fold
from cpts_bot.features.dispatch.consent.patient_consent import (
    anonymous_care,
    consent_answer,
    consent_in,
)
from cpts_bot.features.dispatch.usual_professional import find_usual_mention, says_nobody

# ---------------------------------------------------------------------------- requests

_FRENCH_TRIGGER = (
    r"^\s*(?:nouveau\s+|nouvelle\s+)?(?:declenchement|declencher|declenche|dispatch|demande\s+de\s+soin)"
    r"s?(?![a-z])\s*:?\s*"
)
# An English request's opening (« I need someone to cover my nurse shift » is a request
# for cover); « urgent » is left to be read as the urgency.
_ENGLISH_TRIGGER = (
    r"^\s*(?P<english>(?:(?:i|we)\s+)?(?:urgently\s+)?"
    r"(?:need(?:ed)?(?!\s+(?:an?\s+|some\s+)?(?:cover|replacement|someone|somebody|swap))"
    r"|request(?:\s+for)?|care\s+request|new\s+request)(?![a-z])\s*:?\s*"
    r"|(?P<urgent>(?=urgent(?:ly)?(?![a-z]))))"
)
# Its words as the router's triggers (every English request holds one of them).
_ENGLISH_OPENING = r"^\s*(?:(?:i|we)\s+)?(?:urgent|need|request|care\s+request|new\s+request)"
_TRIGGER = re.compile(_FRENCH_TRIGGER + "|" + _ENGLISH_TRIGGER)
REQUEST_PATTERN = re.compile(_FRENCH_TRIGGER + "|" + _ENGLISH_OPENING)  # every request's start
_PRIVATE_MARKER = re.compile(
    r"(?:\n|//|(?<![a-z])(?:patient|patiente|details?|infos?\s+patient|prive)\s*:)"
)
# The label a user may write at the start of the private part ("\npatient : Mme D."):
# the details are shown under their own label, so it is not kept.
_DETAILS_LABEL = re.compile(
    r"^\s*(?:patiente?|d[ée]tails?|infos?\s+patiente?|priv[ée]e?)\s*:\s*", re.IGNORECASE
)
_URGENT = re.compile(
    r"(?<![a-z])(?:urgent|urgente|urgence|tres\s+urgent|asap|urgently|emergency)(?![a-z])"
)
# Words left around the care once the rest is read (« pour un … », « need a … for a »).
_FILLER = re.compile(
    r"^(?:(?:pour|a|au|sur|de|un|une|le|la|les|need(?:ed)?|please|for|an?|the|some|to|with"
    r"|and)(?![a-z])|d'|,|-|:)\s*"
    r"|\s*(?:(?<![a-z])(?:pour|a|au|for|in|at|on|to|with|and|please|by|around)|,|-|:)$"
)
# An English word that only leads into a place or a time (« in Vénissieux », « at 8pm »).
_LEAD_IN = re.compile(r"(?<![a-z])(?:in|at|on|near|around|by|for)\s+$")

FIELDS = ("profession", "communes", "when", "what")


def is_dispatch_request(text: str, language: str = "fr") -> bool:
    """Does ``text`` start with "déclenchement" (or "déclencher", "dispatch"), or with
    "need", "request" or "urgent" and name a profession?"""
    match = _TRIGGER.match(fold(text, keep_positions=True))
    if match is None:
        return False
    if match.group("english") is None:
        return True
    # « need » and « urgent » only open a request naming a profession on its first line;
    # « urgent kiné Lyon 8 ? » from a French reader stays a directory question.
    if match.group("urgent") is not None and language != "en":
        return False
    return find_profession(text.split("\n")[0]) is not None


@dataclass
class RequestFields:
    """What a (possibly incomplete) request says. JSON-friendly for the drafts table."""

    profession: str | None = None
    communes: list[str] = field(default_factory=list)
    needed_at: str | None = None  # ISO UTC
    precision: str | None = None
    when_words: str | None = None
    what: str | None = None
    details: str = ""
    urgent: bool = False
    time_error: tuple[str, str] | None = None  # (message_id, detail) of an unreadable time
    # The patient's usual professional as typed (« Mme Martin », a Matrix ID); "" when
    # the requester said there is none; ``usual_needed``: the bot asked who it is.
    usual: str | None = None
    usual_needed: bool = False
    # The patient agreed (True), refused (False), unsaid (None); see patient_consent.py.
    consent: bool | None = None
    consent_needed: bool = False
    # An urgent request sent anonymised at once: its number, while its details wait here
    # for the patient's consent.
    sent_as: int | None = None

    def missing(self) -> list[str]:
        """The fields still needed, in the order they are asked for."""
        missing = []
        if not self.profession:
            missing.append("profession")
        if not self.communes:
            missing.append("communes")
        if not self.needed_at:
            missing.append("when")
        if not self.what:
            missing.append("what")
        if self.usual_needed and self.usual is None:
            missing.append("usual")
        if self.consent_needed and self.consent is None:
            missing.append("consent")
        return missing

    def merge(self, other: RequestFields) -> RequestFields:
        """Fill what is missing here from ``other``."""
        return RequestFields(
            profession=self.profession or other.profession,
            communes=self.communes or other.communes,
            needed_at=self.needed_at or other.needed_at,
            precision=self.precision if self.needed_at else other.precision,
            when_words=self.when_words if self.needed_at else other.when_words,
            what=self.what or other.what,
            details="\n".join(part for part in (self.details, other.details) if part),
            urgent=self.urgent or other.urgent,
            time_error=None if (self.needed_at or other.needed_at) else other.time_error,
            usual=self.usual if self.usual is not None else other.usual,
            usual_needed=self.usual_needed,
            consent=self.consent if self.consent is not None else other.consent,
            consent_needed=self.consent_needed,
            sent_as=self.sent_as,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "profession": self.profession,
            "communes": self.communes,
            "needed_at": self.needed_at,
            "precision": self.precision,
            "when_words": self.when_words,
            "what": self.what,
            "details": self.details,
            "urgent": self.urgent,
            "usual": self.usual,
            "usual_needed": self.usual_needed,
            "consent": self.consent,
            "consent_needed": self.consent_needed,
            "sent_as": self.sent_as,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> RequestFields:
        return cls(
            profession=data.get("profession"),  # type: ignore[arg-type]
            communes=list(data.get("communes") or []),  # type: ignore[call-overload]
            needed_at=data.get("needed_at"),  # type: ignore[arg-type]
            precision=data.get("precision"),  # type: ignore[arg-type]
            when_words=data.get("when_words"),  # type: ignore[arg-type]
            what=data.get("what"),  # type: ignore[arg-type]
            details=str(data.get("details") or ""),
            urgent=bool(data.get("urgent")),
            usual=data.get("usual"),  # type: ignore[arg-type]
            usual_needed=bool(data.get("usual_needed")),
            consent=data.get("consent"),  # type: ignore[arg-type]
            consent_needed=bool(data.get("consent_needed")),
            sent_as=data.get("sent_as"),  # type: ignore[arg-type]
        )


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _blank_led(text: str, start: int, end: int) -> str:
    """``_blank`` from the English word leading into the piece (« in Vénissieux »)."""
    lead = _LEAD_IN.search(fold(text[:start], keep_positions=True))
    return _blank(text, lead.start() if lead else start, end)


def parse_request(
    text: str, now: datetime, places: PlaceIndex, language: str = "fr"
) -> RequestFields:
    """Read a dispatch request (with or without its "déclenchement" word); ``language``:
    the sender's, whose time words are read first."""
    usual = find_usual_mention(text)
    normalized = fold(text, keep_positions=True)
    trigger = _TRIGGER.match(normalized)
    marker = _PRIVATE_MARKER.search(normalized, trigger.end() if trigger else 0)
    if usual is not None and (marker is None or usual.start < marker.start()):
        # « …, son IDE habituelle est Mme Martin » is never broadcast (on a line of its
        # own, it is among the details the taker gets).
        text = _blank(text, usual.start, usual.end)
        normalized = fold(text, keep_positions=True)
        marker = _PRIVATE_MARKER.search(normalized, trigger.end() if trigger else 0)
    public, details = text, ""
    if marker:
        public = text[: marker.start()]
        details = _DETAILS_LABEL.sub("", text[marker.end() :].strip(), count=1)
    # ``work`` is the public part with each understood piece blanked out; what is left
    # is the description of the care ("domicile pansement post-op").
    work = public
    if trigger:
        work = _blank(work, 0, trigger.end())
    fields = RequestFields(details=details.strip())
    fields.consent, said = consent_in(work)
    if said is not None:
        work = _blank(work, *said)
    if usual is not None:
        fields.usual = usual.typed
        fields.profession = usual.profession
    profession = find_profession(work)
    if profession:
        fields.profession = profession.code
        work = _blank(work, profession.start, profession.end)
    named = places.find(work)
    if named:
        fields.communes = [place.code for place in named]
        for place in named:
            work = _blank_led(work, place.start, place.end)
    urgent = _URGENT.search(fold(work, keep_positions=True))
    if urgent:
        fields.urgent = True
        work = _blank(work, urgent.start(), urgent.end())
    moment = parse_moment_in(language, work, now)
    if isinstance(moment, Moment):
        fields.needed_at = moment.at.isoformat()
        fields.precision = moment.precision
        fields.when_words = moment.matched
        start = work.find(moment.matched)
        if start >= 0:
            work = _blank_led(work, start, start + len(moment.matched))
    elif moment.message_id != ERROR_NOT_FOUND:
        fields.time_error = (moment.message_id, moment.detail)
        start = work.find(moment.matched) if moment.matched else -1
        if start >= 0:  # « le 31/02 20h » is not the care
            work = _blank(work, start, start + len(moment.matched))
    what = re.sub(r"\s+", " ", work).strip()
    previous = None
    while what and what != previous:
        previous = what
        what = _FILLER.sub("", what).strip()
    fields.what, fields.details = anonymous_care(what, fields.details)
    return fields


def parse_field_answer(
    awaiting: str, text: str, now: datetime, places: PlaceIndex, language: str = "fr"
) -> RequestFields | MomentError:
    """Read the answer to "which profession / where / when / what?" in a guided exchange.
    Other pieces found in the answer are kept too; the description is only taken when it
    was the question (so "Hyères" is not read as the care)."""
    if awaiting == "usual":
        return RequestFields(usual="" if says_nobody(text) else text.strip())
    if awaiting == "consent":
        return RequestFields(consent=consent_answer(text))
    fields = parse_request(text, now, places, language)
    if awaiting == "what":
        if not fields.what:
            fields.what, fields.details = anonymous_care(text.strip(), fields.details)
        return fields
    fields.what = None
    if awaiting == "when" and not fields.needed_at:
        if fields.time_error:
            return MomentError(*fields.time_error)
        moment = parse_moment_in(language, text, now)
        if isinstance(moment, MomentError):
            return moment
    return fields
