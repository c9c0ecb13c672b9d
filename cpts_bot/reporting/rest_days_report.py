"""The report's lines about Sundays and public holidays: which holidays the month had,
and how much was asked on those days."""

from __future__ import annotations

from babel.dates import format_date
from babel.numbers import format_decimal

from cpts_bot.domain.rest_day_stats import RestDayFigures
from cpts_bot.i18n import Translator
from cpts_bot.reporting.labels import profession_label

BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def render_rest_day_lines(figures: RestDayFigures, translator: Translator) -> list[str]:
    """ "Public holidays: Christmas Day (Fri 25 Dec)", the requests on Sundays and
    holidays (nothing when the month had no request) and the rota's duties on them."""
    locale = BABEL_LOCALES.get(translator.language, "fr_FR")
    lines: list[str] = []
    if figures.holidays:
        days = ", ".join(
            f"{name} ({format_date(day, 'EEE d MMM', locale=locale)})"
            for day, name in figures.holidays
        )
        lines.append(translator.gettext("Public holidays: {days}", days=days))
    if figures.requests or figures.dispatches:
        lines.append(
            translator.gettext(
                "On Sundays and public holidays ({days} days): requests {requests},"
                " dispatches {dispatches}",
                days=format_decimal(figures.days, locale=locale),
                requests=format_decimal(figures.requests, locale=locale),
                dispatches=format_decimal(figures.dispatches, locale=locale),
            )
        )
    if figures.duties_by_profession:
        items = ", ".join(
            f"{profession_label(code, translator)} {format_decimal(count, locale=locale)}"
            for code, count in figures.duties_by_profession
        )
        lines.append(
            translator.gettext("Duties on Sundays and public holidays: {items}", items=items)
        )
    return lines
