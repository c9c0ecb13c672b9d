"""Every string of the reports, hand-off and alerts features has fr and en translations."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "cpts_bot" / "i18n" / "locales"
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "Problem": None}
ALERT_SERVICES = (
    "acknowledgement_service",
    "audience_service",
    "pins_service",
    "posting_service",
    "reminders_service",
    "rendering_service",
)
SOURCES = {
    "reports": [
        "cpts_bot/features/reports/chat.py",
        "cpts_bot/reporting/labels.py",
        "cpts_bot/reporting/charts.py",
        "cpts_bot/reporting/monthly_report.py",
    ],
    "handoff": ["cpts_bot/features/handoff/chat.py", "cpts_bot/features/handoff/service.py"],
    "alerts": [
        "cpts_bot/features/alerts/chat.py",
        "cpts_bot/features/alerts/commands.py",
        "cpts_bot/features/alerts/replies.py",
        "cpts_bot/features/alerts/fields.py",
        *(f"cpts_bot/features/alerts/{name}.py" for name in ALERT_SERVICES),
    ],
}


def schedule_error_ids() -> set[str]:
    """The schedule parser's error message ids (constants, translated at render)."""
    from cpts_bot.features.alerts import cron as alert_cron
    from cpts_bot.features.alerts import schedule as alert_schedule

    return {
        value
        for module in (alert_schedule, alert_cron)
        for name, value in vars(module).items()
        if name.startswith("ERROR_") and name != "ERROR_INVALID_TIME"
    }


def extracted(files: list[str]) -> set[str]:
    ids: set[str] = set()
    for name in files:
        path = ROOT / name
        if not path.exists():
            continue
        for _, message, _, _ in extract_from_file("python", str(path), keywords=KEYWORDS):
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.mark.parametrize("catalog", sorted(SOURCES))
@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalog_translates_every_string(catalog: str, language: str) -> None:
    with (LOCALES / language / "LC_MESSAGES" / f"{catalog}.po").open("rb") as handle:
        po = read_po(handle, locale=language)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in po
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    wanted = extracted(SOURCES[catalog]) | (schedule_error_ids() if catalog == "alerts" else set())
    assert wanted
    missing = wanted - translated
    assert not missing, f"untranslated in {language}/{catalog}.po: {sorted(missing)}"
