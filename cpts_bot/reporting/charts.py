"""Charts of the month as PNG bytes, drawn to be read on a phone.

Portrait images (1080 x 1350 pixels), large type, few bars (the top eight, the rest
grouped), horizontal bars so that long labels stay readable.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot
from matplotlib.figure import Figure

from cpts_bot.features.reports.monthly_stats import MonthlyStats
from cpts_bot.i18n import Translator
from cpts_bot.reporting.labels import (
    category_label,
    outcome_label,
    profession_label,
)

WIDTH_INCHES = 7.2
HEIGHT_INCHES = 9.0
DPI = 150
TITLE_SIZE = 22
LABEL_SIZE = 18
VALUE_SIZE = 18
MAX_BARS = 8
MAX_STACKS = 4
COLOURS = ("#1f5fa8", "#e07b00", "#2e8b57", "#b03a48", "#7a7a7a")


def _new_figure() -> Figure:
    return pyplot.figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)


def _to_png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=DPI)
    pyplot.close(figure)
    return buffer.getvalue()


def horizontal_bars(title: str, items: Sequence[tuple[str, int]]) -> bytes:
    """A ranked bar chart (largest on top), values written at the end of each bar."""
    items = list(items)[:MAX_BARS]
    figure = _new_figure()
    axes = figure.add_subplot(1, 1, 1)
    labels = [label for label, _ in reversed(items)]
    values = [value for _, value in reversed(items)]
    bars = axes.barh(range(len(items)), values, color=COLOURS[0], height=0.6)
    axes.set_yticks(range(len(items)), labels, fontsize=LABEL_SIZE)
    axes.bar_label(bars, padding=6, fontsize=VALUE_SIZE)
    axes.set_title(title, fontsize=TITLE_SIZE, loc="left", wrap=True)
    axes.tick_params(axis="x", labelsize=LABEL_SIZE - 4)
    axes.set_xlim(0, max(values, default=1) * 1.25 + 1)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return _to_png(figure)


def stacked_weeks(
    title: str,
    weeks: Sequence[tuple[str, dict[str, int]]],
    category_names: dict[str, str],
    other_name: str,
) -> bytes:
    """Requests per ISO week, stacked by category (the main categories, then "other")."""
    totals: dict[str, int] = {}
    for _, counts in weeks:
        for category, count in counts.items():
            totals[category] = totals.get(category, 0) + count
    main = [name for name, _ in sorted(totals.items(), key=lambda i: (-i[1], i[0]))]
    shown = main if len(main) <= MAX_STACKS + 1 else main[:MAX_STACKS]
    figure = _new_figure()
    axes = figure.add_subplot(1, 1, 1)
    positions = list(range(len(weeks)))
    bottoms = [0] * len(weeks)
    series = [*shown, None] if len(main) > len(shown) else shown
    for index, category in enumerate(series):
        if category is None:
            values = [sum(c for k, c in counts.items() if k not in shown) for _, counts in weeks]
            name = other_name
        else:
            values = [counts.get(category, 0) for _, counts in weeks]
            name = category_names.get(category, category)
        axes.bar(
            positions,
            values,
            bottom=bottoms,
            color=COLOURS[index % len(COLOURS)],
            label=name,
            width=0.65,
        )
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    for position, total in zip(positions, bottoms, strict=True):
        axes.text(position, total, str(total), ha="center", va="bottom", fontsize=VALUE_SIZE)
    axes.set_xticks(positions, [week for week, _ in weeks], fontsize=LABEL_SIZE)
    axes.tick_params(axis="y", labelsize=LABEL_SIZE - 4)
    axes.set_ylim(0, max(bottoms, default=1) * 1.2 + 1)
    axes.set_title(title, fontsize=TITLE_SIZE, loc="left")
    axes.legend(
        fontsize=LABEL_SIZE - 2,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=2,
        frameon=False,
    )
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return _to_png(figure)


def monthly_charts(stats: MonthlyStats, translator: Translator) -> list[tuple[str, bytes]]:
    """The month's charts as ``(file name, PNG bytes)``; empty figures are left out."""
    _ = translator.gettext
    month = stats.month.label
    charts: list[tuple[str, bytes]] = []
    if stats.by_week:
        names = {code: category_label(code, translator) for code, _ in stats.by_category}
        charts.append(
            (
                f"requests-by-week-{month}.png",
                stacked_weeks(
                    _("Requests per week"),
                    [
                        (_("W{number}", number=week.split("-W")[-1]), counts)
                        for week, counts in stats.by_week
                    ],
                    names,
                    category_label("other", translator),
                ),
            )
        )
    if stats.top_professions:
        charts.append(
            (
                f"professions-asked-{month}.png",
                horizontal_bars(
                    _("Professions asked for"),
                    [(profession_label(code, translator), n) for code, n in stats.top_professions],
                ),
            )
        )
    if stats.unanswered_by_profession:
        items = [
            (profession_label(code, translator), count)
            for code, count in stats.unanswered_by_profession
        ]
        charts.append(
            (
                f"unanswered-{month}.png",
                horizontal_bars(_("Questions with no answer"), items),
            )
        )
    if stats.dispatch_outcomes:
        items = [
            (outcome_label(code, translator), count) for code, count in stats.dispatch_outcomes
        ]
        charts.append((f"dispatches-{month}.png", horizontal_bars(_("Dispatches"), items)))
    return charts
