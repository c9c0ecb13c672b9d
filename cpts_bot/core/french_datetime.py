"""French date and time phrases -> aware UTC datetimes (interpreted in Europe/Paris).

``parse_moment("déclenchement IDE ce soir 20h pansement", now)`` finds the first
expression of a moment in a sentence ("ce soir 20h") and returns a :class:`Moment`;
``parse_period("absente du 12 au 20 décembre", now)`` returns a :class:`Period` whose
end is exclusive (the 21st at midnight). Both are pure: the clock is ``now``. The reader
works on a language's :class:`~cpts_bot.core.datetime_grammar.Grammar` (``FRENCH`` here;
``ENGLISH`` in :mod:`cpts_bot.core.english_datetime`), so every rule below holds in both.

Rules that make the answers deterministic:

- Wall-clock times are Paris times. A time that does not exist (the hour skipped on the
  last Sunday of March) is moved forward by the gap: 02:30 becomes 03:30 CEST. A time
  that happens twice (last Sunday of October) is the first one, in summer time.
- A bare time ("à 20h", "20h30") already past today means tomorrow; "ce soir", "ce
  matin" and "aujourd'hui" always mean today.
- A weekday ("lundi", "lundi prochain") is the next one after today (a week ahead if
  today is that day).
- A date without a year ("le 3 décembre", "3/12") is this year's if it is not past,
  else next year's. A date that does not exist ("31 novembre") is an error.
- Parts of the day without an hour: matin 8h, midi 12h, après-midi 14h, soir 20h,
  nuit 22h. With an hour, "ce soir 8h" is 20h.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cpts_bot.core.datetime_grammar import Grammar
from cpts_bot.core.text_normalizer import fold
from cpts_bot.core.times import PARIS
from cpts_bot.core.user_error import UserError

# Message ids (English, translated by the catalogs); ``{detail}`` is the user's words.
ERROR_NOT_FOUND = "No date or time found in “{detail}”."
ERROR_INVALID_DATE = "There is no {detail}."
ERROR_INVALID_TIME = "{detail} is not a valid time."
ERROR_END_BEFORE_START = "The period ends before it starts: {detail}."

PRECISION_EXACT = "exact"  # "maintenant", "dans 10 min"
PRECISION_TIME = "time"  # an explicit hour
PRECISION_PART_OF_DAY = "part_of_day"  # "ce soir", "demain matin" (default hour)
PRECISION_DAY = "day"  # "demain", "lundi" (local midnight)


@dataclass(frozen=True)
class Moment:
    """An instant found in the text: ``at`` is aware UTC; ``matched`` the words used."""

    at: datetime
    precision: str
    matched: str


@dataclass(frozen=True)
class Period:
    """A span of time, aware UTC, ``end`` exclusive; ``matched`` the words used."""

    start: datetime
    end: datetime
    matched: str = ""

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


# Why no moment could be read: a message with a ``{detail}`` placeholder (the words).
MomentError = UserError


MomentResult = Moment | MomentError
PeriodResult = Period | MomentError

MONTHS: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
MONTH_NAMES_FR = (
    "",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WEEKDAYS = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
NUMBER_WORDS = {
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "douze": 12,
    "quinze": 15,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "quarante-cinq": 45,
    "cinquante": 50,
}
PART_DEFAULT_HOUR = {
    "matin": 8,
    "midi": 12,
    "apres-midi": 14,
    "soir": 20,
    "nuit": 22,
}
# Periods for a part of the day, in local hours [start, end); the night runs to 8h next day.
PART_WINDOW = {
    "matin": (6, 12),
    "midi": (12, 14),
    "apres-midi": (12, 18),
    "soir": (18, 24),
    "nuit": (20, 32),
}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_ALT = "|".join(WEEKDAYS)
_NUMBER_ALT = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_B = r"(?<![a-z0-9])"  # left word boundary on the normalised text
_E = r"(?![a-z0-9])"  # right word boundary

_NOW = re.compile(
    _B + r"(?:maintenant|tout de suite|immediatement|des que possible|au plus vite|asap)" + _E
)
_RELATIVE = re.compile(
    _B + r"dans\s+(?:"
    r"(?P<half>une\s+demi[\s-]?heure)"
    r"|(?P<quarter>un\s+quart\s+d'\s?heure)"
    rf"|(?P<n>\d{{1,4}}|{_NUMBER_ALT})\s*"
    r"(?P<unit>heures?|hrs?|h|minutes?|mins?|mn|jours?|semaines?)"
    r"(?:\s*(?P<extra>\d{1,2})(?:\s*(?:min|mn))?)?"
    r")" + _E
)
_DATE_WORDS = re.compile(
    _B + r"(?:(?:le|du)\s+)?(?:(?:" + _WEEKDAY_ALT + r")\s+)?"
    r"(?P<d>\d{1,2})(?:er|e)?\s+(?P<m>" + _MONTH_ALT + r")\.?"
    r"(?:\s+(?P<y>\d{4}))?" + _E
)
_DATE_NUMERIC = re.compile(
    _B + r"(?:(?:le|du)\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?" + _E
)
_WEEKDAY = re.compile(
    _B + r"(?:(?:ce|le)\s+)?(?P<wd>" + _WEEKDAY_ALT + r")(?:\s+(?P<next>prochain))?" + _E
)
_RELATIVE_DAY = re.compile(_B + r"(?P<rd>apres[\s-]?demain|demain|aujourd'?\s?hui|ce jour)" + _E)
_PART = re.compile(
    _B + r"(?:(?P<this>ce|cet|cette)\s+)?"
    r"(?P<part>apres[\s-]?midi|aprem|matinee|matin|soiree|soir|nuit|midi|minuit)" + _E
)
_TIME = re.compile(
    _B + r"(?:(?:a|vers|pour|des)\s+)?(?P<h>\d{1,2})\s?(?:h(?:eures?)?|:)"
    r"(?:\s?(?P<mi>\d{2}))?" + _E
)
_GAP = re.compile(r"^(?:[\s,]|(?<![a-z])(?:a|vers|le|du|de|pour)(?![a-z]))*$")


@dataclass(frozen=True)
class _Token:
    kind: str  # now | relative | day | part | time
    start: int
    end: int
    match: re.Match[str]


FRENCH = Grammar(
    patterns=(
        ("now", _NOW),
        ("relative", _RELATIVE),
        ("date", _DATE_WORDS),
        ("date", _DATE_NUMERIC),
        ("weekday", _WEEKDAY),
        ("relday", _RELATIVE_DAY),
        ("part", _PART),
        ("time", _TIME),
    ),
    gap=_GAP,
    weekdays=WEEKDAYS,
    months=MONTHS,
    month_names=MONTH_NAMES_FR,
    numbers=NUMBER_WORDS,
    parts={"apresmidi": "apres-midi", "aprem": "apres-midi", "matinee": "matin", "soiree": "soir"},
    reldays={"apresdemain": 2, "demain": 1},
    week_units=("s",),
)


def _find_tokens(normalized: str, grammar: Grammar = FRENCH) -> list[_Token]:
    masked = normalized
    tokens: list[_Token] = []
    for kind, pattern in grammar.patterns:
        for match in pattern.finditer(masked):
            tokens.append(_Token(kind, match.start(), match.end(), match))
        # Mask what was taken so that weaker patterns do not match inside it.
        for token in tokens:
            masked = masked[: token.start] + "\0" * (token.end - token.start) + masked[token.end :]
    tokens.sort(key=lambda token: token.start)
    return tokens


def _group(kind: str) -> str:
    return {"date": "day", "weekday": "day", "relday": "day"}.get(kind, kind)


def _clusters(
    normalized: str, tokens: list[_Token], grammar: Grammar = FRENCH
) -> list[list[_Token]]:
    clusters: list[list[_Token]] = []
    for token in tokens:
        current = clusters[-1] if clusters else None
        if (
            current
            and grammar.gap.match(normalized[current[-1].end : token.start])
            and _group(token.kind) not in {_group(t.kind) for t in current}
            and token.kind not in ("now", "relative")
            and current[0].kind not in ("now", "relative")
        ):
            current.append(token)
        else:
            clusters.append([token])
    return clusters


def local_to_utc(day: date, at: time) -> datetime:
    """A Paris wall-clock time as UTC: a skipped time moves forward by the gap, a
    repeated time is the first (summer-time) one."""
    naive = datetime.combine(day, at)
    # fold=0 on a skipped time uses the offset from before the gap, which lands after it;
    # on a repeated time it is the first occurrence.
    return naive.replace(tzinfo=PARIS, fold=0).astimezone(UTC)


def local_midnight(day: date) -> datetime:
    return local_to_utc(day, time(0, 0))


def _today(now: datetime) -> date:
    return now.astimezone(PARIS).date()


def _check_date(
    day: int, month: int, year: int, words: str, grammar: Grammar = FRENCH
) -> date | MomentError:
    if not 1 <= month <= 12:
        return MomentError(ERROR_INVALID_DATE, f"{day}/{month}")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        if month == 2 and day == 29:
            return MomentError(ERROR_INVALID_DATE, f"29 {grammar.month_names[2]} {year}")
        return MomentError(ERROR_INVALID_DATE, f"{day} {grammar.month_names[month]}")
    return date(year, month, day)


def _infer_year(day: int, month: int, today: date) -> int:
    """This year, unless that date is past (then next year). 29/2 looks for a leap year."""
    year = today.year
    if month == 2 and day == 29:
        while not calendar.isleap(year) or date(year, 2, 29) < today:
            year += 1
        return year
    if 1 <= month <= 12 and day <= calendar.monthrange(year, month)[1]:
        if date(year, month, day) < today:
            year += 1
    return year


def _resolve_date(
    match: re.Match[str], today: date, words: str, grammar: Grammar
) -> date | MomentError:
    day = int(match.group("d"))
    raw_month = match.group("m")
    month = int(raw_month) if raw_month.isdigit() else grammar.months[raw_month]
    raw_year = match.group("y")
    if raw_year:
        year = int(raw_year)
        if year < 100:
            year += 2000
    else:
        year = _infer_year(day, month, today)
    return _check_date(day, month, year, words, grammar)


def _day_in(
    by_group: dict[str, _Token], today: date, text: str, grammar: Grammar = FRENCH
) -> date | MomentError | None:
    """The day a cluster of tokens found in ``text`` names, if it names one."""
    token = by_group.get("day")
    return None if token is None else _day_of(token, today, text, grammar)


def _day_of(token: _Token, today: date, text: str, grammar: Grammar = FRENCH) -> date | MomentError:
    """The day a day token found in ``text`` names, counted from ``today``."""
    match = token.match
    if token.kind == "date":
        return _resolve_date(match, today, text[token.start : token.end].strip(), grammar)
    if token.kind == "weekday":
        wanted = grammar.weekdays[match.group("wd")]
        ahead = (wanted - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    relday = re.sub(r"[\s'-]", "", match.group("rd"))
    return today + timedelta(days=grammar.reldays.get(relday, 0))


def _part_name(raw: str, grammar: Grammar = FRENCH) -> str:
    raw = re.sub(r"[\s-]", "", raw)
    return grammar.parts.get(raw, raw)


def _number(text: str, grammar: Grammar) -> int:
    return int(text) if text.isdigit() else grammar.numbers[text]


def _hour(match: re.Match[str]) -> tuple[int, bool]:
    """The hour of a time token (« 8 pm » is 20), and whether it said am or pm; an hour
    no clock shows (« 13 pm ») is 25, which is refused."""
    hour = int(match.group("h"))
    meridiem = (match.groupdict().get("ampm") or "")[:1]
    if meridiem and not 1 <= hour <= 12:
        return 25, True
    if meridiem == "p":
        hour = hour % 12 + 12
    elif meridiem == "a":
        hour %= 12
    return hour, bool(meridiem)


def _in_part(hour: int, add_day: int, part: str | None, meridiem: bool) -> tuple[int, int]:
    """An hour said with a part of the day: « ce soir 8h » is 20h, « cette nuit 2h » is
    2h the next day; an hour said with am or pm (« tonight 2am ») keeps its half."""
    if not meridiem and part in ("apres-midi", "soir") and hour < 12:
        return hour + 12, add_day
    if not meridiem and part == "nuit" and 6 <= hour < 12:
        return hour + 12, add_day
    if part == "nuit" and hour < 6:
        return hour, 1
    return hour, add_day


def _relative(match: re.Match[str], now: datetime, grammar: Grammar = FRENCH) -> datetime:
    if match.group("half"):
        return now + timedelta(minutes=30)
    if match.group("quarter"):
        return now + timedelta(minutes=15)
    amount = _number(match.group("n"), grammar)
    unit = match.group("unit")
    if unit.startswith("h"):
        extra = int(match.group("extra") or 0)
        return now + timedelta(hours=amount, minutes=extra)
    if unit.startswith("m"):
        return now + timedelta(minutes=amount)
    days = amount * 7 if unit.startswith(grammar.week_units) else amount
    local = now.astimezone(PARIS)
    # Days are counted on the wall clock: "dans 2 jours" keeps the local hour across DST.
    return local_to_utc(local.date() + timedelta(days=days), local.time().replace(tzinfo=None))


def _moment_from_cluster(
    text: str, normalized: str, cluster: list[_Token], now: datetime, grammar: Grammar = FRENCH
) -> MomentResult:
    matched = text[cluster[0].start : cluster[-1].end].strip()
    first = cluster[0]
    if first.kind == "now":
        return Moment(now.astimezone(UTC), PRECISION_EXACT, matched)
    if first.kind == "relative":
        at = _relative(first.match, now, grammar)
        return Moment(at.astimezone(UTC), PRECISION_EXACT, matched)

    today = _today(now)
    by_group = {_group(token.kind): token for token in cluster}
    explicit_today = False
    day = _day_in(by_group, today, text, grammar)
    if isinstance(day, MomentError):
        return day
    part: str | None = None
    if "part" in by_group:
        part_match = by_group["part"].match
        part = _part_name(part_match.group("part"), grammar)
        explicit_today = part_match.group("this") is not None
    hour: int | None = None
    minute = 0
    precision = PRECISION_DAY
    add_day = 0
    if "time" in by_group:
        time_token = by_group["time"]
        hour, meridiem = _hour(time_token.match)
        minute = int(time_token.match.group("mi") or 0)
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            return MomentError(ERROR_INVALID_TIME, text[time_token.start : time_token.end].strip())
        if hour == 24:
            hour, add_day = 0, 1
        hour, add_day = _in_part(hour, add_day, part, meridiem)
        precision = PRECISION_TIME
    elif part == "minuit":
        hour, add_day, precision = 0, 1, PRECISION_TIME
    elif part == "midi":
        hour, precision = 12, PRECISION_TIME
    elif part is not None:
        hour, precision = PART_DEFAULT_HOUR[part], PRECISION_PART_OF_DAY

    if day is None:
        day = today
        if hour is not None and not explicit_today and add_day == 0:
            candidate = local_to_utc(today, time(hour, minute))
            if candidate < now:
                day = today + timedelta(days=1)
    day = day + timedelta(days=add_day)
    at = local_to_utc(day, time(hour or 0, minute))
    return Moment(at, precision, matched)


def parse_moment(text: str, now: datetime, grammar: Grammar = FRENCH) -> MomentResult:
    """The first moment expressed in ``text`` ("ce soir 20h", "demain à 8h30", "dans 10
    min", "le 3 décembre à 18h" ...), aware UTC, or a :class:`MomentError`. ``grammar``:
    the language's words (French unless told)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    normalized = fold(text, keep_positions=True)
    tokens = _find_tokens(normalized, grammar)
    if not tokens:
        return MomentError(ERROR_NOT_FOUND, text.strip())
    cluster = _clusters(normalized, tokens, grammar)[0]
    moment = _moment_from_cluster(text, normalized, cluster, now, grammar)
    if isinstance(moment, MomentError):
        matched = text[cluster[0].start : cluster[-1].end].strip()
        return MomentError(moment.message_id, moment.detail, moment.values, matched)
    return moment


# ---------------------------------------------------------------------------- periods

_PERIOD_RANGE = re.compile(
    _B + r"(?:du|de|entre)\s+(?P<a>.+?)\s+(?:au|a|jusqu'\s?au|et)\s+(?P<b>(?:le\s+)?"
    r"(?:(?:" + _WEEKDAY_ALT + r")\s+)?\d{1,2}(?:er)?(?:\s+(?:" + _MONTH_ALT + r")\.?"
    r"(?:\s+\d{4})?|/\d{1,2}(?:/(?:\d{4}|\d{2}))?)?"
    r"|(?:" + _WEEKDAY_ALT + r")(?:\s+prochain)?|demain|apres[\s-]?demain)" + _E
)
_UNTIL = re.compile(_B + r"jusqu'\s?(?:au|a|à)\s+(?P<b>.+)$")
_DAY_ONLY = re.compile(r"^(?:le\s+)?(?:(?:" + _WEEKDAY_ALT + r")\s+)?(?P<d>\d{1,2})(?:er)?$")
_WEEK = re.compile(
    _B + r"(?P<which>cette\s+semaine|la\s+semaine\s+prochaine|semaine\s+prochaine"
    r"|ce\s+week[\s-]?end|le\s+week[\s-]?end\s+prochain)" + _E
)


def _single_day(
    fragment: str, today: date, reference: date | None = None
) -> date | MomentError | None:
    """A whole-day expression (date, weekday, demain) alone in ``fragment``, else None.
    Dates and weekdays are looked for from ``reference`` (default: today)."""
    tokens = [t for t in _find_tokens(fragment) if t.kind in ("date", "weekday", "relday")]
    if not tokens:
        return None
    token = tokens[0]
    base = today if token.kind == "relday" or reference is None else reference
    return _day_of(token, base, fragment)


def _range(text: str, match: re.Match[str], today: date) -> PeriodResult | None:
    fragment_a = match.group("a").strip()
    fragment_b = match.group("b").strip()
    matched = text[match.start() : match.end()].strip()
    bare = _DAY_ONLY.match(fragment_a)
    if bare:
        # "du 12 au 20 décembre": the first day takes the month and year of the second.
        end_day = _single_day(fragment_b, today)
        if end_day is None or isinstance(end_day, MomentError):
            return end_day
        start_day = _check_date(int(bare.group("d")), end_day.month, end_day.year, fragment_a)
    else:
        start_day = _single_day(fragment_a, today)
        if start_day is None or isinstance(start_day, MomentError):
            return start_day
        # The end is the first such day from the start: "du 12/12 au 3/1" ends next year.
        end_day = _single_day(fragment_b, today, reference=start_day - timedelta(days=1))
        if end_day is None or isinstance(end_day, MomentError):
            return end_day
    if isinstance(start_day, MomentError):
        return start_day
    if end_day < start_day:
        return MomentError(ERROR_END_BEFORE_START, matched)
    return Period(local_midnight(start_day), local_midnight(end_day + timedelta(days=1)), matched)


def _week(text: str, match: re.Match[str], today: date) -> Period:
    which = re.sub(r"\s+", " ", match.group("which"))
    monday = today - timedelta(days=today.weekday())
    if "week" in which:
        saturday = monday + timedelta(days=5)
        if "prochain" in which:
            saturday += timedelta(days=7)
        start, end = saturday, saturday + timedelta(days=2)
    else:
        start = monday + timedelta(days=7) if "prochaine" in which else monday
        end = start + timedelta(days=7)
    return Period(local_midnight(start), local_midnight(end), text[match.start() : match.end()])


def parse_period(text: str, now: datetime) -> PeriodResult:
    """The first span of days expressed in ``text``: "du 12 au 20 décembre", "du 12/12
    au 3/1", "demain", "cette semaine", "jusqu'au 20", "demain matin" ... (end exclusive)."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    normalized = fold(text, keep_positions=True)
    today = _today(now)
    match = _PERIOD_RANGE.search(normalized)
    if match:
        result = _range(text, match, today)
        if result is not None:
            return result
    match = _WEEK.search(normalized)
    if match:
        return _week(text, match, today)
    match = _UNTIL.search(normalized)
    if match:
        end_day = _single_day(match.group("b"), today)
        if isinstance(end_day, MomentError):
            return end_day
        if end_day is not None:
            matched = text[match.start() : match.start(1) + len(match.group("b"))].strip()
            return Period(now.astimezone(UTC), local_midnight(end_day + timedelta(days=1)), matched)
    tokens = _find_tokens(normalized)
    if not tokens:
        return MomentError(ERROR_NOT_FOUND, text.strip())
    cluster = _clusters(normalized, tokens)[0]
    by_group = {_group(token.kind): token for token in cluster}
    if "day" in by_group or "part" in by_group:
        found = _day_in(by_group, today, text)
        if isinstance(found, MomentError):
            return found
        day = today if found is None else found
        matched = text[cluster[0].start : cluster[-1].end].strip()
        if "part" in by_group and "time" not in by_group:
            part = _part_name(by_group["part"].match.group("part"))
            if part in PART_WINDOW:
                first, last = PART_WINDOW[part]
                return Period(
                    local_to_utc(day, time(first)),
                    local_to_utc(day + timedelta(days=last // 24), time(last % 24)),
                    matched,
                )
        if "time" not in by_group and "part" not in by_group:
            return Period(local_midnight(day), local_midnight(day + timedelta(days=1)), matched)
    # An instant ("ce soir 20h", "dans 2 heures") as a one-minute period.
    moment = _moment_from_cluster(text, normalized, cluster, now)
    if isinstance(moment, MomentError):
        return moment
    return Period(moment.at, moment.at + timedelta(minutes=1), moment.matched)
