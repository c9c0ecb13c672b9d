"""The month's Sundays and public holidays, and the activity on them (for the report).

A request belongs to the Paris date it was made on; a day counts when it is a Sunday or
a public holiday of the territory's calendar (Alsace-Moselle and overseas included).
Pure: rows and the calendar in, figures out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.core.times import PARIS
from cpts_bot.features.reports.monthly_stats import Month, RequestRow
from cpts_bot.features.rota.duty_rota import Duty


@dataclass(frozen=True)
class RestDayFigures:
    """``holidays``: the month's public holidays (date, name); ``days``: how many days
    are a Sunday or a holiday; the requests and dispatches made on those days; the rota's
    duties starting on those days, by profession (most first)."""

    month: Month
    holidays: list[tuple[date, str]]
    days: int
    requests: int
    dispatches: int
    duties_by_profession: list[tuple[str, int]] = field(default_factory=list)


def _days_of(month: Month) -> list[date]:
    first = date(month.year, month.month, 1)
    last = date(month.next().year, month.next().month, 1) - timedelta(days=1)
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def rest_day_figures(
    month: Month,
    requests: Iterable[RequestRow],
    calendar: HolidayCalendar,
    language: str = "fr",
    duties: Iterable[Duty] = (),
) -> RestDayFigures:
    """The Sundays and public holidays of ``month``, the requests made on them and the
    ``duties`` starting on them."""
    days = _days_of(month)
    rest_days = {day for day in days if calendar.is_sunday_or_holiday(day)}
    on_rest_days = [
        row
        for row in requests
        if month.contains(row.requested_at)
        and row.requested_at.astimezone(PARIS).date() in rest_days
    ]
    return RestDayFigures(
        month=month,
        holidays=calendar.between(days[0], days[-1], language),
        days=len(rest_days),
        requests=len(on_rest_days),
        dispatches=sum(1 for row in on_rest_days if row.kind == "dispatch"),
        duties_by_profession=_duties_by_profession(month, duties, rest_days),
    )


def _duties_by_profession(
    month: Month, duties: Iterable[Duty], rest_days: set[date]
) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter(
        duty.profession
        for duty in duties
        if month.contains(duty.start) and duty.start.astimezone(PARIS).date() in rest_days
    )
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
