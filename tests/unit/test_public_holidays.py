"""French public holidays by territory (Alsace-Moselle, overseas) and rota slots that
follow them. Every date below was checked against the `holidays` package (0.109), the
source the bot uses: Good Friday is 3 April 2026 and 26 March 2027 (16 April 2027 is an
ordinary Friday); the abolition of slavery is 22 May in Martinique and 27 May in
Guadeloupe."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from cpts_bot.core.public_holidays import (
    GENERAL,
    HolidayCalendar,
    department_of,
    territory_subdivision,
)
from cpts_bot.core.times import PARIS
from cpts_bot.features.rota.duty_rota import Rota, WeeklySlot, on_duty_at, slot_occurrences
from cpts_bot.features.rota.holiday_slots import HolidayRule, SlotDays, parse_slot_days
from cpts_bot.settings import ConfigError, RoomsConfig

METZ, STRASBOURG, COLMAR, NANCY, LYON_8 = "57463", "67482", "68066", "54395", "69388"
FORT_DE_FRANCE, POINTE_A_PITRE, CAYENNE, SAINT_DENIS, MAMOUDZOU = (
    "97209",
    "97120",
    "97302",
    "97411",
    "97611",
)
AJACCIO = "2A004"


def calendar_for(*insee: str) -> HolidayCalendar:
    return HolidayCalendar(territory_subdivision(insee))


MOSELLE, LYON = calendar_for(METZ), calendar_for(LYON_8)


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("insee", "department"),
    [(METZ, "57"), (LYON_8, "69"), (FORT_DE_FRANCE, "972"), (MAMOUDZOU, "976"), (AJACCIO, "2A")],
)
def test_department_of_an_insee_code(insee: str, department: str) -> None:
    assert department_of(insee) == department


@pytest.mark.parametrize(
    ("insee", "subdivision"),
    [
        ((METZ,), "57"),
        ((STRASBOURG, COLMAR), "6AE"),
        ((LYON_8,), GENERAL),
        ((AJACCIO,), GENERAL),
        ((FORT_DE_FRANCE,), "972"),
        ((POINTE_A_PITRE,), "971"),
        ((CAYENNE,), "973"),
        ((SAINT_DENIS,), "974"),
        ((MAMOUDZOU,), "976"),
        ((LYON_8, NANCY), GENERAL),  # two départements, one calendar
    ],
)
def test_the_calendar_comes_from_the_communes_departements(insee, subdivision) -> None:
    assert territory_subdivision(insee) == subdivision


def test_communes_straddling_two_calendars_need_the_override() -> None:
    with pytest.raises(ValueError, match=r"different public holidays \(54, 57\)"):
        territory_subdivision([METZ, NANCY])
    assert territory_subdivision([METZ, NANCY], "57") == "57"
    assert territory_subdivision([METZ, NANCY], "54") == GENERAL
    assert territory_subdivision([METZ, NANCY], "metropole") == GENERAL
    with pytest.raises(ValueError, match="not a département code"):
        territory_subdivision([METZ], "Moselle")


@pytest.mark.parametrize(
    ("day", "moselle", "lyon"),
    [
        (date(2026, 12, 25), True, True),  # Noël everywhere
        (date(2026, 12, 26), True, False),  # Saint-Étienne: Alsace-Moselle only
        (date(2026, 4, 3), True, False),  # Vendredi saint 2026
        (date(2027, 3, 26), True, False),  # Vendredi saint 2027
        (date(2027, 4, 16), False, False),  # not Good Friday: an ordinary day
        (date(2026, 5, 25), True, True),  # Lundi de Pentecôte
        (date(2026, 12, 24), False, False),
    ],
)
def test_alsace_moselle_has_its_own_days(day: date, moselle: bool, lyon: bool) -> None:
    assert MOSELLE.is_holiday(day) is moselle
    assert LYON.is_holiday(day) is lyon
    assert calendar_for(STRASBOURG).is_holiday(day) is moselle


def test_holiday_names_in_french_and_english() -> None:
    assert MOSELLE.name(date(2026, 12, 26)) == "Saint-Étienne"
    assert MOSELLE.name(date(2027, 3, 26)) == "Vendredi saint"
    assert LYON.name(date(2026, 12, 25)) == "Noël"
    assert LYON.name(date(2026, 12, 25), "en") == "Christmas Day"
    assert LYON.name(date(2026, 12, 26)) is None


@pytest.mark.parametrize(
    ("insee", "day"),
    [
        (MAMOUDZOU, date(2026, 4, 27)),
        (FORT_DE_FRANCE, date(2026, 5, 22)),
        (POINTE_A_PITRE, date(2026, 5, 27)),
        (CAYENNE, date(2026, 6, 10)),
        (SAINT_DENIS, date(2026, 12, 20)),
    ],
)
def test_overseas_abolition_of_slavery(insee: str, day: date) -> None:
    calendar = calendar_for(insee)
    assert calendar.name(day) == "Abolition de l'esclavage"
    assert not LYON.is_holiday(day)
    others = {FORT_DE_FRANCE, POINTE_A_PITRE, CAYENNE, SAINT_DENIS, MAMOUDZOU} - {insee}
    assert not any(calendar_for(other).is_holiday(day) for other in others)


def test_27_may_is_a_holiday_in_guadeloupe_not_in_martinique() -> None:
    assert calendar_for(POINTE_A_PITRE).is_holiday(date(2026, 5, 27))
    assert not calendar_for(FORT_DE_FRANCE).is_holiday(date(2026, 5, 27))
    assert calendar_for(FORT_DE_FRANCE).name(date(2027, 5, 22)) == "Abolition de l'esclavage"


def _config(communes: list[str], **territory: str) -> dict:
    return {
        "territory": {
            "name": "CPTS",
            "communes": [{"insee": code, "name": code} for code in communes],
            **territory,
        },
        "coordinators": ["@c:cpts.test"],
    }


def test_rooms_yaml_derives_the_calendar_and_accepts_an_override() -> None:
    config = RoomsConfig.model_validate(_config([METZ]))
    assert config.territory.holiday_calendar().is_holiday(date(2026, 12, 26))
    lyon = RoomsConfig.model_validate(_config([LYON_8]))
    assert not lyon.territory.holiday_calendar().is_holiday(date(2026, 12, 26))
    chosen = RoomsConfig.model_validate(_config([METZ, NANCY], public_holidays="57"))
    assert chosen.territory.holiday_calendar().subdivision == "57"


def test_rooms_yaml_straddling_two_calendars_is_refused_with_the_way_out(tmp_path) -> None:
    import yaml

    from cpts_bot.settings import load_rooms_config

    path = tmp_path / "rooms.yaml"
    path.write_text(yaml.safe_dump(_config([METZ, NANCY])), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"territory\.public_holidays"):
        load_rooms_config(path)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("dimanches et jours fériés", SlotDays(6, HolidayRule.ALSO)),
        ("Dimanche et férié", SlotDays(6, HolidayRule.ALSO)),
        ("DJF", SlotDays(6, HolidayRule.ALSO)),
        ("samedi et jours fériés", SlotDays(5, HolidayRule.ALSO)),
        ("jours fériés", SlotDays(6, HolidayRule.ONLY)),
        ("férié", SlotDays(6, HolidayRule.ONLY)),
        ("lundi sauf fériés", SlotDays(0, HolidayRule.EXCEPT)),
        ("lundi hors jours fériés", SlotDays(0, HolidayRule.EXCEPT)),
        ("mardis", SlotDays(1)),
        ("samedi, dimanche et fériés", None),
        ("fêtes", None),
    ],
)
def test_day_words_with_holidays(text: str, days: SlotDays | None) -> None:
    assert parse_slot_days(text) == days


def _starts(slot: WeeklySlot, calendar: HolidayCalendar, month: int) -> list[date]:
    first = paris(2026, month, 1)
    last = paris(2027, 1, 1) if month == 12 else paris(2026, month + 1, 1)
    return sorted(
        {
            duty.start.astimezone(PARIS).date()
            for duty in slot_occurrences(slot, first, last, calendar)
            if duty.start >= first
        }
    )


SUNDAYS_AND_HOLIDAYS = WeeklySlot(
    "@a:hs", "60", frozenset(), 6, time(8), time(20), holidays=HolidayRule.ALSO
)


def test_sundays_and_holidays_slot_in_moselle_and_in_lyon() -> None:
    sundays = [date(2026, 12, day) for day in (6, 13, 20, 27)]
    assert _starts(SUNDAYS_AND_HOLIDAYS, LYON, 11)[:2] == [date(2026, 11, 1), date(2026, 11, 8)]
    assert _starts(SUNDAYS_AND_HOLIDAYS, LYON, 11).count(date(2026, 11, 11)) == 1
    assert _starts(SUNDAYS_AND_HOLIDAYS, LYON, 12) == sorted([*sundays, date(2026, 12, 25)])
    assert _starts(SUNDAYS_AND_HOLIDAYS, MOSELLE, 12) == sorted(
        [*sundays, date(2026, 12, 25), date(2026, 12, 26)]
    )


def test_holidays_only_and_weekday_except_holidays() -> None:
    only = WeeklySlot("@a:hs", "60", frozenset(), 6, time(8), time(8), holidays=HolidayRule.ONLY)
    assert _starts(only, LYON, 11) == [date(2026, 11, 1), date(2026, 11, 11)]
    # A 24 h slot on a holiday: from 8h to 8h the next day.
    duty = slot_occurrences(only, paris(2026, 12, 25), paris(2026, 12, 26), LYON)[0]
    assert (duty.start, duty.end) == (paris(2026, 12, 25, 8), paris(2026, 12, 26, 8))
    mondays = WeeklySlot(
        "@a:hs", "60", frozenset(), 0, time(18), time(20), holidays=HolidayRule.EXCEPT
    )
    assert date(2026, 4, 6) not in _starts(mondays, LYON, 4)  # Lundi de Pâques
    assert _starts(mondays, LYON, 4) == [date(2026, 4, day) for day in (13, 20, 27)]


def test_the_rota_uses_its_calendar_for_who_is_on_duty() -> None:
    at = paris(2026, 12, 26, 10)  # Saturday, Saint-Étienne in Moselle
    assert on_duty_at(Rota((SUNDAYS_AND_HOLIDAYS,), calendar=MOSELLE), at) != []
    assert on_duty_at(Rota((SUNDAYS_AND_HOLIDAYS,), calendar=LYON), at) == []
