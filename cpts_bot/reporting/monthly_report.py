"""The monthly report: figures from the tracking table, a short text, and charts."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import aiosqlite

from cpts_bot.core.public_holidays import GENERAL_CALENDAR, HolidayCalendar
from cpts_bot.features.medecin_traitant import repository as medecin_traitant_repository
from cpts_bot.features.reports import repository as report_repository
from cpts_bot.features.reports.monthly_stats import (
    AlertRow,
    Month,
    MonthlyStats,
    compute_monthly_stats,
)
from cpts_bot.features.reports.rest_day_stats import rest_day_figures
from cpts_bot.features.reports.tracking_repository import requests_between
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.duty_rota import on_duty_during
from cpts_bot.i18n import Translator
from cpts_bot.reporting.charts import monthly_charts
from cpts_bot.reporting.labels import (
    category_label,
    level_label,
    outcome_label,
    profession_label,
    value_label,
)
from cpts_bot.reporting.medecin_traitant_report import render_medecin_traitant_lines
from cpts_bot.reporting.rest_days_report import render_rest_day_lines

LIST_LIMIT = 5


@dataclass(frozen=True)
class MonthlyReport:
    """The report of one month: plain text (Markdown), HTML and PNG charts."""

    month: Month
    text: str
    html: str
    charts: list[tuple[str, bytes]]
    stats: MonthlyStats


def format_duration(milliseconds: float | None, translator: Translator) -> str:
    """A response time for people: "2,5 s", "4 minutes", "2 heures"."""
    if milliseconds is None:
        return "—"
    seconds = milliseconds / 1000
    if seconds < 60:
        return f"{translator.format_number(round(seconds, 1), '0.#')} s"
    return translator.format_duration(timedelta(seconds=seconds))


def _number(value: int, translator: Translator) -> str:
    return translator.format_number(value)


def _listing(items: list[tuple[str, int]], translator: Translator) -> str:
    return ", ".join(f"{label} {_number(count, translator)}" for label, count in items[:LIST_LIMIT])


async def alert_rows_between(db: aiosqlite.Connection, month: Month) -> list[AlertRow]:
    """Postings of alerts in ``month`` with their acknowledgement counts."""
    return await report_repository.alert_rows_between(db, month.start_utc(), month.end_utc())


def render_lines(
    stats: MonthlyStats, translator: Translator, commune_names: Mapping[str, str] | None = None
) -> tuple[str, list[str]]:
    """The report's title and its lines (one figure per line), translated; communes by
    their names in ``commune_names`` (INSEE code -> name) when given."""
    names = commune_names or {}
    _ = translator.gettext
    month_name = translator.format_date(date(stats.month.year, stats.month.month, 1), "MMMM yyyy")
    title = _("Report for {month}", month=month_name)
    lines: list[str] = []
    lines.append(
        translator.ngettext(
            "{number} request",
            "{number} requests",
            stats.total_requests,
            number=_number(stats.total_requests, translator),
        )
    )
    if stats.by_category:
        categories = [(category_label(code, translator), n) for code, n in stats.by_category]
        lines.append(_("By category: {items}", items=_listing(categories, translator)))
    if stats.top_professions:
        lines.append(
            _(
                "Professions most asked for: {items}",
                items=_listing(
                    [(profession_label(code, translator), n) for code, n in stats.top_professions],
                    translator,
                ),
            )
        )
    if stats.questions_total:
        lines.append(
            _(
                "Questions with no answer: {count} of {total}",
                count=_number(stats.unanswered_total, translator),
                total=_number(stats.questions_total, translator),
            )
        )
        if stats.unanswered_total:
            professions = [
                (profession_label(code, translator), n)
                for code, n in stats.unanswered_by_profession
            ]
            communes = [
                (names.get(code) or value_label(code, translator), n)
                for code, n in stats.unanswered_by_commune
            ]
            lines.append(
                _("No answer, by profession: {items}", items=_listing(professions, translator))
            )
            lines.append(_("No answer, by commune: {items}", items=_listing(communes, translator)))
        lines.append(
            _(
                "Median time to answer (from the question's arrival to the answer's "
                "delivery): {duration}",
                duration=format_duration(stats.median_answer_ms, translator),
            )
        )
    if stats.dispatches_total:
        outcomes = [(outcome_label(code, translator), n) for code, n in stats.dispatch_outcomes]
        lines.append(
            _(
                "Dispatches: {count} ({items})",
                count=_number(stats.dispatches_total, translator),
                items=_listing(outcomes, translator),
            )
        )
        lines.append(
            _(
                "Median time to first accept: {duration}",
                duration=format_duration(stats.median_time_to_accept_ms, translator),
            )
        )
    if stats.handoffs_total:
        lines.append(
            translator.ngettext(
                "Handed to the coordination: {total}, {count} answered (median {duration})",
                "Handed to the coordination: {total}, {count} answered (median {duration})",
                stats.handoffs_answered,
                total=_number(stats.handoffs_total, translator),
                duration=format_duration(stats.median_handoff_answer_ms, translator),
            )
        )
    if stats.alerts_total:
        levels = [(level_label(code, translator), n) for code, n in stats.alerts_by_level]
        lines.append(
            _(
                "Alerts: {count} ({items})",
                count=_number(stats.alerts_total, translator),
                items=_listing(levels, translator),
            )
        )
        if stats.acknowledgement_rate is not None:
            lines.append(
                _(
                    "Alerts acknowledged: {rate}",
                    rate=translator.format_percent(stats.acknowledgement_rate),
                )
            )
    if not stats.total_requests and not stats.alerts_total:
        lines.append(_("No activity recorded this month."))
    return title, lines


def render_text(title: str, lines: list[str]) -> str:
    return "\n".join([f"**{title}**", *[f"• {line}" for line in lines]])


def render_html(title: str, lines: list[str]) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f"<p><strong>{html.escape(title)}</strong></p><ul>{items}</ul>"


async def build_monthly_report(
    db: aiosqlite.Connection,
    month: Month,
    translator: Translator,
    *,
    charts: bool = True,
    commune_names: Mapping[str, str] | None = None,
    holidays: HolidayCalendar = GENERAL_CALENDAR,
) -> MonthlyReport:
    """Read ``month``'s requests and alerts and build its report (``holidays``: the
    territory's public holidays, for the line on Sundays and holidays)."""
    requests = await requests_between(db, month.start_utc(), month.end_utc())
    alerts = await alert_rows_between(db, month)
    stats = compute_monthly_stats(month, requests, alerts)
    title, lines = render_lines(stats, translator, commune_names)
    start, end = month.start_utc(), month.end_utc()
    rota = await rota_repository.load_rota(db, start, end, holidays)
    rest_days = rest_day_figures(
        month, requests, holidays, translator.language, on_duty_during(rota, start, end)
    )
    lines.extend(render_rest_day_lines(rest_days, translator))
    desk = await medecin_traitant_repository.figures(db, month.start_utc(), month.end_utc())
    desk_lines = render_medecin_traitant_lines(desk, translator, commune_names)
    if desk_lines:
        idle = translator.gettext("No activity recorded this month.")
        lines = [line for line in lines if line != idle] + desk_lines
    images = monthly_charts(stats, translator) if charts else []
    return MonthlyReport(month, render_text(title, lines), render_html(title, lines), images, stats)
