"""The .ics of a person's duties, read back with icalendar: one event per duty, times in
Europe/Paris (a 24 h slot, a night across the change of clocks), stable UIDs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.core.times import PARIS
from cpts_bot.features.rota.calendar_chat import shift_event
from cpts_bot.features.rota.duty_rota import Duty, WeeklySlot, slot_occurrences
from cpts_bot.features.rota.holiday_slots import HolidayRule
from cpts_bot.features.rota.shift_calendar import ShiftEvent, shift_uid, shifts_calendar
from cpts_bot.i18n import Translator
from tests.unit.dispatch_support import make_config

NOW = datetime(2026, 3, 20, 9, tzinfo=UTC)
ALICE = "@alice:cpts.test"
HYERES = "83069"


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)


# Saturday 28 March 2026 20h -> Sunday 8h: the clocks go forward at 2h, 11 hours of duty.
ACROSS_DST = Duty(ALICE, "60", frozenset({HYERES}), paris(2026, 3, 28, 20), paris(2026, 3, 29, 8))
# A 24 h slot from 8h on Christmas Day.
CHRISTMAS_24H = Duty(ALICE, "10", frozenset(), paris(2026, 12, 25, 8), paris(2026, 12, 26, 8))
EVENING = Duty(ALICE, "60", frozenset({HYERES}), paris(2026, 7, 14, 18), paris(2026, 7, 14, 22))


def events(data: bytes) -> list:
    calendar = Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def build(duties: list[Duty], now: datetime = NOW) -> bytes:
    config = make_config()
    gazetteer = PlaceIndex.from_territory(config.territory)
    translator = Translator("fr")
    holidays = config.territory.holiday_calendar()
    return shifts_calendar(
        [shift_event(duty, gazetteer, holidays, translator) for duty in duties],
        "Mes gardes (CPTS test)",
        now,
    )


def test_one_event_per_duty_with_paris_times() -> None:
    data = build([ACROSS_DST, CHRISTMAS_24H, EVENING])
    calendar = Calendar.from_ical(data)
    assert str(calendar["version"]) == "2.0"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    found = events(data)
    assert len(found) == 3
    for event, duty in zip(found, (ACROSS_DST, CHRISTMAS_24H, EVENING), strict=True):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert str(event["dtstart"].params["TZID"]) == "Europe/Paris"
        assert start.astimezone(UTC) == duty.start
        assert end.astimezone(UTC) == duty.end
    night, christmas, evening = found
    # Wall clock 20:00 -> 08:00 but 11 real hours: the night the clocks go forward.
    assert night.decoded("dtstart").strftime("%H:%M") == "20:00"
    assert night.decoded("dtend").strftime("%d %H:%M") == "29 08:00"
    assert night.decoded("dtend").astimezone(UTC) - night.decoded("dtstart").astimezone(
        UTC
    ) == timedelta(hours=11)
    assert christmas.decoded("dtend") - christmas.decoded("dtstart") == timedelta(hours=24)
    assert evening.decoded("dtstart").utcoffset() == timedelta(hours=2)  # summer time


def test_summaries_and_details_in_french() -> None:
    night, christmas, evening = events(build([ACROSS_DST, CHRISTMAS_24H, EVENING]))
    assert str(night["summary"]) == "Garde IDE, 20:00–08:00"
    assert str(night["location"]) == "Hyères"
    assert str(christmas["summary"]) == "Garde médecin, 24 h à partir de 08:00"
    assert "Jour férié : Noël" in str(christmas["description"])
    assert "Jour férié : Fête nationale" in str(evening["description"])
    assert "Secteur : tout le territoire" in str(christmas["description"])


def test_uids_are_stable_and_carry_no_matrix_id() -> None:
    first = [str(event["uid"]) for event in events(build([ACROSS_DST, EVENING]))]
    # Built again later, in another order: the same duties have the same UIDs.
    later = events(build([EVENING, ACROSS_DST], NOW + timedelta(days=9)))
    assert sorted(str(event["uid"]) for event in later) == sorted(first)
    assert len(set(first)) == 2
    assert all("alice" not in uid and uid.endswith("@cpts-bot") for uid in first)
    moved = Duty(ALICE, "60", EVENING.communes, EVENING.start, EVENING.end + timedelta(hours=1))
    assert shift_uid(moved) != shift_uid(EVENING)
    bob = Duty("@bob:cpts.test", "60", EVENING.communes, EVENING.start, EVENING.end)
    assert shift_uid(bob) != shift_uid(EVENING)


def test_weekly_occurrences_across_dst_become_events_with_the_wall_clock() -> None:
    slot = WeeklySlot(ALICE, "60", frozenset(), 5, time(20), time(8))
    duties = slot_occurrences(slot, paris(2026, 3, 21), paris(2026, 4, 5))
    found = events(shifts_calendar([ShiftEvent(duty, "Garde") for duty in duties], "x", NOW))
    hours = [
        (event.decoded("dtend").astimezone(UTC) - event.decoded("dtstart").astimezone(UTC))
        for event in found
    ]
    assert [event.decoded("dtstart").date() for event in found] == [
        date(2026, 3, 21),
        date(2026, 3, 28),
        date(2026, 4, 4),
    ]
    assert hours == [timedelta(hours=12), timedelta(hours=11), timedelta(hours=12)]
    assert {event.decoded("dtstart").strftime("%H:%M") for event in found} == {"20:00"}


def test_holiday_slots_appear_in_the_file() -> None:
    slot = WeeklySlot(ALICE, "60", frozenset(), 6, time(8), time(20), holidays=HolidayRule.ALSO)
    moselle = HolidayCalendar("57")
    duties = slot_occurrences(slot, paris(2026, 12, 24), paris(2026, 12, 28), moselle)
    found = events(shifts_calendar([ShiftEvent(duty, "Garde") for duty in duties], "x", NOW))
    assert [event.decoded("dtstart").date() for event in found] == [
        date(2026, 12, 25),
        date(2026, 12, 26),
        date(2026, 12, 27),
    ]
