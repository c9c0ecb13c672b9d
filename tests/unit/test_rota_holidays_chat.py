"""Public holidays and the .ics file in the rota by chat, over a real SQLite: « dimanches et
jours fériés » slots, « le prochain jour férié », « mes gardes calendrier »."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.cover import repository as shift_swap_repository
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.chat import RotaFeature
from cpts_bot.features.rota.holiday_slots import HolidayRule
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox_media import media_bytes
from tests.unit.dispatch_support import (
    COORDINATOR,
    FakeDirectory,
    FakeHomeserver,
    context_for,
    make_config,
    message,
    professional,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)  # Monday
ALICE = "@alice:cpts.test"
CONFIG = make_config()
# The same territory with the Moselle's public holidays (Saint-Étienne on 26 December).
MOSELLE = CONFIG.model_copy(
    update={"territory": CONFIG.territory.model_copy(update={"public_holidays": "57"})}
)
FEATURE = RotaFeature(FakeDirectory([professional(ALICE, "60", "83069")]))


@pytest.fixture
async def env(tmp_path: Path):
    database = await Database.open(tmp_path / "bot.sqlite")
    yield database, FakeHomeserver(database)
    await database.close()


FILES: dict[int, bytes] = {}  # outbox id -> the bytes queued (dropped once sent)


async def say(env, sender: str, text: str, *, config=CONFIG, is_direct: bool = False):
    database, server = env
    msg = message(sender, text, NOW, is_direct=is_direct)
    async with database.transaction() as db:
        context = context_for(db, config, NOW, msg)
        assert await route_message(Routes.of(FEATURE), msg, context)
    async with database.connection.execute(
        "SELECT id, txn_id FROM outbox WHERE sent_at IS NULL AND action = 'direct_file'"
    ) as cursor:
        for row in await cursor.fetchall():
            FILES[row["id"]] = await media_bytes(database.connection, row["txn_id"])
    return await server.flush(NOW)


async def text_of(env, sender: str, text: str, **options) -> str:
    sent = await say(env, sender, text, **options)
    assert len(sent) == 1
    return sent[0].text


async def test_a_sundays_and_holidays_slot_by_chat(env) -> None:
    assert await text_of(
        env, COORDINATOR, "garde @alice:cpts.test IDE Hyères dimanches et jours fériés 8h-20h"
    ) == (
        "Garde hebdomadaire enregistrée : Alice, IDE, Hyères,"
        " les dimanches et les jours fériés 08:00–20:00."
    )
    async with env[0].transaction() as db:
        rota = await rota_repository.load_rota(db, NOW, NOW)
    assert [(slot.weekday, slot.holidays) for slot in rota.slots] == [(6, HolidayRule.ALSO)]
    christmas = await text_of(env, COORDINATOR, "IDE de garde le 25/12 à 10h à Hyères ?")
    assert "• Alice (IDE) 08:00–20:00" in christmas
    assert await text_of(env, COORDINATOR, "IDE de garde le 24/12 à 10h à Hyères ?") == (
        "Aucun IDE de garde jeu. 24 déc. 10:00 (Hyères)."
    )


async def test_two_days_with_holidays_is_refused_not_guessed(env) -> None:
    text = "garde @alice:cpts.test IDE Hyères samedi, dimanche et fériés 8h-20h"
    assert await text_of(env, COORDINATOR, text) == (
        "Un seul jour par créneau avec les jours fériés : envoyez une ligne par jour, par"
        " exemple « … samedi 8h-20h » puis « … dimanches et jours fériés 8h-20h »."
    )
    async with env[0].transaction() as db:
        assert (await rota_repository.load_rota(db, NOW, NOW)).slots == ()


async def test_holidays_follow_the_territory(env) -> None:
    await say(env, COORDINATOR, "garde @alice:cpts.test IDE jours fériés 8h-20h")
    question = "IDE de garde le 26/12 à 10h ?"
    assert "Aucun IDE" in await text_of(env, COORDINATOR, question)
    assert "• Alice (IDE)" in await text_of(env, COORDINATOR, question, config=MOSELLE)


async def test_who_is_on_duty_on_the_next_public_holiday(env) -> None:
    await say(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères férié 8h-8h")
    answer = await text_of(env, ALICE, "qui est de garde le prochain jour férié ?")
    assert answer.startswith("De garde le ven. 25 déc.")  # after 11 November, Christmas
    assert "• Alice (IDE) 24 h à partir de 08:00" in answer


async def test_my_duties_with_a_calendar_file_in_the_direct_chat(env) -> None:
    await say(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères chaque lundi 18h-20h")
    await say(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères 25/12 8h-8h")
    sent = await say(env, ALICE, "mes gardes calendrier")
    assert [row.action for row in sent] == ["message", "direct_file"]
    reply, attached = sent
    assert reply.text.endswith(
        "Votre fichier calendrier (.ics) est dans notre conversation privée."
    )
    assert "(Noël)" in reply.text  # the 25 December duty is named as a holiday
    assert attached.target == ALICE
    assert attached.payload["filename"] == "gardes.ics"
    assert attached.payload["mimetype"] == "text/calendar"
    data = FILES[attached.id]
    events = list(Calendar.from_ical(data).walk("VEVENT"))
    # The coming 90 days: Mondays from 23 November to 15 February, and Christmas.
    starts = sorted(event.decoded("dtstart") for event in events)
    assert len(events) == 13 + 1
    assert starts[0].date() == date(2026, 11, 23)
    assert date(2026, 12, 25) in [start.date() for start in starts]
    assert {str(event["summary"]) for event in events} == {
        "Garde IDE, 18:00–20:00",
        "Garde IDE, 24 h à partir de 08:00",
    }


async def test_calendar_words_and_where_the_file_goes(env) -> None:
    assert "Pas de fichier calendrier" in await text_of(env, ALICE, "mes gardes ics")
    await say(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères 25/12 8h-20h")
    sent = await say(env, ALICE, "mes gardes en agenda", is_direct=True)
    assert [row.action for row in sent] == ["message", "direct_file"]
    assert sent[0].text.endswith(
        "suit : ouvrez-le avec votre agenda"
        " (Google Agenda, Outlook, Calendrier…) pour y ajouter vos gardes."
    )
    # « mes gardes » alone: the text, no file.
    assert [row.action for row in await say(env, ALICE, "mes gardes")] == ["message"]


async def test_a_holiday_duty_handed_over_moves_to_the_replacements_calendar(env) -> None:
    bob = "@bob:cpts.test"
    await say(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères jours fériés 8h-20h")
    christmas = datetime(2026, 12, 25, 8, tzinfo=PARIS).astimezone(UTC)
    async with env[0].transaction() as db:
        await shift_swap_repository.add_handover(
            db, ALICE, bob, "60", christmas, christmas + timedelta(hours=12), COORDINATOR, NOW
        )
    alice = await say(env, ALICE, "mes gardes calendrier")
    bobs = await say(env, bob, "mes gardes calendrier")
    alice_days = {e.decoded("dtstart").date() for e in ics_events(alice)}
    bob_days = {e.decoded("dtstart").date() for e in ics_events(bobs)}
    assert date(2026, 12, 25) in bob_days and date(2026, 12, 25) not in alice_days
    assert date(2027, 1, 1) in alice_days  # her other holidays stay hers


def ics_events(sent) -> list:
    [attached] = [row for row in sent if row.action == "direct_file"]
    return list(Calendar.from_ical(FILES[attached.id]).walk("VEVENT"))
