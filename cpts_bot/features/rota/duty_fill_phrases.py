"""A coordinator fills a duty with nobody, by chat: « garde du 24/12 nuit IDE Hyères :
Mme Martin » (« duty on 24/12 night nurse Hyères: Mrs Martin »). The duty is the one of
that profession (and commune) then whose professional is on leave, or, when the rota has
none, a new one-off duty for that time. Pure: text and the time in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cpts_bot.core.catalog_marks import N_
from cpts_bot.core.french_datetime import MomentError
from cpts_bot.core.profession_words import find_profession
from cpts_bot.core.text_normalizer import fold
from cpts_bot.core.user_error import UserError
from cpts_bot.features.cover.models import SwapWhen
from cpts_bot.features.cover.phrases import read_when

ERROR_FILL_PROFESSION = N_("Which profession? e.g. “garde du 24/12 nuit IDE Hyères : Mme Martin”.")
ERROR_FILL_WHEN = N_(
    "Which duty? Give its day and part of the day or hours, e.g. “garde du 24/12 nuit IDE "
    "Hyères : Mme Martin”."
)

_FILL = re.compile(
    r"^(?:garde|astreinte|permanence|duty|shift|on[\s-]call(?:\s+duty)?)\s+"
    r"(?P<when>[^:@]+?)\s*:\s*(?P<who>@\S+|[^:]+?)\s*[.!]*$"
)
# What the router's trigger words are derived from (every fill matches one of them).
FILL_PATTERNS = (_FILL,)
_REPLACING = re.compile(r"(?<![a-z])(?:remplace|replaces|covers|prend\s+la\s+garde)(?![a-z])")
_CIVILITY = re.compile(
    r"^(?:mme|madame|mlle|m|mr|monsieur|dr|docteur|doctor|mrs|ms)\.?\s+", re.IGNORECASE
)


@dataclass(frozen=True)
class DutyFill:
    """``who`` (a Matrix ID or a name as typed) takes the duty of ``profession`` ``when``;
    ``where`` is the text that may name its commune."""

    who: str
    profession: str
    when: SwapWhen
    where: str


def parse_fill(text: str, now: datetime) -> DutyFill | UserError | MomentError | None:
    """The fill in ``text``, what is wrong with it, or None when it is not one."""
    stripped = text.strip()
    folded = fold(stripped, keep_positions=True)
    match = _FILL.match(folded)
    if match is None or _REPLACING.search(match.group("who")):
        return None
    said = stripped[match.start("when") : match.end("when")]
    who = _CIVILITY.sub("", stripped[match.start("who") : match.end("who")].strip(" .!,;"))
    if not who:
        return None
    profession = find_profession(said)
    if profession is None:
        return UserError(ERROR_FILL_PROFESSION)
    when = read_when(said, now)
    if isinstance(when, MomentError):
        return when
    if when is None:
        return UserError(ERROR_FILL_WHEN)
    return DutyFill(who.split()[0] if who.startswith("@") else who, profession.code, when, said)
