"""Exports of the tracking table (CSV, XLSX) and of the monthly report (files)."""

from __future__ import annotations

import csv
import html
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from cpts_bot.domain.times import PARIS, from_iso
from cpts_bot.reporting.monthly_report import MonthlyReport
from cpts_bot.storage.tracking_repository import EXPORT_COLUMNS

TIME_COLUMNS = ("requested_at", "outcome_at")
HEADER = tuple(
    f"{name} (Europe/Paris)" if name in TIME_COLUMNS else name for name in EXPORT_COLUMNS
)


def _local(text: str) -> str:
    return from_iso(text).astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")


def export_table(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    """The header and the rows, times shown in Paris time, empty cells for NULL."""
    indexes = {EXPORT_COLUMNS.index(name) for name in TIME_COLUMNS}
    table: list[list[object]] = [list(HEADER)]
    for row in rows:
        table.append(
            [
                _local(str(value))
                if index in indexes and value is not None
                else ("" if value is None else value)
                for index, value in enumerate(row)
            ]
        )
    return table


def write_csv(rows: Sequence[Sequence[object]], path: Path) -> Path:
    """UTF-8 with BOM and ``;`` separators, as French spreadsheet software expects."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerows(export_table(rows))
    return path


def write_xlsx(
    rows: Sequence[Sequence[object]],
    path: Path,
    title: str = "requests",
    more_sheets: Sequence[tuple[str, Sequence[Sequence[object]]]] = (),
) -> Path:
    """The requests, then ``more_sheets`` ((title, table with its header) each)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in export_table(rows):
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
