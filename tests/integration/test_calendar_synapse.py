"""« mes gardes calendrier » over the real Synapse: a nurse of a Moselle CPTS receives an
encrypted .ics file in her direct chat with the bot, decrypts it, and it parses into one
event per coming duty — the Sundays and public holidays of the Moselle (Saint-Étienne
included) for a « dimanches et jours fériés » slot, and a one-off shift."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import holidays
import pytest
from icalendar import Calendar
from nio import MemoryDownloadResponse, RoomEncryptedFile
from nio.crypto.attachments import decrypt_attachment

from cpts_bot.core.times import PARIS

pytestmark = pytest.mark.synapse
METZ = {"insee": "57463", "name": "Metz", "postal_codes": ["57000"]}
HORIZON = timedelta(days=90)  # « mes gardes calendrier » without dates: the coming 90 days


def run_cli(bot: Any, *arguments: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cpts_bot", "--rooms-file", str(bot.rooms_file), *arguments],
        env=bot.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def expected_starts(now: datetime, shift_day: date) -> set[datetime]:
    """Computed apart from the bot: the Moselle's Sundays and public holidays (8h-20h)
    overlapping the coming 90 days, and the one-off shift (9h-17h)."""
    moselle = holidays.country_holidays("FR", subdiv="57", years=range(now.year, now.year + 2))
    starts = set()
    day = now.astimezone(PARIS).date() - timedelta(days=1)
    while day <= (now + HORIZON).astimezone(PARIS).date():
        begins = datetime.combine(day, time(8), PARIS)
        ends = datetime.combine(day, time(20), PARIS)
        if (day.weekday() == 6 or day in moselle) and ends > now and begins < now + HORIZON:
            starts.add(begins.astimezone(UTC))
        day += timedelta(days=1)
    starts.add(datetime.combine(shift_day, time(9), PARIS).astimezone(UTC))
    return starts


async def test_my_duties_calendar_file_arrives_encrypted_and_parses(users, make_bot, tmp_path):
    coordinator = await users.client("coordinator")
    nurse = await users.client("nurse")
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[nurse.user_id],
        territory={"name": "CPTS Metz", "communes": [METZ]},
    )
    shift_day = datetime.now(PARIS).date() + timedelta(days=3)
    rota = tmp_path / "rota.csv"
    rota.write_text(
        "type;matrix_id;name;profession;communes;day;start;end;from;until\n"
        f"hebdo;{nurse.user_id};Inès;IDE;Metz;dimanches et jours fériés;08:00;20:00;;\n"
        f"garde;{nurse.user_id};Inès;IDE;Metz;{shift_day:%d/%m/%Y};09:00;17:00;;\n",
        "utf-8",
    )
    run_cli(bot, "import-rota", str(rota))
    files: list[tuple[Any, RoomEncryptedFile]] = []
    arrived = asyncio.Event()

    async def on_file(room: Any, event: Any) -> None:
        if event.sender == bot.user_id:
            files.append((room, event))
            arrived.set()

    assert nurse.client is not None
    nurse.client.add_event_callback(on_file, (RoomEncryptedFile,))
    bot.start()
    room = await nurse.create_encrypted_room([bot.user_id])
    await nurse.wait_joined(room, bot.user_id)

    asked_at = datetime.now(UTC)
    reply = await nurse.wait_reply(await nurse.send(room, "mes gardes calendrier"), timeout=60)
    assert reply.decrypted
    assert reply.body.startswith("Vos gardes :")
    assert "Votre fichier calendrier (.ics) suit" in reply.body
    async with asyncio.timeout(60):
        while not files:
            arrived.clear()
            await arrived.wait()
    [(direct, received)] = files
    content = received.source["content"]
    assert content["msgtype"] == "m.file"
    assert content["filename"] == "gardes.ics"
    assert content["info"]["mimetype"] == "text/calendar"
    assert "url" not in content  # encrypted: only ``file`` with its keys
    # In her direct chat with the bot, the one she opened and asked in.
    assert direct.room_id == room and direct.encrypted

    response = await nurse.client.download(mxc=received.url)
    assert isinstance(response, MemoryDownloadResponse), response
    assert b"BEGIN:VCALENDAR" not in response.body  # the homeserver holds ciphertext only
    data = decrypt_attachment(
        response.body, received.key["k"], received.hashes["sha256"], received.iv
    )
    assert len(data) == content["info"]["size"]
    calendar = Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    starts = {event.decoded("dtstart").astimezone(UTC) for event in events}
    assert len(starts) == len(events)
    # The bot's "now" is a moment after the test read the clock: compare the same window.
    assert starts == expected_starts(asked_at, shift_day) or starts == expected_starts(
        datetime.now(UTC), shift_day
    )
    assert {str(event["dtstart"].params["TZID"]) for event in events} == {"Europe/Paris"}
    assert {str(event["summary"]) for event in events} == {
        "Garde IDE, 08:00–20:00",
        "Garde IDE, 09:00–17:00",
    }
    assert len({str(event["uid"]) for event in events}) == len(events)
    assert bot.stop() == 0
