"""What French messages of the médecin-traitant desk mean. Pure: text in, a typed command
out (or None when the message is not for this desk).

- GPs: « je peux prendre 3 nouveaux patients ce mois-ci », « je ne prends plus de
  nouveaux patients », « priorité ALD et plus de 70 ans », « je confirme », « mes places »,
  « stop rappels » / « reprendre les rappels »;
- any professional: « patient sans médecin traitant, 78 ans, ALD diabète, Vénissieux, vu
  à la pharmacie » (contact details after a new line, « // » or « coordonnées : »);
- coordinators: « liste d'attente », « patients prioritaires en attente depuis plus de
  30 jours », « annuler patient 12 ».
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cpts_bot.core.catalog_marks import N_
from cpts_bot.core.french_datetime import NUMBER_WORDS
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.text_normalizer import fold
from cpts_bot.core.user_error import UserError
from cpts_bot.features.medecin_traitant.models import CapacityScope, Priority

MAX_PLACES = 500
MAX_AGE = 120


@dataclass(frozen=True)
class DeclareRoom:
    count: int
    scope: CapacityScope


@dataclass(frozen=True)
class StopTaking:
    pass


@dataclass(frozen=True)
class SetPriorities:
    priorities: frozenset[Priority]


@dataclass(frozen=True)
class ConfirmRoom:
    pass


@dataclass(frozen=True)
class ShowRoom:
    pass


@dataclass(frozen=True)
class SetReminders:
    enabled: bool


@dataclass(frozen=True)
class RegisterPatient:
    """A patient without a GP. ``private`` is what the referrer typed (with any contact
    details): it only ever goes to the GP who accepts."""

    commune: str
    age: int
    priorities: frozenset[Priority]
    private: str


class RegisterProblem(StrEnum):
    """What a registration lacks, as the message said back ({example}: a commune)."""

    NO_COMMUNE = N_(
        "Which commune does the patient live in? Write it in the message, e.g. “patient sans "
        "médecin traitant, 78 ans, ALD, {example}”."
    )
    SEVERAL_COMMUNES = N_(
        "Name one commune only (where the patient lives), e.g. “patient sans médecin "
        "traitant, 78 ans, ALD, {example}”."
    )
    NO_AGE = N_(
        "How old is the patient? Write it as “78 ans”, e.g. “patient sans médecin traitant, "
        "78 ans, ALD, {example}”."
    )
    BAD_AGE = N_("That age cannot be right: write it as “78 ans”.")


# Why a registration cannot be read: ``RegisterError(RegisterProblem.NO_AGE)``.
RegisterError = UserError


@dataclass(frozen=True)
class WaitingList:
    priority_only: bool = False
    older_than_days: int | None = None


@dataclass(frozen=True)
class CancelRequest:
    request_id: int


@dataclass(frozen=True)
class PrioritiesNotUnderstood:
    text: str


@dataclass(frozen=True)
class BadPlaces:
    count: int


Command = (
    DeclareRoom
    | StopTaking
    | SetPriorities
    | ConfirmRoom
    | ShowRoom
    | SetReminders
    | RegisterPatient
    | RegisterError
    | WaitingList
    | CancelRequest
    | PrioritiesNotUnderstood
    | BadPlaces
)

_NEW_PATIENTS = r"(?:de\s+|des\s+)?(?:nouveaux?|nouvelles?)\s+patient(?:e|s|es)?"
_NUMBER = r"(\d{1,4}|" + "|".join(NUMBER_WORDS) + r")"
_DECLARE = re.compile(
    r"^(?:je\s+)?(?:peux|pourrai|pourrais|prends|prendrai|accepte|accepterai)\s+"
    r"(?:encore\s+)?(?:prendre\s+|accepter\s+)?(?:encore\s+)?" + _NUMBER + r"\s+(?:autres\s+)?"
    r"(?:" + _NEW_PATIENTS + r"|patient(?:e|s|es)?)"
    r"|^j'?\s?ai\s+(?:encore\s+)?" + _NUMBER + r"\s+places?"
)
_THIS_MONTH = re.compile(r"(?<![a-z])ce\s+mois(?:-?\s?ci)?(?![a-z])")
_EVERY_MONTH = re.compile(r"(?<![a-z])(?:par\s+mois|chaque\s+mois|/\s*mois|mensuel(?:lement)?)")
_STOP = re.compile(
    r"^(?:je\s+)?(?:ne\s+)?(?:prends|prend|accepte|peux\s+prendre)\s+plus\s+"
    + _NEW_PATIENTS
    + r"|^(?:je\s+n'?\s?accepte\s+plus\s+"
    + _NEW_PATIENTS
    + r")"
    r"|^(?:je\s+n'?\s?ai\s+)?plus\s+de\s+places?(?:\s+pour\s+" + _NEW_PATIENTS + r")?\s*$"
    r"|^je\s+suis\s+complete?s?\s*$"
)
_PRIORITIES = re.compile(r"^(?:mes\s+)?priorit(?:e|es)\s*:?\s*(.*)$")
_NO_PRIORITY = re.compile(r"^(?:aucune|pas\s+de|sans)(?:\s+priorite)?s?$")
_CONFIRM = re.compile(r"^(?:je\s+)?confirme(?:\s+mes\s+places)?$|^toujours\s+(?:pareil|valable)$")
_SHOW = re.compile(
    r"^mes\s+places(?:\s+(?:mt|medecin\s+traitant))?(?:\s+(?:dispo\w*|disponibles?|libres?))?$"
)
_REMINDERS_OFF = re.compile(
    r"^(?:stop|arreter?|pas\s+de|plus\s+de|sans)\s+(?:les\s+)?rappels?(?:\s+(?:mt|medecin\s+traitant))?$"
)
_REMINDERS_ON = re.compile(
    r"^(?:reprendre|reactiver|activer|remettre)\s+(?:les\s+)?rappels?"
    r"(?:\s+(?:mt|medecin\s+traitant))?$"
)
_REGISTER = re.compile(
    r"^(?:(?:j'\s?ai|je\s+vois|j'\s?ai\s+vu|je\s+signale)\s+(?:un|une)\s+)?"
    r"(?:nouveau\s+|nouvelle\s+)?(?:patient(?:e)?|personne|usager|usagere)\s+"
    r"(?:sans|n'?\s?ayant\s+pas\s+de|qui\s+n'?\s?a\s+pas\s+de|cherche|recherche|qui\s+cherche)\s+"
    r"(?:de\s+|un\s+)?(?:medecin\s+traitant|mt)(?![a-z])"
)
# « Patient sans MT : un généraliste de Marseille qui prend encore de nouveaux patients ? »
# is a directory question, not a registration: it asks for someone.
_ASKS_FOR_SOMEONE = re.compile(
    r"(?<![a-z])(?:(?:un|une|des|quel|quelle|quels|quelles)\s+(?:medecin|generaliste|mg|doc"
    r"|docteur|toubib)s?(?![a-z])|qui\s+(?:prend|prennent|accepte|acceptent)|connai|auriez"
    r"|y\s+a\s+t\s?il|est\s+ce\s+qu|combien|cb\s+d)"
)
_PRIVATE_MARKER = re.compile(
    r"(?:\n|//|(?<![a-z])(?:coordonnees|contact|tel|telephone|identite|nom)\s*:)"
)
_AGE = re.compile(r"(?<![\d])(\d{1,3})\s*ans(?![a-z])")
_WAITING = re.compile(r"^(?:la\s+)?liste\s+d'?\s*attente(?:\s+(?:mt|medecin\s+traitant))?$")
_WAITING_FILTER = re.compile(
    r"^(?:les\s+)?patients?\s+(prioritaires?\s+)?(?:en\s+attente|qui\s+attendent)"
    r"(?:\s+(?:de\s+)?(?:mt|medecin\s+traitant))?"
    r"(?:\s+depuis\s+(?:plus\s+de\s+)?(\d{1,4})\s+jours?)?$"
)
_CANCEL = re.compile(
    r"^annuler?\s+(?:la\s+)?(?:demande\s+)?(?:mt|medecin\s+traitant|patient)\s+(?:n[o°]?\s*)?#?(\d+)$"
)

CRITERIA: tuple[tuple[Priority, re.Pattern[str]], ...] = (
    (Priority.ALD, re.compile(r"(?<![a-z])(?:ald|affection\s+(?:de\s+)?longue\s+duree)(?![a-z])")),
    (
        Priority.C2S,
        re.compile(
            r"(?<![a-z0-9])(?:c2s|css|cmu-?c?|complementaire\s+sante\s+solidaire)(?![a-z0-9])"
        ),
    ),
    (Priority.PREGNANCY, re.compile(r"(?<![a-z])(?:enceinte|grossesse|femmes?\s+enceintes?)")),
    (
        Priority.DISABILITY,
        re.compile(r"(?<![a-z])(?:handicap(?:e|ee|es|ees)?|invalidite|pmr|aah|mdph)(?![a-z])"),
    ),
    (
        Priority.HOSPITAL_DISCHARGE,
        re.compile(
            r"(?:sorti(?:e|es|s)?|sortant(?:e|s)?|retour)\s+d'?\s*(?:une\s+)?"
            r"(?:hospitalisation|hopital|hospit|clinique)|post-?\s?hospitalisation"
        ),
    ),
    (
        Priority.AGE,
        re.compile(
            r"(?:plus\s+de|\+\s*de|>\s*)\s*\d{2}\s*ans|\d{2}\s*ans\s+et\s+plus"
            r"|personnes?\s+agees?|ages?\s+de\s+plus"
        ),
    ),
)

# What each kind of message matches (the router's trigger words come from them).
GP_PATTERNS = (_DECLARE, _STOP, _PRIORITIES, _CONFIRM, _SHOW, _REMINDERS_OFF, _REMINDERS_ON)
WAITING_PATTERNS = (_WAITING, _WAITING_FILTER)
CANCEL_PATTERN = _CANCEL
REGISTER_PATTERN = _REGISTER


def _clean(text: str) -> str:
    cleaned = fold(text, keep_positions=True).strip()
    cleaned = re.sub(r"[!.?…]+$", "", cleaned).strip()
    return re.sub(r"[ \t]+", " ", cleaned)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def find_priorities(text: str) -> frozenset[Priority]:
    """The priority criteria named in ``text`` ("ALD et plus de 70 ans" -> ALD, AGE)."""
    folded = fold(text, keep_positions=True)
    return frozenset(priority for priority, pattern in CRITERIA if pattern.search(folded))


def parse_gp_command(text: str) -> Command | None:
    """A GP's message about their room, or None."""
    cleaned = _clean(text)
    declare = _DECLARE.match(cleaned)
    if declare:
        count = _number(declare.group(1) or declare.group(2))
        if count < 1 or count > MAX_PLACES:
            return BadPlaces(count)
        scope = CapacityScope.ONCE
        if _THIS_MONTH.search(cleaned):
            scope = CapacityScope.THIS_MONTH
        elif _EVERY_MONTH.search(cleaned):
            scope = CapacityScope.EVERY_MONTH
        return DeclareRoom(count, scope)
    if _STOP.match(cleaned):
        return StopTaking()
    priorities = _PRIORITIES.match(cleaned)
    if priorities:
        rest = priorities.group(1).strip()
        if _NO_PRIORITY.match(rest):
            return SetPriorities(frozenset())
        found = find_priorities(rest)
        return SetPriorities(found) if found else PrioritiesNotUnderstood(rest)
    if _CONFIRM.match(cleaned):
        return ConfirmRoom()
    if _SHOW.match(cleaned):
        return ShowRoom()
    if _REMINDERS_OFF.match(cleaned):
        return SetReminders(False)
    if _REMINDERS_ON.match(cleaned):
        return SetReminders(True)
    return None


def is_registration(text: str) -> bool:
    """Does ``text`` start like « patient sans médecin traitant », without asking for
    someone (« … : un généraliste qui prend encore des patients ? » is a question)?"""
    folded = fold(text, keep_positions=True).strip()
    start = _REGISTER.match(folded)
    return start is not None and not _ASKS_FOR_SOMEONE.search(folded, start.end())


def parse_registration(
    text: str, places: PlaceIndex, priority_age: int = 70
) -> RegisterPatient | RegisterError | None:
    """« patient sans médecin traitant, 78 ans, ALD diabète, Vénissieux, vu à la
    pharmacie »: the commune, the age, the priority criteria; None if not a registration."""
    folded = fold(text, keep_positions=True).strip()
    if not is_registration(text):
        return None
    marker = _PRIVATE_MARKER.search(folded)
    public = text.strip()[: marker.start()] if marker else text.strip()
    communes = places.find(public)
    if not communes:
        return RegisterError(RegisterProblem.NO_COMMUNE)
    if len(communes) > 1:
        return RegisterError(RegisterProblem.SEVERAL_COMMUNES)
    age_match = _AGE.search(fold(public, keep_positions=True))
    if age_match is None:
        return RegisterError(RegisterProblem.NO_AGE)
    age = int(age_match.group(1))
    if age > MAX_AGE:
        return RegisterError(RegisterProblem.BAD_AGE)
    priorities = set(find_priorities(public))
    if age >= priority_age:
        priorities.add(Priority.AGE)
    return RegisterPatient(communes[0].code, age, frozenset(priorities), text.strip())


def parse_coordination_command(text: str) -> WaitingList | CancelRequest | None:
    """« liste d'attente », « patients prioritaires en attente depuis plus de 30 jours »,
    « annuler patient 12 »."""
    cleaned = _clean(text)
    if _WAITING.match(cleaned):
        return WaitingList()
    waiting = _WAITING_FILTER.match(cleaned)
    if waiting:
        days = int(waiting.group(2)) if waiting.group(2) else None
        return WaitingList(priority_only=bool(waiting.group(1)), older_than_days=days)
    cancel = _CANCEL.match(cleaned)
    if cancel:
        return CancelRequest(int(cancel.group(1)))
    return None


_DETAILS = re.compile(
    r"^\s*(?:coordonnees|contact|details?)\s+(?:(?:de\s+la\s+)?demande\s+)?(?:n[o°]?\s*)?#?(\d+)"
    r"\s*:\s*",
)

DETAILS_PATTERN = _DETAILS


def parse_details(text: str) -> tuple[int, str] | None:
    """« coordonnées 12 : Mme D., 06 12 34 56 78 » -> (12, "Mme D., 06 12 34 56 78")."""
    match = _DETAILS.match(fold(text, keep_positions=True))
    if match is None:
        return None
    rest = text[match.end() :].strip()
    return (int(match.group(1)), rest) if rest else None
