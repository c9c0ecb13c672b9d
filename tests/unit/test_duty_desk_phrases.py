"""Rota and swap phrases a coordinator or a professional tried: « samedi nuit » is the
night that starts on Saturday (said on Saturday, tonight's), and the English forms."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from command_support import COORDINATOR, GP, context_for, direct, make_config, replies, router_for

from cpts_bot.core.times import PARIS
from cpts_bot.features.cover.models import pick_duty
from cpts_bot.features.cover.phrases import SwapRequest, parse_swap, read_when
from cpts_bot.features.rota.duty_rota import Duty
from cpts_bot.features.rota.phrases import RotaCommand, parse_rota_command
from cpts_bot.services.context import places_for
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import make_config as dispatch_config

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


def day_shift(day: int) -> Duty:
    return Duty(NURSE, "60", frozenset(), paris(day, 8), paris(day, 20))


def test_saturday_night_among_a_weekend_of_duties_is_the_one_starting_saturday_evening() -> None:
    """Friday's night runs into Saturday, Saturday's day and night, Sunday's day and
    night: « samedi nuit » is the night starting on Saturday evening, not Friday's
    running into Saturday morning, not Saturday's day, not Sunday's."""
    weekend = [night(11), day_shift(12), night(12), day_shift(13), night(13)]
    for said_at in (paris(10, 9), paris(11, 22), paris(12, 10)):  # Thursday, Friday, Saturday
        for phrase in ("samedi nuit", "saturday night", "la nuit de samedi"):
            when = read_when(phrase, said_at)
            assert pick_duty(weekend, when, said_at) == night(12), (phrase, said_at)
    friday = paris(11, 10)
    assert pick_duty(weekend, read_when("dimanche nuit", friday), friday) == night(13)


# ------------------------------------------------------------------ English


async def say_en(database: Database, router: Any, body: str, sender: str = GP) -> str:
    """What the router answers, in English, to ``body`` in a direct chat."""
    async with database.transaction() as db:
        await router._handle_message(direct(body, sender), context_for(db, router._config, "en"))
    return (await replies(database))[-1]


async def test_the_english_help_lists_english_rota_and_swap_phrases(tmp_path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    router = router_for(database, make_config())
    help_text = await say_en(database, router, "help duty")
    for phrase in (
        "« who is on call tonight in Saint-Exemple-sur-Mer? »",
        "« my shifts »",
        "« I need cover for my shift on 24/12 »",
        "« cancel cover 3 »",
        "« duty reminders off »",
    ):
        assert phrase in help_text, (phrase, help_text)
    for french in ("« mes gardes »", "« qui est de garde", "« je cherche un remplaçant"):
        assert french not in help_text, french
    coordinator = await say_en(database, router, "help duty", COORDINATOR)
    assert "« shift @name:server nurse Saint-Exemple-sur-Mer every monday 6pm-8pm »" in (
        coordinator
    )
    await database.close()


def meaning(command: object) -> object:
    """A rota command without the words it quotes back."""
    assert isinstance(command, RotaCommand)
    moment = command.moment and (command.moment.at, command.moment.precision)
    period = command.period and (command.period.start, command.period.end)
    return (replace(command, moment=None, period=None), moment, period)


def test_english_rota_phrases_mean_what_their_french_means() -> None:
    places = places_for(dispatch_config())
    now = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS)
    tonight = parse_rota_command("who is on call tonight in Hyères?", now, places)
    assert tonight == parse_rota_command("qui est de garde ce soir à Hyères ?", now, places)
    for english, french in (
        ("my shifts", "mes gardes"),
        ("my shifts calendar", "mes gardes calendrier"),
        ("away from 12 to 20 December", "absente du 12 au 20 décembre"),
        ("cancel leave 3", "annuler congé 3"),
        ("nurse on call tomorrow morning?", "IDE de garde demain matin ?"),
        (
            "shift @a:cpts.test nurse Hyères 24/12 8pm-8am",
            "garde @a:cpts.test IDE Hyères 24/12 20h-8h",
        ),
        (
            "shift @a:cpts.test nurse Hyères every monday 6pm-8pm",
            "garde @a:cpts.test IDE Hyères chaque lundi 18h-20h",
        ),
    ):
        assert meaning(parse_rota_command(english, now, places)) == meaning(
            parse_rota_command(french, now, places)
        ), english
