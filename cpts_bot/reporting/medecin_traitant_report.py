"""The médecin-traitant section of the monthly report and its export: requests received,
placed and still waiting, the median time to placement, by commune and by priority, and
the GPs' declared places against the placements. Counts only, never a patient."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from cpts_bot.features.medecin_traitant.figures import (
    NO_PRIORITY,
    BreakdownRow,
    MedecinTraitantFigures,
)
from cpts_bot.features.medecin_traitant.labels import NO_PRIORITY_LABEL, PRIORITY_LABELS
from cpts_bot.features.medecin_traitant.models import Priority
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.i18n import Translator

LIST_LIMIT = 5
EXPORT_HEADER = ("section", "key", "received", "placed", "waiting_at_end")


def priority_label(key: str, translator: Translator) -> str:
    if key == NO_PRIORITY:
        return translator.gettext(NO_PRIORITY_LABEL)
    return translator.gettext(PRIORITY_LABELS[Priority(key)])


def _days(value: float | None, translator: Translator) -> str:
    if value is None:
        return "—"
    return translator.format_number(round(value, 1), "0.#")


def _plural_count(value: float | None) -> int:
    """The count that chooses the plural form of ``value`` days (« 1 jour », « 1,5 jours »)."""
    if value is None or round(value, 1) != int(round(value, 1)):
        return 2
    return int(round(value, 1))


def _rows(rows: Sequence[BreakdownRow], label: Callable[[str], str], translator: Translator) -> str:
    return ", ".join(
        translator.gettext(
            "{name} {received}/{placed}/{waiting}",
            name=label(row.key),
            received=row.received,
            placed=row.placed,
            waiting=row.waiting,
        )
        for row in rows[:LIST_LIMIT]
    )


def render_medecin_traitant_lines(
    figures: MedecinTraitantFigures,
    translator: Translator,
    commune_names: Mapping[str, str] | None = None,
) -> list[str]:
    """The section's lines (none when the desk had no activity)."""
    if not figures.active:
        return []
    _ = translator.gettext
    names = commune_names or {}
    lines = [
        _(
            "Médecin traitant: {received}, {placed}, {waiting}",
            received=translator.ngettext(
                "{count} request received", "{count} requests received", figures.received
            ),
            placed=translator.ngettext("{count} placed", "{count} placed", figures.placed),
            waiting=translator.ngettext(
                "{count} waiting at the end of the month",
                "{count} waiting at the end of the month",
                figures.waiting_at_end,
            ),
        ),
        translator.ngettext(
            "Median time to placement: {days} day",
            "Median time to placement: {days} days",
            _plural_count(figures.median_days_to_placement),
            days=_days(figures.median_days_to_placement, translator),
        ),
    ]
    if figures.by_commune:
        lines.append(
            _(
                "Médecin traitant by commune (received/placed/waiting): {items}",
                items=_rows(figures.by_commune, lambda key: names.get(key, key), translator),
            )
        )
    if figures.by_priority:
        lines.append(
            _(
                "Médecin traitant by priority (received/placed/waiting): {items}",
                items=_rows(
                    figures.by_priority, lambda key: priority_label(key, translator), translator
                ),
            )
        )
    lines.append(
        translator.ngettext(
            "GPs' declared places: {places} (by {count} GP), placements: {placed}",
            "GPs' declared places: {places} (by {count} GPs), placements: {placed}",
            figures.gps_with_room,
            places=figures.places_declared,
            placed=figures.placed,
        )
    )
    return lines


def export_table(
    figures: MedecinTraitantFigures, commune_names: Mapping[str, str] | None = None
) -> list[list[object]]:
    """The section as a table (header first): totals, by commune, by priority, capacity."""
    names = commune_names or {}
    table: list[list[object]] = [list(EXPORT_HEADER)]
    table.append(["total", "", figures.received, figures.placed, figures.waiting_at_end])
    for row in figures.by_commune:
        key = f"{row.key} {names[row.key]}" if row.key in names else row.key
        table.append(["commune", key, row.received, row.placed, row.waiting])
    for row in figures.by_priority:
        table.append(["priority", row.key, row.received, row.placed, row.waiting])
    median = figures.median_days_to_placement
    table.append(["median_days_to_placement", "", "", round(median, 2) if median else "", ""])
    table.append(["gps_with_room", "", figures.gps_with_room, "", ""])
    table.append(["places_declared", "", figures.places_declared, figures.placed, ""])
    return table


def write_csv(table: list[list[object]], path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(table)
    return path


def write_xlsx(table: list[list[object]], path: Path, month: Month) -> Path:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"medecin-traitant {month.label}"[:31])
    for row in table:
        sheet.append(row)
    workbook.save(path)
    return path
