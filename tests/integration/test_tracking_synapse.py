"""The tracking table, the hand-off to the coordination and the monthly report, over the
real Synapse: encrypted rooms, the bot run as an operator runs it, its SQLite read after."""

from __future__ import annotations

import asyncio
import io
import random
import sqlite3
import struct
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from matplotlib.image import imread
from nio import MemoryDownloadResponse, RoomEncryptedImage, RoomPutAliasResponse
from nio.crypto.attachments import decrypt_attachment

from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.features.reports.tracking_repository import (
    TrackedRequest,
    record_request,
    update_outcome,
)
from cpts_bot.i18n import Translator
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.storage.database import Database

pytestmark = pytest.mark.synapse
REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "cpts_bot" / "sample"
DATABASE = "cpts-bot.sqlite"
HEADER = (
    "kind,rpps,id,title,last_name,first_name,profession_code,profession_label,"
    "specialties,structure_type,name,offer,address,postal_code,commune_insee,"
    "commune_name,structure_name,phone,activities,modalities,languages,matrix_id,active"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sample_territory() -> dict[str, Any]:
    return yaml.safe_load((REPO / "rooms.yaml").read_text("utf-8"))["territory"]


def run_cli(bot: Any, *arguments: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cpts_bot", "--rooms-file", str(bot.rooms_file), *arguments],
        env=bot.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def import_sample_directory(bot: Any, tmp_path: Path, gp_user_id: str) -> None:
    """The sample directory, and the GP's own card (so the bot knows the asker is a GP)."""
    run_cli(bot, "import", "directory", str(SAMPLE / "directory.csv"))
    own = tmp_path / "gp.csv"
    fields = ["professional", "19900000777", "", "Dr", "LEGRAND", "Paul", "10", "Médecin"]
    fields += ["SM54", "", "", "", "1 rue Garon", "69500", "69029", "Bron", "", "04 78 00 07 77"]
    fields += ["", "", "", gp_user_id, "1"]
    own.write_text(HEADER + "\n" + ",".join(fields) + "\n", "utf-8")
    run_cli(bot, "import", "directory", str(own))


async def set_coordination_room(bot: Any, owner: Any, room_id: str) -> None:
    """Name the room in rooms.yaml by an alias: the bot resolves it at start (and room IDs
    of recent room versions, without ":server", are not accepted in rooms.yaml)."""
    alias = f"#coordination-{room_id.strip('!').split(':')[0][:10].lower()}:{owner.user_id.split(':', 1)[1]}"
    response = await owner.client.room_put_alias(alias, room_id)
    assert isinstance(response, RoomPutAliasResponse), response
    data = yaml.safe_load(bot.rooms_file.read_text("utf-8"))
    data["rooms"] = {"coordination": alias}
    bot.rooms_file.write_text(yaml.safe_dump(data), "utf-8")


def read_rows(bot: Any, sql: str, parameters: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    """Rows of the bot's database (read once the bot is stopped)."""
    connection = sqlite3.connect(bot.data_dir / DATABASE)
    connection.row_factory = sqlite3.Row
    try:
        return list(connection.execute(sql, parameters).fetchall())
    finally:
        connection.close()


def bot_messages(me: Any, bot: Any, room: str, text: str) -> Any:
    return lambda _: [item for item in me.from_user(bot.user_id, room) if text in item.body]


async def test_hand_off_round_trip_with_the_last_question(users, make_bot, tmp_path):
    coordinator = await users.client("coordinator")
    gp = await users.client("gp")
    bot = make_bot(
        coordinators=[coordinator.user_id], allowed=[gp.user_id], territory=sample_territory()
    )
    import_sample_directory(bot, tmp_path, gp.user_id)
    coordination = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    await set_coordination_room(bot, coordinator, coordination)
    bot.start()
    await coordinator.wait_joined(coordination, bot.user_id)
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)

    question = await gp.send(room, "dermatologue à Bron pour un eczéma")
    answer = await gp.wait_reply(question)
    assert answer.decrypted
    assert answer.body.splitlines()[-1] == (
        "Écrivez « coordination » pour transmettre votre demande à l'équipe."
    )
    ask = await gp.send(room, "coordination")
    acknowledged = (await gp.wait_reply(ask)).body
    assert acknowledged.startswith("Transmis à la coordination")

    [post] = await coordinator.wait_for(
        bot_messages(coordinator, bot, coordination, "dermatologue à Bron pour un eczéma")
    )
    assert post.decrypted
    # The GP named by their card (name, profession, phone), not by their Matrix ID.
    assert "coordination, par Dr Paul LEGRAND (médecin) — 04 78 00 07 77" in post.body
    assert gp.user_id not in post.body and "l'annuaire n'a rien trouvé" in post.body
    await coordinator.send(
        coordination,
        "Le Dr Martin à Lyon 8 voit les urgences dermato le jeudi",
        extra={
            "m.relates_to": {
                "rel_type": "m.thread",
                "event_id": post.event_id,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": post.event_id},
            }
        },
    )
    [relayed] = await gp.wait_for(bot_messages(gp, bot, room, "Réponse de la coordination"))
    assert relayed.decrypted
    assert "Le Dr Martin à Lyon 8 voit les urgences dermato le jeudi" in relayed.body
    assert relayed.reply_to == ask
    assert bot.stop() == 0

    rows = read_rows(bot, "SELECT * FROM tracked_requests ORDER BY id")
    assert [(row["kind"], row["outcome"]) for row in rows] == [
        ("question", "nothing_found"),
        ("handoff", "handoff_answered"),
    ]
    question_row, handoff_row = rows
    assert question_row["requester_profession"] == "10"
    assert (question_row["profession_asked"], question_row["commune_asked"]) == ("10", "69029")
    assert handoff_row["requester_profession"] == "10"
    assert (handoff_row["profession_asked"], handoff_row["commune_asked"]) == ("10", "69029")
    assert "eczéma" not in handoff_row["summary"] and "eczéma" not in question_row["summary"]
    history = read_rows(
        bot,
        "SELECT outcome, at FROM tracked_request_events WHERE request_id = ? ORDER BY id",
        (handoff_row["id"],),
    )
    assert [row["outcome"] for row in history] == ["handed_off", "handoff_answered"]
    handed_at, answered_at = (datetime.fromisoformat(row["at"]) for row in history)
    assert handed_at <= answered_at
    assert handoff_row["response_ms"] == round(
        (answered_at - datetime.fromisoformat(handoff_row["requested_at"])).total_seconds() * 1000
    )
    [handoff] = read_rows(bot, "SELECT * FROM handoffs")
    assert handoff["answered_by"] == coordinator.user_id
    assert handoff["coordination_event_id"] == post.event_id
    assert handoff["request_id"] == handoff_row["id"]


def generated_month(month: Month, count: int, seed: int = 7) -> list[tuple[TrackedRequest, Any]]:
    """``count`` plausible requests spread over ``month``: (request, later outcome or None)."""
    rng = random.Random(seed)
    start, end = month.start_utc(), month.end_utc()
    span = (end - start).total_seconds()
    kinds = ["question"] * 6 + ["dispatch"] * 2 + ["handoff", "update"]
    professions = ["60", "70", "10", "91", "50", "93"]
    communes = ["69388", "69029", "69259", "69290"]
    generated = []
    for _ in range(count):
        at = start + timedelta(seconds=rng.uniform(0, span - 3600))
        kind = rng.choice(kinds)
        later = None
        if kind == "question":
            outcome = "nothing_found" if rng.random() < 0.2 else "answered"
            category = rng.choice(["orientation", "orientation", "directory"])
            answered = at + timedelta(milliseconds=rng.randint(300, 4000))
        elif kind == "dispatch":
            outcome, category, answered = "dispatch_open", "dispatch", None
            later = (
                rng.choice(["dispatch_taken", "dispatch_expired", "dispatch_cancelled"]),
                at + timedelta(minutes=rng.randint(2, 90)),
            )
        elif kind == "handoff":
            outcome, category, answered = "handed_off", "handoff", None
            later = ("handoff_answered", at + timedelta(minutes=rng.randint(5, 240)))
        else:
            outcome, category = "answered", "update"
            answered = at + timedelta(milliseconds=rng.randint(200, 900))
        generated.append(
            (
                TrackedRequest(
                    requested_at=at,
                    kind=kind,
                    category=category,
                    outcome=outcome,
                    requester_profession=rng.choice(professions),
                    summary=f"{kind} {category}",
                    answered_at=answered,
                    profession_asked=rng.choice(professions),
                    commune_asked=rng.choice(communes),
                ),
                later,
            )
        )
    return generated


async def seed_month(path: Path, month: Month, count: int) -> int:
    """Write the generated month with the repository; return the number of charts its
    report has (built from the same rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    database = await Database.open(path)
    try:
        async with database.transaction() as db:
            for request, later in generated_month(month, count):
                request_id = await record_request(db, request)
                if later is not None:
                    outcome, at = later
                    await update_outcome(db, request_id, outcome, at, set_response_time=True)
            report = await build_monthly_report(db, month, Translator("fr"))
    finally:
        await database.close()
    return len(report.charts)


async def test_monthly_report_text_and_encrypted_charts(users, make_bot):
    coordinator = await users.client("coordinator")
    bot = make_bot(coordinators=[coordinator.user_id], allowed=[])
    # Two months back: the job of the 1st never posts this one by itself.
    month = Month.containing(datetime.now(UTC)).previous().previous()
    count = 240
    charts = await seed_month(bot.data_dir / DATABASE, month, count)
    assert charts >= 2
    coordination = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    await set_coordination_room(bot, coordinator, coordination)
    images: list[RoomEncryptedImage] = []
    arrived = asyncio.Event()

    async def on_image(room: Any, event: Any) -> None:
        if room.room_id == coordination and isinstance(event, RoomEncryptedImage):
            images.append(event)
            arrived.set()

    assert coordinator.client is not None
    coordinator.client.add_event_callback(on_image, (RoomEncryptedImage,))
    bot.start()
    await coordinator.wait_joined(coordination, bot.user_id)

    command = await coordinator.send(coordination, f"rapport {month.label}")
    summary = await coordinator.wait_reply(command, timeout=60)
    assert summary.decrypted
    assert f"{count} demandes" in summary.body
    assert "Transmis à la coordination :" in summary.body
    async with asyncio.timeout(60):
        while len(images) < charts:
            arrived.clear()
            await arrived.wait()
    assert len(images) == charts
    for image in images:
        assert image.source["content"]["info"]["mimetype"] == "image/png"
        assert "url" not in image.source["content"]  # the file is encrypted: only ``file``
        response = await coordinator.client.download(mxc=image.url)
        assert isinstance(response, MemoryDownloadResponse), response
        assert not response.body.startswith(PNG_SIGNATURE)
        png = decrypt_attachment(response.body, image.key["k"], image.hashes["sha256"], image.iv)
        assert png.startswith(PNG_SIGNATURE)
        assert png[12:16] == b"IHDR"
        width, height = struct.unpack(">II", png[16:24])
        assert width > 100 and height > 100
        info = image.source["content"]["info"]
        assert (info["w"], info["h"]) == (width, height)
        pixels = imread(io.BytesIO(png), format="png")
        assert pixels.shape[:2] == (height, width)
    assert bot.stop() == 0


async def test_directory_questions_are_tracked(users, make_bot, tmp_path):
    gp = await users.client("gp")
    bot = make_bot(coordinators=[gp.user_id], allowed=[], territory=sample_territory())
    import_sample_directory(bot, tmp_path, gp.user_id)
    bot.start()
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)
    found = await gp.send(room, "kiné à domicile bronchiolite lyon 8")
    assert "GAUTHIER" in (await gp.wait_reply(found)).body
    nothing = await gp.send(room, "cardiologue à Vénissieux")
    reply = (await gp.wait_reply(nothing)).body
    # No coordination room here: no hand-off offered.
    assert "Écrivez « coordination »" not in reply
    assert bot.stop() == 0
    rows = read_rows(bot, "SELECT * FROM tracked_requests ORDER BY id")
    assert [
        (
            row["kind"],
            row["outcome"],
            row["profession_asked"],
            row["commune_asked"],
            row["requester_profession"],
            row["source_event_id"],
        )
        for row in rows
    ] == [
        ("question", "answered", "70", "69388", "10", found),
        ("question", "nothing_found", "10", "69259", "10", nothing),
    ]
    for row in rows:
        assert row["response_ms"] is not None and row["response_ms"] >= 0
        assert row["free_text"] and row["summary"].startswith("find: ")
