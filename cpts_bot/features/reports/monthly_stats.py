"""The month's figures, from plain rows: pure aggregation, no I/O, no clock.

A month is a calendar month in Europe/Paris (a request at 23:30 UTC on 30 November is
on 1 December for the CPTS), and weeks are ISO weeks of the Paris date.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from statistics import median

from cpts_bot.core.text_normalizer import fold
from cpts_bot.core.times import PARIS
from cpts_bot.features.reports.models import RequestFacts

UNKNOWN = "?"
NO_ANSWER_OUTCOME = "nothing_found"
DISPATCH_TAKEN = "dispatch_taken"
HANDOFF_ANSWERED = "handoff_answered"
ACKNOWLEDGED_LEVELS = ("important", "urgent")

FRENCH_MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "janv": 1,
    "fev": 2,
    "fevr": 2,
    "avr": 4,
    "juil": 7,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
ENGLISH_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month of the CPTS (Europe/Paris)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not between 1 and 12")
        if not 2000 <= self.year <= 2999:
            raise ValueError(f"year {self.year} is out of range")

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2026-11"`` -> Month(2026, 11); raise ValueError otherwise."""
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
        if not match:
            raise ValueError(f"{text!r} is not a month such as 2026-11")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, moment: datetime) -> Month:
        local = moment.astimezone(PARIS)
        return cls(local.year, local.month)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def start_utc(self) -> datetime:
        """Midnight on the 1st, Paris time, as UTC."""
        return datetime(self.year, self.month, 1, tzinfo=PARIS).astimezone(UTC)

    def end_utc(self) -> datetime:
        """The start of the next month (exclusive bound)."""
        return self.next().start_utc()

    def contains(self, moment: datetime) -> bool:
        return Month.containing(moment) == self


def parse_report_month(text: str, today: date) -> Month | None:
    """The month a coordinator asks for: "novembre", "novembre 2025", "2026-11", "11/2026".

    A month name without a year means its latest occurrence that has started (in
    January, "décembre" is last December). An empty text means last month. Returns
    None when the text names no month.
    """
    folded = fold(text).strip()
    current = Month(today.year, today.month)
    if not folded:
        return current.previous()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", folded) or None
    if match:
        return _safe_month(int(match.group(1)), int(match.group(2)))
    match = re.fullmatch(r"(\d{1,2})/(\d{4})", folded)
    if match:
        return _safe_month(int(match.group(2)), int(match.group(1)))
    match = re.fullmatch(r"([a-z]+)\.?(?:\s+(\d{4}))?", folded)
    if not match:
        return None
    number = FRENCH_MONTHS.get(match.group(1)) or ENGLISH_MONTHS.get(match.group(1))
    if number is None:
        return None
    if match.group(2):
        return _safe_month(int(match.group(2)), number)
    year = today.year if number <= today.month else today.year - 1
    return Month(year, number)


def _safe_month(year: int, month: int) -> Month | None:
    try:
        return Month(year, month)
    except ValueError:
        return None


@dataclass(frozen=True)
class RequestRow(RequestFacts):
    """One tracked request, as the aggregation needs it."""

    response_ms: int | None = None


@dataclass(frozen=True)
class AlertRow:
    """One posting of an alert: how many people it asked to acknowledge, how many did."""

    alert_id: int
    level: str
    fired_at: datetime
    targeted: int
    acknowledged: int


@dataclass(frozen=True)
class MonthlyStats:
    """The figures of one month."""

    month: Month
    total_requests: int
    by_category: list[tuple[str, int]]
    by_week: list[tuple[str, dict[str, int]]]
    top_professions: list[tuple[str, int]]
    unanswered_total: int
    unanswered_by_profession: list[tuple[str, int]]
    unanswered_by_commune: list[tuple[str, int]]
    questions_total: int
    median_answer_ms: float | None
    dispatch_outcomes: list[tuple[str, int]]
    dispatches_total: int
    median_time_to_accept_ms: float | None
    handoffs_total: int
    handoffs_answered: int
    median_handoff_answer_ms: float | None
    alerts_by_level: list[tuple[str, int]] = field(default_factory=list)
    alerts_total: int = 0
    acknowledgement_rate: float | None = None
    acknowledgement_by_level: list[tuple[str, float]] = field(default_factory=list)


def iso_week_label(moment: datetime) -> str:
    """``"2026-W48"``: the ISO week of the Paris date of ``moment``."""
    year, week, _ = moment.astimezone(PARIS).isocalendar()
    return f"{year:04d}-W{week:02d}"


def _ranked(counter: Counter[str], limit: int | None = None) -> list[tuple[str, int]]:
    """Most frequent first; ties in alphabetical order so the result is stable."""
    items = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return items[:limit] if limit is not None else items


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def compute_monthly_stats(
    month: Month,
    requests: list[RequestRow],
    alerts: list[AlertRow] | None = None,
    *,
    top: int = 8,
) -> MonthlyStats:
    """Aggregate the rows of ``month`` (rows of other months are ignored)."""
    start, end = month.start_utc(), month.end_utc()
    rows = [row for row in requests if start <= row.requested_at < end]
    by_category: Counter[str] = Counter()
    weeks: dict[str, Counter[str]] = {}
    professions: Counter[str] = Counter()
    unanswered_profession: Counter[str] = Counter()
    unanswered_commune: Counter[str] = Counter()
    dispatch_outcomes: Counter[str] = Counter()
    answer_times: list[int] = []
    accept_times: list[int] = []
    handoff_times: list[int] = []
    questions = dispatches = handoffs = handoffs_answered = unanswered = 0
    for row in rows:
        by_category[row.category] += 1
        weeks.setdefault(iso_week_label(row.requested_at), Counter())[row.category] += 1
        # A hand-off carries the profession of the question it follows (already counted):
        # one request, counted once among the most asked professions.
        if row.profession_asked and row.kind != "handoff":
            professions[row.profession_asked] += 1
        if row.kind == "question":
            questions += 1
            if row.outcome == NO_ANSWER_OUTCOME:
                unanswered += 1
                unanswered_profession[row.profession_asked or UNKNOWN] += 1
                unanswered_commune[row.commune_asked or UNKNOWN] += 1
            elif row.response_ms is not None:
                answer_times.append(row.response_ms)
        elif row.kind == "dispatch":
            dispatches += 1
            dispatch_outcomes[row.outcome] += 1
            # The time to the first accept counts even if the dispatch was handed back
            # later (as the dispatch tables' own figures count it).
            if row.response_ms is not None:
                accept_times.append(row.response_ms)
        elif row.kind == "handoff":
            handoffs += 1
            if row.outcome == HANDOFF_ANSWERED:
                handoffs_answered += 1
                if row.response_ms is not None:
                    handoff_times.append(row.response_ms)
    fired = [alert for alert in alerts or [] if start <= alert.fired_at < end]
    levels: Counter[str] = Counter(alert.level for alert in fired)
    acknowledged = [alert for alert in fired if alert.level in ACKNOWLEDGED_LEVELS]
    targeted = sum(alert.targeted for alert in acknowledged)
    rate = sum(alert.acknowledged for alert in acknowledged) / targeted if targeted else None
    rate_by_level: list[tuple[str, float]] = []
    for level in ACKNOWLEDGED_LEVELS:
        of_level = [alert for alert in acknowledged if alert.level == level]
        level_targeted = sum(alert.targeted for alert in of_level)
        if level_targeted:
            rate_by_level.append(
                (level, sum(alert.acknowledged for alert in of_level) / level_targeted)
            )
    return MonthlyStats(
        month=month,
        total_requests=len(rows),
        by_category=_ranked(by_category),
        by_week=[(week, dict(weeks[week])) for week in sorted(weeks)],
        top_professions=_ranked(professions, top),
        unanswered_total=unanswered,
        unanswered_by_profession=_ranked(unanswered_profession, top),
        unanswered_by_commune=_ranked(unanswered_commune, top),
        questions_total=questions,
        median_answer_ms=_median(answer_times),
        dispatch_outcomes=_ranked(dispatch_outcomes),
        dispatches_total=dispatches,
        median_time_to_accept_ms=_median(accept_times),
        handoffs_total=handoffs,
        handoffs_answered=handoffs_answered,
        median_handoff_answer_ms=_median(handoff_times),
        alerts_by_level=_ranked(levels),
        alerts_total=len(fired),
        acknowledgement_rate=rate,
        acknowledgement_by_level=rate_by_level,
    )
