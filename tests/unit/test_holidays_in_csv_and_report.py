"""Public holidays in the rota CSV (day column) and in the monthly report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from cpts_bot.core.public_holidays import GENERAL_CALENDAR, HolidayCalendar
from cpts_bot.core.times import PARIS
from cpts_bot.features.reports.monthly_stats import Month, RequestRow
from cpts_bot.features.reports.rest_day_stats import rest_day_figures
from cpts_bot.features.reports.tracking_repository import TrackedRequest, record_request
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.duty_rota import OneOffShift, WeeklySlot, duties_between
from cpts_bot.features.rota.holiday_slots import HolidayRule
from cpts_bot.i18n import Translator
from cpts_bot.importers.rota_csv import RotaCsvError, import_rota_csv, parse_rota_csv
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.services.context import places_for
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import make_config

GAZETTEER = places_for(make_config())
DECEMBER = Month(2026, 12)
MOSELLE = HolidayCalendar("57")
HEADER = "type;matrix_id;name;profession;communes;day;start;end;from;until\n"


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)


def test_the_day_column_understands_public_holidays() -> None:
    text = HEADER + (
        "hebdo;@a:cpts.test;;IDE;;dimanches et jours fériés;08:00;20:00;;\n"
        "hebdo;@b:cpts.test;;IDE;;jours fériés;20:00;08:00;;\n"
        "hebdo;@c:cpts.test;;kiné;;Férié;09:00;12:00;;\n"
        "hebdo;@d:cpts.test;;IDE;;lundi sauf fériés;18:00;20:00;;\n"
        "hebdo;@e:cpts.test;;IDE;;DJF;08:00;08:00;;\n"
        "hebdo;@f:cpts.test;;IDE;;lundi;18:00;20:00;;\n"
    )
    slots = parse_rota_csv(text, GAZETTEER).slots
    assert [(slot.weekday, slot.holidays) for slot in slots] == [
        (6, HolidayRule.ALSO),
        (6, HolidayRule.ONLY),
        (6, HolidayRule.ONLY),
        (0, HolidayRule.EXCEPT),
        (6, HolidayRule.ALSO),
        (0, HolidayRule.WEEKDAY),
    ]
    assert (slots[4].start, slots[4].end) == (time(8), time(8))


def test_a_day_that_is_neither_is_refused_with_its_line() -> None:
    text = HEADER + "hebdo;@a:cpts.test;;IDE;;samedi, dimanche et fériés;08:00;20:00;;\n"
    with pytest.raises(RotaCsvError) as raised:
        parse_rota_csv(text, GAZETTEER)
    assert raised.value.problems == [
        "line 2: day: 'samedi, dimanche et fériés' is not a weekday (lundi ... dimanche, or"
        " 1-7) nor public holidays (dimanches et jours fériés, jours fériés, lundi sauf fériés)"
    ]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    opened = await Database.open(tmp_path / "bot.sqlite")
    yield opened
    await opened.close()


async def test_imported_holiday_slots_are_stored_and_found(database, tmp_path: Path) -> None:
    path = tmp_path / "rota.csv"
    path.write_text(HEADER + "hebdo;@a:cpts.test;;IDE;;jours fériés;08:00;20:00;;\n", "utf-8")
    await import_rota_csv(database, path, GAZETTEER, paris(2026, 12, 1))
    async with database.transaction() as db:
        rota = await rota_repository.load_rota(db, paris(2026, 12, 1), paris(2027, 1, 1), MOSELLE)
    (slot,) = rota.slots
    assert slot.holidays is HolidayRule.ONLY
    starts = [duty.start for duty in duties_between(rota, paris(2026, 12, 1), paris(2027, 1, 1))]
    assert starts == [paris(2026, 12, 25, 8), paris(2026, 12, 26, 8)]


def _row(at: datetime, kind: str = "dispatch") -> RequestRow:
    return RequestRow(requested_at=at, kind=kind, category="duty", outcome="dispatch_taken")


ROWS = [
    _row(paris(2026, 12, 25, 10)),  # Friday, Christmas
    _row(paris(2026, 12, 26, 10)),  # Saturday, Saint-Étienne in Moselle only
    _row(paris(2026, 12, 27, 23, 30), "question"),  # Sunday late evening (22:30 UTC)
    _row(paris(2026, 12, 28, 0, 30)),  # Monday just after midnight: an ordinary day
    _row(paris(2026, 12, 24, 12), "question"),
]


def test_rest_day_figures_follow_the_territory() -> None:
    moselle = rest_day_figures(DECEMBER, ROWS, MOSELLE)
    general = rest_day_figures(DECEMBER, ROWS, GENERAL_CALENDAR)
    assert [name for _, name in moselle.holidays] == ["Noël", "Saint-Étienne"]
    assert [name for _, name in general.holidays] == ["Noël"]
    # Sundays 6, 13, 20, 27 and the holidays
    assert (moselle.days, moselle.requests, moselle.dispatches) == (6, 3, 2)
    assert (general.days, general.requests, general.dispatches) == (5, 2, 1)


async def test_the_monthly_report_names_holidays_and_counts_their_activity(database) -> None:
    sundays_and_holidays = WeeklySlot(
        "@a:cpts.test", "60", frozenset(), 6, time(8), time(20), holidays=HolidayRule.ALSO
    )
    night = OneOffShift(
        "@b:cpts.test", "10", frozenset(), paris(2026, 12, 26, 20), paris(2026, 12, 27, 8)
    )
    weekday = OneOffShift(
        "@b:cpts.test", "10", frozenset(), paris(2026, 12, 22, 8), paris(2026, 12, 22, 20)
    )
    async with database.transaction() as db:
        for row in ROWS:
            await record_request(
                db, TrackedRequest(row.requested_at, row.kind, row.category, row.outcome)
            )
        await rota_repository.add_slot(
            db, sundays_and_holidays, "chat", "@c:cpts.test", paris(2026, 11, 1)
        )
        for shift in (night, weekday):
            await rota_repository.add_shift(db, shift, "chat", "@c:cpts.test", paris(2026, 11, 1))
        moselle = await build_monthly_report(
            db, DECEMBER, Translator("fr"), charts=False, holidays=MOSELLE
        )
        lyon = await build_monthly_report(db, DECEMBER, Translator("en"), charts=False)
    assert "• Jours fériés : Noël (ven. 25 déc.), Saint-Étienne (sam. 26 déc.)" in moselle.text
    assert "• Dimanches et jours fériés (6 jours) : demandes 3, déclenchements 2" in moselle.text
    assert "• Public holidays: Christmas Day (Fri 25 Dec)" in lyon.text
    assert "• On Sundays and public holidays (5 days): requests 2, dispatches 1" in lyon.text
    # Sundays 6, 13, 20, 27 and Christmas (and Saint-Étienne in Moselle) for the nurse; the
    # doctor's night of the 26th counts in Moselle only, the 22nd (a Tuesday) nowhere.
    assert "• Gardes des dimanches et jours fériés : IDE 6, médecin 1" in moselle.text
    assert "• Duties on Sundays and public holidays: nurse 5" in lyon.text
