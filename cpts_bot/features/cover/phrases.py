"""What swap and cover messages mean, in French and English.

- "je cherche un remplaçant pour ma garde du 24/12", "qui peut me remplacer samedi nuit ?",
  "I need cover for my shift tomorrow" -> a request for cover of one's own duty
- "annuler remplacement 3", "je ne cherche plus de remplaçant", "cancel cover 3"
  -> the requester withdraws
- coordinators: "garde du 24/12 nuit : @martin:hs remplace @durand:hs",
  "remplacer @durand:hs par @martin:hs le 24/12", "@martin:hs covers @durand:hs on 24/12"
  -> an override (names may replace the Matrix IDs in the first form)
Pure: text and the time in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cpts_bot.core.catalog_marks import N_
from cpts_bot.core.french_datetime import (
    PRECISION_EXACT,
    WEEKDAYS,
    MomentError,
    Period,
    parse_moment,
    parse_period,
)
from cpts_bot.core.text_normalizer import fold
from cpts_bot.features.cover.models import (
    PRECISION_DAY,
    PRECISION_PART,
    PRECISION_TIME,
    SwapWhen,
)
from cpts_bot.features.rota.english import ENGLISH_DAY_WORDS

ERROR_NEED_DATE = N_("Which duty? Give its date, e.g. “ma garde du 24/12” or “samedi nuit”.")
ERROR_OVERRIDE_FORM = N_(
    "Who replaces whom, and when? e.g. “garde du 24/12 nuit : @martin:server remplace "
    "@durand:server”."
)
ERROR_OVERRIDE_SAME = N_("The replacement must be someone else than the one replaced.")


@dataclass(frozen=True)
class SwapRequest:
    """Cover wanted for the sender's duty ``when`` (None: no date was given)."""

    when: SwapWhen | None


@dataclass(frozen=True)
class SwapCancel:
    """The requester withdraws request ``swap_id`` (None: their only open one)."""

    swap_id: int | None


@dataclass(frozen=True)
class SwapOverride:
    """A coordinator says ``replacement`` does ``replaced``'s duty ``when``; each is a
    Matrix ID or a name as typed."""

    replacement: str
    replaced: str
    when: SwapWhen


@dataclass(frozen=True)
class SwapPhraseError:
    """What is wrong with a swap phrase: a translatable message id."""

    message_id: str


SwapPhrase = SwapRequest | SwapCancel | SwapOverride | SwapPhraseError | MomentError

_DUTY = r"(?:garde|astreinte|permanence|shift|duty|on[\s-]call)"
_REQUEST = re.compile(
    r"^(?:bonjour|hello|hi|svp|s'il vous plait|please|[\s,!])*"
    r"(?:"
    r"(?:je\s+|j'\s?)?(?:cherche|recherche|ai\s+besoin\s+d'\s?|besoin\s+d'\s?|voudrais|souhaite)"
    r"\s*(?:un\s+|une\s+|quelqu'\s?un\s+pour\s+)?(?:remplacant|remplacante|remplacement|me\s+remplacer"
    r"|prendre\s+ma|echanger\s+ma)"
    r"|(?:qui|quelqu'\s?un)\s+(?:peut|pourrait|veut|voudrait|serait\s+dispo\w*\s+pour)"
    r"\s+(?:me\s+remplacer"
    r"|prendre\s+ma|assurer\s+ma|echanger\s+ma|faire\s+ma)"
    r"|(?:je\s+)?(?:ne\s+)?(?:peux|pourrai|pourrais)\s+pas\s+(?:assurer|faire|prendre)\s+ma"
    r"|remplacement\s+(?:pour\s+|de\s+)?ma|echanger\s+ma|ceder\s+ma"
    r"|(?:quelqu'\s?un\s+(?:de\s+)?)?dispo\w*\s+pour\s+(?:me\s+remplacer|prendre\s+ma)"
    r"|(?:i\s+|i'm\s+|i\s+am\s+)?(?:need|looking\s+for|seeking|want)\s+(?:a\s+|some\s+)?"
    r"(?:cover|replacement|someone\s+to\s+(?:cover|take))"
    r"|(?:can|could|would)\s+(?:someone|anyone|somebody)\s+(?:cover|take)"
    r"|(?:swap|give\s+away)\s+my"
    r")(?![a-z])"
)
# A duty given up (« je peux plus y aller pour le 3 ») or a bare « remplacement samedi
# nuit »: a request for cover, once it names when.
_GIVE_UP = re.compile(
    r"^(?:je\s+|j'\s?)?(?:ne\s+|n'\s?)?(?:peux|pourrai|pourrais|vais|serai)\s+(?:plus|pas)\s+"
    r"(?:y\s+aller|venir|assurer|faire|prendre|etre\s+(?:de\s+)?" + _DUTY + r"|etre\s+la)"
    r"(?![a-z])"
    r"|^(?:remplacement|echange\s+de\s+" + _DUTY + r")(?![a-z])"
)
_CANCEL = re.compile(
    r"^(?:annuler|annule|retirer|cancel|withdraw)\s+(?:ma\s+|la\s+|my\s+|the\s+)?"
    r"(?:demande\s+de\s+)?(?:remplacement|echange|swap|cover(?:\s+request)?)"
    r"(?:\s+(?:n(?:o|°|um)?\.?\s*|#)?(?P<id>\d+))?\s*[.!]*$"
    r"|^(?:je\s+ne\s+cherche\s+plus\s+de\s+remplacant|plus\s+besoin\s+de\s+remplacant"
    r"|i\s+no\s+longer\s+need\s+cover|no\s+more\s+cover\s+needed)(?:\s+(?P<id2>\d+))?\s*[.!]*$"
)
_MXID = r"@[a-z0-9._=\-/+]+:[a-z0-9.\-]+(?::\d+)?"
_REPLACES = r"(?:remplace|replaces|covers|covers\s+for|prend\s+la\s+garde\s+de)"
_OVERRIDE_NAMED = re.compile(
    r"^(?:"
    + _DUTY
    + r"|remplacement|cover)\s+(?P<when>[^:]+?)\s*:\s*(?P<who>.+?)\s+"
    + _REPLACES
    + r"\s+(?P<whom>.+?)\s*[.!]*$"
)
_OVERRIDE_REPLACE = re.compile(
    r"^(?:remplacer|replace)\s+(?P<whom>"
    + _MXID
    + r")\s+(?:par|with|by)\s+(?P<who>"
    + _MXID
    + r")\s+(?P<when>.+)$"
)
_OVERRIDE_SUBJECT = re.compile(
    r"^(?P<who>" + _MXID + r")\s+" + _REPLACES + r"\s+(?P<whom>" + _MXID + r")\s+(?P<when>.+)$"
)
_OVERRIDES = (_OVERRIDE_NAMED, _OVERRIDE_REPLACE, _OVERRIDE_SUBJECT)
# What each swap phrase matches (the router's trigger words come from them).
CANCEL_PATTERN = _CANCEL
REQUEST_PATTERN = _REQUEST
GIVE_UP_PATTERN = _GIVE_UP
OVERRIDE_PATTERNS = _OVERRIDES

# English day words, said in French for the French date reader.
_ENGLISH_WORDS = {**ENGLISH_DAY_WORDS, "next": "prochain"}
_ENGLISH = re.compile(r"(?<![a-z])(" + "|".join(_ENGLISH_WORDS) + r")(?![a-z])")


def _clean(text: str) -> str:
    folded = re.sub(r"\s+", " ", fold(text, keep_positions=True).strip())
    return re.sub(r"\s*[?!.]+$", "", folded)


# « le 3 », « du 3 »: a day of the month alone, the next one to come.
_DAY_ALONE = re.compile(r"(?<![a-z0-9])(le|du|au)\s+([1-9]|[12]\d|3[01])(?![\d/.h:])")


def _with_month(french: str, now: datetime) -> str:
    """``french`` with a day of the month said alone given its month (« le 3 » -> « le
    3/12 » on 20 November)."""

    def dated(match: re.Match[str]) -> str:
        day = int(match.group(2))
        month = now.month if day >= now.day else now.month % 12 + 1
        return f"{match.group(1)} {day}/{month}"

    return _DAY_ALONE.sub(dated, french, count=1)


def read_when(text: str, now: datetime) -> SwapWhen | MomentError | None:
    """The duty time ``text`` names ("24/12", "samedi nuit", "demain 20h", "le 3",
    "tomorrow night"), or None when it names none."""
    french = _ENGLISH.sub(lambda m: _ENGLISH_WORDS[m.group(1)], fold(text, keep_positions=True))
    moment = parse_moment(french, now)
    if isinstance(moment, MomentError) and moment.message_id.startswith("No date"):
        french = _with_month(french, now)
        moment = parse_moment(french, now)
    if isinstance(moment, MomentError):
        return None if moment.message_id.startswith("No date") else moment
    if moment.precision in (PRECISION_TIME, PRECISION_EXACT):
        return SwapWhen(moment.at, moment.at + timedelta(minutes=1), PRECISION_TIME, moment.matched)
    period = parse_period(french, now)
    if not isinstance(period, Period):
        return period
    precision = PRECISION_DAY if moment.precision == PRECISION_DAY else PRECISION_PART
    return _tonight(SwapWhen(period.start, period.end, precision, moment.matched), now)


def _tonight(when: SwapWhen, now: datetime) -> SwapWhen:
    """« samedi nuit » said on a Saturday is tonight's duty (the night that starts on
    Saturday), not next week's; said during that night, the same night. A weekday read
    as next week's means this week's while that span is not over."""
    words = fold(when.words, keep_positions=True)
    named = any(re.search(rf"(?<![a-z]){name}", words) for name in WEEKDAYS)
    if not named or "prochain" in words:
        return when
    week = timedelta(days=7)
    if when.end - week <= now:
        return when
    return SwapWhen(when.start - week, when.end - week, when.precision, when.words)


def parse_swap(text: str, now: datetime) -> SwapPhrase | None:
    """The swap phrase in ``text`` (or what is wrong with it); None when it is not one."""
    folded = _clean(text)
    cancel = _CANCEL.match(folded)
    if cancel:
        number = cancel.group("id") or cancel.group("id2")
        return SwapCancel(int(number) if number else None)
    for pattern in _OVERRIDES:
        match = pattern.match(folded)
        if match:
            return _override(text.strip(), match, now)
    if _REQUEST.match(folded):
        when = read_when(text, now)
        if isinstance(when, MomentError):
            return when
        return SwapRequest(when)
    if _GIVE_UP.match(folded):
        when = read_when(text, now)
        return SwapRequest(when) if isinstance(when, SwapWhen) else None
    return None


def _override(
    text: str, match: re.Match[str], now: datetime
) -> SwapOverride | SwapPhraseError | MomentError:
    """The override ``match`` read (folding keeps positions: names and IDs are taken from
    the text as typed)."""
    who = _person(text[match.start("who") : match.end("who")])
    whom = _person(text[match.start("whom") : match.end("whom")])
    when = read_when(match.group("when"), now)
    if when is None or not who or not whom:
        return SwapPhraseError(ERROR_OVERRIDE_FORM)
    if isinstance(when, MomentError):
        return when
    if fold(who, keep_positions=True) == fold(whom, keep_positions=True):
        return SwapPhraseError(ERROR_OVERRIDE_SAME)
    return SwapOverride(who, whom, when)


_CIVILITY = re.compile(
    r"^(?:mme|madame|mlle|m|mr|monsieur|dr|docteur|doctor|mrs|ms)\.?\s+", re.IGNORECASE
)


def _person(words: str) -> str:
    """A Matrix ID as typed, or a name without its civility (« Mme Martin » -> « Martin »)."""
    words = words.strip().strip(",;")
    if words.startswith("@"):
        return words.split()[0]
    return _CIVILITY.sub("", words).strip()


def is_matrix_id(person: str) -> bool:
    return re.fullmatch(_MXID, person.lower()) is not None
