"""Patient data does not linger: a scripted session (a directory question naming a
patient, a dispatch with the patient's details, a hand-off), the clock moved past every
delay, and the whole database file searched for the patient's words."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.core.times import from_iso
from cpts_bot.storage.file_modes import loose_paths
from tests.unit.privacy_session import (
    COORD,
    COORDINATION_ROOM,
    GP,
    NURSE,
    Session,
    direct_room,
)

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday, 9:00 in Paris
# The patient's words: unusual enough that nothing else in the database contains them.
PATIENT_WORDS = ["Quintavalle", "Bérangère", "Zinnias", "98 76 54 32", "4B7Z", "Tarlouze"]
QUESTION = "kiné à domicile lyon 8 pour Mme Bérangère Quintavalle"
DISPATCH = (
    "déclenchement IDE domicile Lyon 8 ce soir 20h pansement post-op, patient d'accord\n"
    "patient : Mme Bérangère Quintavalle, 3 rue des Zinnias, 06 98 76 54 32, code porte 4B7Z"
)
HANDOFF = "je veux parler à la coordination : Mme Quintavalle sort demain, qui la suit ?"
ANSWER = "Le Dr Tarlouze la suit, je l'appelle ce soir pour Mme Quintavalle."


def remaining_words(data_dir: Path) -> dict[str, list[str]]:
    """Where each patient word is still found: the SQL dump, and the raw bytes of the
    database file, its write-ahead log and its shared memory (case-insensitive)."""
    database = data_dir / "cpts-bot.sqlite"
    connection = sqlite3.connect(database)
    try:
        dump = "\n".join(connection.iterdump()).lower()
    finally:
        connection.close()
    sources = {"dump": dump.encode("utf-8")}
    for suffix in ("", "-wal", "-shm"):
        path = database.with_name(database.name + suffix)
        if path.exists():
            sources[path.name] = path.read_bytes().lower()
    found: dict[str, list[str]] = {}
    for word in PATIENT_WORDS:
        needle = word.lower().encode("utf-8")
        where = [name for name, data in sources.items() if needle in data]
        if where:
            found[word] = where
    return found


async def play(session: Session) -> None:
    await session.say(GP, QUESTION)
    sent = await session.say(COORD, DISPATCH)
    broadcast = next(item for item in sent if item.target == NURSE)
    assert "Quintavalle" not in broadcast.text  # the broadcast never carries details
    session.now += timedelta(minutes=5)
    sent = await session.say(NURSE, "je prends", reply_to=broadcast.event_id)
    details = next(item for item in sent if item.target == NURSE and "Zinnias" in item.text)
    assert "4B7Z" in details.text  # the winner got the details before any erasure
    sent = await session.say(GP, HANDOFF)
    post = next(item for item in sent if item.room_id == COORDINATION_ROOM)
    assert "Quintavalle" in post.text
    sent = await session.say(COORD, ANSWER, room=COORDINATION_ROOM, reply_to=post.event_id)
    assert any(item.room_id == direct_room(GP) and "Tarlouze" in item.text for item in sent)


async def test_no_patient_word_remains_after_the_delays(tmp_path: Path) -> None:
    session = await Session.open(tmp_path, START)
    data_dir = tmp_path / "data"
    try:
        await play(session)
        # Sent messages already lost their text; the dispatch (taken) keeps its details.
        assert set(remaining_words(data_dir)) >= {"Zinnias", "Quintavalle"}
        rows = await session.database.fetch_all("SELECT payload FROM outbox")
        assert rows and all(row["payload"] == "{}" for row in rows)
        dispatch = await session.database.fetch_one("SELECT details, needed_at FROM dispatches")
        assert "Zinnias" in dispatch["details"]
        kept = timedelta(hours=session.config.dispatch.details_kept_hours)
        # Past the delay after it was taken, but not after its care time: still kept.
        session.now += kept + timedelta(minutes=15)
        assert session.now < from_iso(dispatch["needed_at"]) + kept
        await session.run_job("erase-details")
        assert set(remaining_words(data_dir)) >= {"Zinnias", "4B7Z"}
        # Past the delay after the care time.
        session.now = from_iso(dispatch["needed_at"]) + kept + timedelta(minutes=1)
        await session.run_job("erase-details")
        dispatch = await session.database.fetch_one(
            "SELECT details, details_length, details_erased_at FROM dispatches"
        )
        assert dispatch["details"] == "" and dispatch["details_length"] > 40
        assert dispatch["details_erased_at"]
        # Past the retention period of what people typed.
        session.now += timedelta(days=session.config.tracking.retention_days, hours=1)
        await session.run_job("retention")
        # While the bot runs (its write-ahead log in use) and after it stopped.
        assert remaining_words(data_dir) == {}
    finally:
        await session.database.close()
    assert remaining_words(data_dir) == {}
    assert loose_paths(data_dir) == []


async def test_the_words_are_found_when_nothing_is_erased(tmp_path: Path) -> None:
    """The search itself works: before the delays the details are in the database."""
    session = await Session.open(tmp_path, START)
    try:
        await play(session)
        session.now += timedelta(days=1000)
    finally:
        await session.database.close()
    found = remaining_words(tmp_path / "data")
    assert "Zinnias" in found and "4B7Z" in found


async def test_an_ended_dispatch_loses_its_details_at_once(tmp_path: Path) -> None:
    session = await Session.open(tmp_path, START)
    try:
        sent = await session.say(COORD, DISPATCH)
        assert any(item.target == NURSE for item in sent)
        await session.say(COORD, "annuler 1")
        row = await session.database.fetch_one(
            "SELECT state, details, details_length, details_erased_at FROM dispatches"
        )
    finally:
        await session.database.close()
    assert row["state"] == "cancelled"
    assert row["details"] == "" and row["details_length"] > 40 and row["details_erased_at"]


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
async def test_database_files_are_private(tmp_path: Path, suffix: str) -> None:
    session = await Session.open(tmp_path, START)
    try:
        await session.say(GP, QUESTION)
        path = tmp_path / "data" / f"cpts-bot.sqlite{suffix}"
        assert path.exists()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        await session.database.close()


async def test_a_relaunched_dispatch_tells_the_taker_to_ask_for_the_details(
    tmp_path: Path,
) -> None:
    session = await Session.open(tmp_path, START)
    try:
        await session.say(COORD, DISPATCH)
        session.now += session.config.dispatch.expire_after + timedelta(minutes=45)
        for _ in range(6):  # escalation steps, then expiry
            await session.run_job("dispatch-deadlines")
        row = await session.database.fetch_one("SELECT state, details FROM dispatches")
        assert (row["state"], row["details"]) == ("expired", "")
        relaunched = await session.say(COORD, "relancer 1")
        said = [item.text for item in relaunched if "reproposé" in item.text]
        assert said == ["Le déclenchement n°1 est reproposé à 1 professionnel."], said
        broadcast = [item for item in session.delivered if item.target == NURSE][-1]
        sent = await session.say(NURSE, "je prends", reply_to=broadcast.event_id)
    finally:
        await session.database.close()
    told = [item.text for item in sent if item.target == NURSE and "est pour vous" in item.text]
    assert told and "Les informations patient ont été effacées" in told[0], sent
    assert "Zinnias" not in told[0]


async def test_aide_says_what_is_kept_and_for_how_long(tmp_path: Path) -> None:
    session = await Session.open(tmp_path, START)
    try:
        sent = await session.say(GP, "aide")
    finally:
        await session.database.close()
    text = sent[0].text
    assert "je ne les conserve jamais" not in text
    assert (
        "Les données patients restent dans cette discussion chiffrée. Mes copies sont"
        " effacées : mes messages dès leur remise, les informations d'un déclenchement dès"
        " sa fin (au plus tard 24 h après sa prise), vos textes après 90 jours."
    ) in text


async def test_the_erasing_jobs_are_scheduled_and_checkpoint_the_log(tmp_path: Path) -> None:
    session = await Session.open(tmp_path, START)
    await session.database.close()
    jobs = {job.name: job for job in session.features.jobs}
    assert jobs["retention"].seconds <= 24 * 3600 and jobs["retention"].checkpoint
    assert jobs["erase-details"].seconds <= 3600 and jobs["erase-details"].checkpoint
