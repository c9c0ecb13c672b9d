"""Exports of the tracking table (CSV, XLSX) and of the monthly report (files)."""

from __future__ import annotations

import csv
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from cpts_bot.core.times import PARIS, from_iso
from cpts_bot.features.reports.tracking_repository import EXPORT_COLUMNS
from cpts_bot.i18n import Translator
from cpts_bot.reporting.labels import profession_label
from cpts_bot.reporting.monthly_report import MonthlyReport

TIME_COLUMNS = ("requested_at", "outcome_at")
# A code column and the label column written just after it.
LABEL_COLUMNS = {
    "requester_profession": "requester_profession_label",
    "profession_asked": "profession_asked_label",
    "commune_asked": "commune_asked_name",
}
HEADER = tuple(
    header
    for name in EXPORT_COLUMNS
    for header in (
        f"{name} (Europe/Paris)" if name in TIME_COLUMNS else name,
        *((LABEL_COLUMNS[name],) if name in LABEL_COLUMNS else ()),
    )
)


def _local(text: str) -> str:
    return from_iso(text).astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Labels:
    """How codes are put in words next to them: professions through the translator,
    communes (INSEE codes) by the territory's names."""

    translator: Translator = field(default_factory=lambda: Translator("fr"))
    commune_names: Mapping[str, str] = field(default_factory=dict)

    def of(self, column: str, value: object) -> str:
        if value is None or value == "":
            return ""
        if column == "commune_asked":
            return ", ".join(
                self.commune_names.get(code, code) for code in str(value).split(",") if code
            )
        return profession_label(str(value), self.translator)


def _cells(row: Sequence[object], labels: Labels) -> list[object]:
    cells: list[object] = []
    for name, value in zip(EXPORT_COLUMNS, row, strict=True):
        if name in TIME_COLUMNS and value is not None:
            cells.append(_local(str(value)))
        else:
            cells.append("" if value is None else value)
        if name in LABEL_COLUMNS:
            cells.append(labels.of(name, value))
    return cells


def export_table(
    rows: Sequence[Sequence[object]], labels: Labels | None = None
) -> list[list[object]]:
    """The header and the rows, times shown in Paris time, empty cells for NULL, and a
    label next to each profession and commune code."""
    labels = labels or Labels()
    return [list(HEADER), *(_cells(row, labels) for row in rows)]


def write_csv(rows: Sequence[Sequence[object]], path: Path, labels: Labels | None = None) -> Path:
    """UTF-8 with BOM and ``;`` separators, as French spreadsheet software expects."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerows(export_table(rows, labels))
    return path


def write_xlsx(
    rows: Sequence[Sequence[object]],
    path: Path,
    labels: Labels | None = None,
    title: str = "requests",
    more_sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
) -> Path:
    """The requests, then ``more_sheets`` ((title, table with its header) each)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in export_table(rows, labels):
        sheet.append(row)
    for name, table in more_sheets:
        extra = workbook.create_sheet(name[:31])
        for row in table:
            extra.append(list(row))
    workbook.save(path)
    return path


def write_report_files(report: MonthlyReport, folder: Path) -> list[Path]:
    """Write ``report-<month>.md``, ``report-<month>.html`` and the charts into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    label = report.month.label
    written: list[Path] = []
    for filename, png in report.charts:
        path = folder / filename
        path.write_bytes(png)
        written.append(path)
    images_md = "\n".join(f"![{name}]({name})" for name, _ in report.charts)
    markdown = folder / f"report-{label}.md"
    markdown.write_text(f"{report.text}\n\n{images_md}\n", "utf-8")
    images_html = "".join(
        f'<p><img src="{html.escape(name)}" alt="{html.escape(name)}" width="540"></p>'
        for name, _ in report.charts
    )
    page = folder / f"report-{label}.html"
    page.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{label}</title></head>'
        f"<body>{report.html}{images_html}</body></html>\n",
        "utf-8",
    )
    return [markdown, page, *written]
