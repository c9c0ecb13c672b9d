"""Rota and swap phrases a coordinator or a professional tried: « samedi nuit » is the
night that starts on Saturday (said on Saturday, tonight's), and the English forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cpts_bot.domain.duty_rota import Duty
from cpts_bot.domain.shift_swap_models import pick_duty
from cpts_bot.domain.shift_swap_phrases import SwapRequest, parse_swap, read_when
from cpts_bot.domain.times import PARIS

NURSE = "@anne:cpts.test"


def paris(day: int, hour: int) -> datetime:
    return datetime(2026, 12, day, hour, tzinfo=PARIS).astimezone(UTC)


def night(day: int) -> Duty:
    return Duty(NURSE, "60", frozenset(), paris(day, 20), paris(day, 20) + timedelta(hours=12))


NIGHTS = [night(12), night(13), night(19), night(20)]  # Saturdays 12, 19; Sundays 13, 20


def test_saturday_night_said_on_saturday_is_tonight_not_next_week() -> None:
    saturday_morning = paris(12, 10)
    request = parse_swap("qui peut me remplacer samedi nuit ?", saturday_morning)
    assert isinstance(request, SwapRequest) and request.when is not None
    assert pick_duty(NIGHTS, request.when, saturday_morning) == night(12)
    # Said on Friday, or in English: Saturday's night, which starts on Saturday.
    friday = paris(11, 22)
    assert pick_duty(NIGHTS, read_when("samedi nuit", friday), friday) == night(12)
    assert pick_duty(NIGHTS, read_when("saturday night", friday), friday) == night(12)
    # « dimanche nuit » is Sunday's; « samedi prochain » still next week's.
    assert pick_duty(NIGHTS, read_when("dimanche nuit", friday), friday) == night(13)
    after_sunday = paris(14, 10)
    assert pick_duty(NIGHTS, read_when("samedi nuit", after_sunday), after_sunday) == night(19)
