"""Tracking table, retention, exports, charts and the monthly report over a real SQLite."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image

from cpts_bot.chat.command_dispatch import run_declared
from cpts_bot.chat.commands import CommandRegistry
from cpts_bot.features.reports.chat import REPORT_COMMANDS
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.features.reports.tracking_repository import (
    EXPORT_COLUMNS,
    TrackedRequest,
    export_rows_between,
    outcome_history,
    record_request,
    update_outcome,
)
from cpts_bot.i18n import Translator
from cpts_bot.reporting.charts import horizontal_bars, monthly_charts
from cpts_bot.reporting.cli_commands import register_cli
from cpts_bot.reporting.export import (
    Labels,
    export_table,
    write_csv,
    write_report_files,
    write_xlsx,
)
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.reporting.publish_monthly_report import publish_monthly_report_if_due
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
from cpts_bot.storage.outbox_media import media_bytes, png_size, queue_image
from cpts_bot.storage.retention_repository import apply_retention
from tests.unit.alerts_reports_support import (
    COORDINATION_ROOM,
    COORDINATOR,
    GP,
    make_context,
    message,
    open_database,
    outbox_rows,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
NOVEMBER = Month(2026, 11)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database, closed even when the test fails (its thread would hang)."""
    opened = await open_database(tmp_path)
    yield opened
    await opened.close()


async def fill_november(database, count: int = 300, seed: int = 3) -> list[TrackedRequest]:
    rng = random.Random(seed)
    requests = []
    async with database.transaction() as db:
        for _ in range(count):
            at = NOVEMBER.start_utc() + timedelta(minutes=rng.randrange(29 * 24 * 60))
            kind = rng.choice(["question", "dispatch", "handoff"])
            outcome = {
                "question": rng.choice(["answered", "nothing_found"]),
                "dispatch": rng.choice(["dispatch_taken", "dispatch_expired"]),
                "handoff": "handoff_answered",
            }[kind]
            request = TrackedRequest(
                requested_at=at,
                kind=kind,
                category=rng.choice(["orientation", "duty"]),
                outcome=outcome,
                answered_at=at + timedelta(seconds=rng.randrange(1, 900)),
                profession_asked=rng.choice(["IDE", "MK", "SF", "ortho"]),
                commune_asked=rng.choice(["69388", "69029"]),
                summary="IDE, domicile",
                free_text="une IDE pour un pansement rue X ; 06 12 34 56 78",
                requester_profession="MG",
            )
            await record_request(db, request)
            requests.append(request)
    return requests


async def test_record_and_update_keep_the_outcome_history(database: Database) -> None:
    asked = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    async with database.transaction() as db:
        request_id = await record_request(
            db,
            TrackedRequest(
                requested_at=asked,
                kind="dispatch",
                category="unscheduled_care",
                outcome="dispatch_open",
                summary="x" * 500,
            ),
        )
        await update_outcome(
            db, request_id, "dispatch_taken", asked + timedelta(minutes=4), set_response_time=True
        )
        history = await outcome_history(db, request_id)
    assert [outcome for outcome, _ in history] == ["dispatch_open", "dispatch_taken"]
    row = await database.fetch_one(
        "SELECT outcome, response_ms, length(summary) AS n FROM tracked_requests WHERE id = ?",
        (request_id,),
    )
    assert (row["outcome"], row["response_ms"], row["n"]) == ("dispatch_taken", 240_000, 200)


async def test_retention_counts_in_dry_run_and_purges_with_apply(database: Database) -> None:
    async with database.transaction() as db:
        for age_days in (1, 10, 89, 91, 200):
            await record_request(
                db,
                TrackedRequest(
                    requested_at=NOW - timedelta(days=age_days),
                    kind="question",
                    category="orientation",
                    outcome="answered",
                    free_text=f"texte {age_days}",
                    summary="IDE",
                ),
            )
        dry = await apply_retention(db, NOW, 90, apply=False)
    assert (dry.request_texts, dry.handoff_texts) == (2, 0)
    kept = await database.fetch_all(
        "SELECT free_text FROM tracked_requests WHERE free_text IS NOT NULL"
    )
    assert len(kept) == 5  # a dry run changes nothing
    async with database.transaction() as db:
        applied = await apply_retention(db, NOW, 90, apply=True)
        again = await apply_retention(db, NOW, 90, apply=False)
    assert applied.request_texts == 2 and again.request_texts == 0
    rows = await database.fetch_all(
        "SELECT free_text, summary, free_text_purged_at FROM tracked_requests ORDER BY id"
    )
    assert [row["free_text"] for row in rows] == ["texte 1", "texte 10", "texte 89", None, None]
    assert all(row["summary"] == "IDE" for row in rows)  # the figures stay
    assert rows[3]["free_text_purged_at"] is not None


async def test_export_round_trips_through_csv_and_xlsx(database: Database, tmp_path: Path) -> None:
    requests = await fill_november(database, 50)
    async with database.transaction() as db:
        rows = await export_rows_between(db, NOVEMBER.start_utc(), NOVEMBER.end_utc())
    assert len(rows) == len(requests)
    labels = Labels(Translator("fr"), {"69388": "Lyon 8e"})
    csv_rows = list(
        csv.reader(
            write_csv(rows, tmp_path / "r.csv", labels).read_text("utf-8-sig").splitlines(),
            delimiter=";",
        )
    )
    workbook = load_workbook(write_xlsx(rows, tmp_path / "r.xlsx", labels), read_only=True)
    xlsx_rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert csv_rows[0] == [str(cell) for cell in xlsx_rows[0]]
    assert csv_rows[0][1] == "requested_at (Europe/Paris)"
    assert "free_text" not in csv_rows[0]
    assert len(csv_rows) == len(xlsx_rows) == len(requests) + 1
    by_time = sorted(requests, key=lambda request: request.requested_at)
    for request, csv_row, xlsx_row in zip(by_time, csv_rows[1:], xlsx_rows[1:], strict=True):
        expected_time = request.requested_at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M:%S")
        assert csv_row[1] == xlsx_row[1] == expected_time
        column = {name: index for index, name in enumerate(csv_rows[0])}
        assert csv_row[column["outcome"]] == xlsx_row[column["outcome"]] == request.outcome
        expected_ms = round((request.answered_at - request.requested_at).total_seconds() * 1000)
        assert int(csv_row[column["response_ms"]]) == xlsx_row[column["response_ms"]]
        assert xlsx_row[column["response_ms"]] == expected_ms
        asked = column["profession_asked"]
        assert csv_row[asked] == xlsx_row[asked] == request.profession_asked
        # The label is written next to the code.
        assert csv_rows[0][asked + 1] == "profession_asked_label"
        commune = column["commune_asked"]
        assert csv_rows[0][commune + 1] == "commune_asked_name"
        if request.commune_asked == "69388":
            assert csv_row[commune + 1] == xlsx_row[commune + 1] == "Lyon 8e"


def test_export_puts_labels_next_to_codes(tmp_path: Path) -> None:
    row = [None] * len(EXPORT_COLUMNS)
    values = {
        "id": 1,
        "requested_at": "2026-11-23T08:00:00Z",
        "requester_profession": "10",
        "profession_asked": "60",
        "commune_asked": "69388",
    }
    for name, value in values.items():
        row[EXPORT_COLUMNS.index(name)] = value
    labels = Labels(Translator("fr"), {"69388": "Lyon 8e"})
    header, cells = export_table([row], labels)
    named = dict(zip(header, cells, strict=True))
    assert named["requester_profession"] == "10"
    assert named["requester_profession_label"] == "médecin"
    assert (named["profession_asked"], named["profession_asked_label"]) == ("60", "IDE")
    assert (named["commune_asked"], named["commune_asked_name"]) == ("69388", "Lyon 8e")
    assert header.index("commune_asked_name") == header.index("commune_asked") + 1


def test_charts_are_portrait_pngs_readable_on_a_phone() -> None:
    png = horizontal_bars("Professions demandées", [("IDE", 40), ("MK", 12), ("SF", 3)])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()
    width, height = Image.open(io.BytesIO(png)).size
    assert (width, height) == png_size(png) == (1080, 1350)


async def test_monthly_report_text_and_charts(database: Database, tmp_path: Path) -> None:
    requests = await fill_november(database, 300)
    async with database.transaction() as db:
        report = await build_monthly_report(db, NOVEMBER, Translator("fr"))
    assert report.text.startswith("**Rapport d'activité — novembre 2026**")
    assert f"• {len(requests)} demandes" in report.text
    unanswered = sum(r.outcome == "nothing_found" for r in requests)
    questions = sum(r.kind == "question" for r in requests)
    assert f"Questions sans réponse : {unanswered} sur {questions}" in report.text
    assert "<ul><li>" in report.html
    names = [name for name, _ in report.charts]
    assert names == [
        "requests-by-week-2026-11.png",
        "professions-asked-2026-11.png",
        "unanswered-2026-11.png",
        "dispatches-2026-11.png",
    ]
    for _, png in report.charts:
        Image.open(io.BytesIO(png)).verify()
    english = monthly_charts(report.stats, Translator("en"))
    assert len(english) == 4
    files = write_report_files(report, tmp_path / "out")
    assert (tmp_path / "out" / "report-2026-11.md").read_text("utf-8").startswith("**Rapport")
    assert len(files) == 6


async def test_report_on_demand_for_coordinators_only(database: Database) -> None:
    await fill_november(database, 40)
    registry = CommandRegistry(REPORT_COMMANDS)
    async with database.transaction() as db:
        refused = message("rapport novembre", GP, "!dm-gp:example.org", NOW, "$gp1")
        assert await run_declared(registry, refused, make_context(db, NOW, refused))
    rows = await outbox_rows(database)
    assert [row["payload"]["text"] for row in rows] == [
        "Désolé : « rapport » est réservé à la coordination."
    ]
    async with database.transaction() as db:
        bad = message("rapport brumaire", COORDINATOR, "!dm-c:example.org", NOW, "$c0")
        assert await run_declared(registry, bad, make_context(db, NOW, bad))
        asked = message("Rapport novembre", COORDINATOR, "!dm-c:example.org", NOW, "$c1")
        assert await run_declared(registry, asked, make_context(db, NOW, asked))
        other = message("kiné à Bron ?", COORDINATOR, "!dm-c:example.org", NOW, "$c2")
        assert not await run_declared(registry, other, make_context(db, NOW, other))
    rows = await outbox_rows(database, after=rows[-1]["id"])
    assert "brumaire" in rows[0]["payload"]["text"]
    assert rows[1]["payload"]["text"].startswith("**Rapport d'activité — novembre 2026**")
    assert rows[1]["payload"]["in_reply_to"] == "$c1"
    images = [row for row in rows if row["action"] == "image"]
    assert len(images) == 4
    for row in images:
        data = await media_bytes(database._connection, row["txn_id"])
        assert data is not None and len(data) == row["payload"]["size"]
        assert png_size(data) == (row["payload"]["width"], row["payload"]["height"])


async def test_queue_image_refuses_what_is_not_a_png(database: Database) -> None:
    async with database.transaction() as db:
        outbox = OutboxWriter(db, NOW)
        try:
            await queue_image(outbox, "!r:example.org", "x.png", b"GIF89a....", "x")
        except ValueError:
            pass
        else:
            raise AssertionError("a GIF was queued as PNG")
    assert await outbox_rows(database) == []


async def test_cli_commands(database: Database, tmp_path: Path, capsys) -> None:
    await fill_november(database, 20)
    parser = argparse.ArgumentParser(prog="cpts-bot")
    register_cli(parser.add_subparsers(dest="command"))
    db = str(tmp_path / "bot.sqlite")

    async def run(argv: list[str], **extra: object) -> int:
        # The handlers run their own event loop, as from the command line.
        args = parser.parse_args(argv)
        return await asyncio.to_thread(args.handler, args, **extra)

    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert await run(["retention", "--db", db, "--days", "1"], now=later) == 0
    out = capsys.readouterr().out
    assert "would empty (dry run, use --apply)" in out
    assert re.search(r"^  tracked_requests\.free_text +20$", out, re.M), out
    assert await run(["retention", "--db", db, "--days", "1", "--apply"], now=later) == 0
    out = capsys.readouterr().out
    assert "emptied" in out and re.search(r"^  tracked_requests\.free_text +20$", out, re.M)
    assert re.search(r"^  handoffs\.question +0$", out, re.M), out
    purged = await database.fetch_one(
        "SELECT COUNT(*) FROM tracked_requests WHERE free_text IS NOT NULL"
    )
    assert purged[0] == 0

    out = tmp_path / "nov.xlsx"
    assert (
        await run(
            [
                "export",
                "requests",
                "--month",
                "2026-11",
                "--format",
                "xlsx",
                "--db",
                db,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert load_workbook(out).active.max_row == 21

    assert (
        await run(["report", "--month", "2026-11", "--db", db, "--out", str(tmp_path / "rep")]) == 0
    )
    assert (tmp_path / "rep" / "report-2026-11.html").exists()
    assert (
        await run(
            ["export", "requests", "--month", "2026-11", "--db", str(tmp_path / "missing.sqlite")]
        )
        == 1
    )


async def test_monthly_job_posts_last_month_once_and_catches_up(database: Database) -> None:
    await fill_november(database, 30)

    async def tick(at: datetime) -> list[dict]:
        async with database.transaction() as db:
            await publish_monthly_report_if_due(make_context(db, at))
        return await outbox_rows(database, after=seen[-1] if seen else 0)

    seen: list[int] = []
    paris = ZoneInfo("Europe/Paris")
    # Before 8h on the 1st (Paris): nothing yet.
    assert await tick(datetime(2026, 12, 1, 7, 59, tzinfo=paris)) == []
    # The bot was down at 8h; at 10h it posts November's report, text then charts.
    rows = await tick(datetime(2026, 12, 1, 10, 0, tzinfo=paris))
    assert rows[0]["target"] == COORDINATION_ROOM
    assert rows[0]["payload"]["text"].startswith("**Rapport d'activité — novembre 2026**")
    assert [row["action"] for row in rows] == ["message"] + ["image"] * 4
    seen.append(rows[-1]["id"])
    # Never twice, and not after the window.
    assert await tick(datetime(2026, 12, 1, 10, 5, tzinfo=paris)) == []
    assert await tick(datetime(2026, 12, 3, 10, 5, tzinfo=paris)) == []
    assert await tick(datetime(2027, 1, 9, 10, 0, tzinfo=paris)) == []


async def test_the_report_names_communes_as_the_territory_does(database: Database) -> None:
    await fill_november(database, 300)
    names = {"69388": "Lyon 8e", "69029": "Bron"}
    async with database.transaction() as db:
        named = await build_monthly_report(
            db, NOVEMBER, Translator("fr"), charts=False, commune_names=names
        )
        coded = await build_monthly_report(db, NOVEMBER, Translator("fr"), charts=False)
    line = next(line for line in named.text.splitlines() if "par commune" in line)
    assert "Lyon 8e" in line and "Bron" in line and "69388" not in line
    assert "69388" in next(line for line in coded.text.splitlines() if "par commune" in line)


async def test_cli_report_names_communes_from_the_rooms_file(
    database: Database, tmp_path: Path, monkeypatch
) -> None:
    await fill_november(database, 60)
    rooms = tmp_path / "rooms.yaml"
    rooms.write_text(
        "territory:\n  name: CPTS Test\n  communes:\n"
        "    - {insee: '69388', name: Lyon Huitième}\n    - {insee: '69029', name: Bron}\n"
        "coordinators: ['@coord:example.org']\n",
        "utf-8",
    )
    monkeypatch.setenv("CPTS_ROOMS_FILE", str(rooms))
    parser = argparse.ArgumentParser(prog="cpts-bot")
    register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        [
            "report",
            "--month",
            "2026-11",
            "--db",
            str(tmp_path / "bot.sqlite"),
            "--out",
            str(tmp_path / "rep"),
        ]
    )
    assert await asyncio.to_thread(args.handler, args) == 0
    text = (tmp_path / "rep" / "report-2026-11.md").read_text("utf-8")
    assert "Lyon Huitième" in text


def test_the_report_title_reads_right_for_every_month() -> None:
    """« Rapport de avril » is wrong French: the title needs no « de »."""
    from cpts_bot.i18n import Translator

    for month in ("avril 2026", "août 2026", "octobre 2026", "novembre 2026"):
        title = Translator("fr").gettext("Report for {month}", month=month)
        assert title == f"Rapport d'activité — {month}"
