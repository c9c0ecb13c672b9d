"""The report's lines about Sundays and public holidays: which holidays the month had,
and how much was asked on those days."""

from __future__ import annotations

from cpts_bot.features.reports.rest_day_stats import RestDayFigures
from cpts_bot.i18n import Translator
from cpts_bot.reporting.labels import profession_label


def render_rest_day_lines(figures: RestDayFigures, translator: Translator) -> list[str]:
    """ "Public holidays: Christmas Day (Fri 25 Dec)", the requests on Sundays and
    holidays (nothing when the month had no request) and the rota's duties on them."""
    lines: list[str] = []
    if figures.holidays:
        days = ", ".join(
            f"{name} ({translator.format_date(day, 'EEE d MMM')})" for day, name in figures.holidays
        )
        lines.append(translator.gettext("Public holidays: {days}", days=days))
    if figures.requests or figures.dispatches:
        lines.append(
            translator.ngettext(
                "On Sundays and public holidays ({count} day): requests {requests},"
                " dispatches {dispatches}",
                "On Sundays and public holidays ({count} days): requests {requests},"
                " dispatches {dispatches}",
                figures.days,
                requests=translator.format_number(figures.requests),
                dispatches=translator.format_number(figures.dispatches),
            )
        )
    if figures.duties_by_profession:
        items = ", ".join(
            f"{profession_label(code, translator)} {translator.format_number(count)}"
            for code, count in figures.duties_by_profession
        )
        lines.append(
            translator.gettext("Duties on Sundays and public holidays: {items}", items=items)
        )
    return lines
