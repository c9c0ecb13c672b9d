"""The médecin-traitant section of the monthly figures: pure counts, the report's lines,
and the export (``cpts-bot export medecin-traitant``)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from cpts_bot.features.medecin_traitant.figures import month_figures
from cpts_bot.features.medecin_traitant.models import (
    CapacityScope,
    GpRoom,
    PatientRequest,
    Priority,
)
from cpts_bot.features.medecin_traitant.states import RequestState
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.i18n import Translator
from cpts_bot.reporting.cli_commands import run_export
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import HYERES, LA_CRAU
from tests.unit.medecin_traitant_support import GP_A, PHARMACIST, Desk, add_professional, mt_config

MONTH = Month(2026, 11)
START, END = MONTH.start_utc(), MONTH.end_utc()


def _request(id: int, commune: str, created: datetime, **kw: object) -> PatientRequest:
    data: dict[str, object] = {
        "state": RequestState.WAITING,
        "age_band": "70-79",
        "priorities": frozenset(),
        "referrer": "@r",
        "referrer_room": "!r",
        "updated_at": created,
    }
    data.update(kw)
    return PatientRequest(id=id, commune=commune, created_at=created, **data)  # type: ignore[arg-type]


def test_month_figures_count_received_placed_waiting_and_capacity() -> None:
    before = START - timedelta(days=10)
    inside = START + timedelta(days=2)
    requests = [
        _request(1, HYERES, before),  # still waiting at the end
        _request(
            2,
            HYERES,
            before,
            state=RequestState.PLACED,
            placed_at=inside,
            priorities=frozenset({Priority.ALD}),
        ),
        _request(
            3, LA_CRAU, inside, state=RequestState.PLACED, placed_at=inside + timedelta(days=4)
        ),
        _request(4, LA_CRAU, inside, state=RequestState.CANCELLED, cancelled_at=inside),
        _request(5, LA_CRAU, END + timedelta(days=1)),  # next month: not counted
        _request(6, HYERES, before, state=RequestState.PLACED, placed_at=before),  # last month
    ]
    declarations = [
        GpRoom("@a", 3, CapacityScope.ONCE, True, before),
        GpRoom("@b", 2, CapacityScope.THIS_MONTH, True, before),  # last month's: over
        GpRoom("@c", 5, CapacityScope.EVERY_MONTH, True, before),
        GpRoom("@c", 0, CapacityScope.ONCE, False, inside),  # then stopped: still declared
        GpRoom("@d", 1, CapacityScope.THIS_MONTH, True, inside),
    ]
    figures = month_figures(requests, declarations, START, END)
    assert (figures.received, figures.placed, figures.waiting_at_end, figures.cancelled) == (
        2,
        2,
        1,
        1,
    )
    assert figures.median_days_to_placement == (12 + 4) / 2
    communes = {row.key: (row.received, row.placed, row.waiting) for row in figures.by_commune}
    assert communes == {HYERES: (0, 1, 1), LA_CRAU: (2, 1, 0)}
    priorities = {row.key: (row.received, row.placed, row.waiting) for row in figures.by_priority}
    assert priorities == {"ald": (0, 1, 0), "none": (2, 1, 1)}
    assert (figures.gps_with_room, figures.places_declared) == (3, 9)


async def _report_text(tmp_path: Path) -> str:
    now = START + timedelta(days=3, hours=9)
    database = await Database.open(tmp_path / "bot.sqlite")
    async with database.transaction() as db:
        await add_professional(db, GP_A, HYERES, now)
        await add_professional(db, PHARMACIST, HYERES, now, profession="21")
    desk = Desk(database, mt_config())
    await desk.say(PHARMACIST, "patient sans médecin traitant, 45 ans, Hyères", now)
    await desk.say(PHARMACIST, "patient sans médecin traitant, 80 ans, ALD, Hyères", now)
    await desk.say(GP_A, "je peux prendre 2 nouveaux patients ce mois-ci", now)
    await desk.say(GP_A, "ok", now + timedelta(days=2))
    async with database.transaction() as db:
        report = await build_monthly_report(
            db, MONTH, Translator("fr"), charts=False, commune_names={HYERES: "Hyères"}
        )
    await database.close()
    return report.text


def test_report_and_export_carry_the_section(tmp_path: Path) -> None:
    text = asyncio.run(_report_text(tmp_path))
    assert "Médecin traitant : 2 demandes reçues, 1 placée, 1 en attente en fin de mois" in text
    assert "Délai médian de placement : 2 jours" in text
    assert "Médecin traitant par commune (reçues/placées/en attente) : Hyères 2/1/1" in text
    assert "ALD 1/1/0" in text and "sans critère de priorité 1/0/1" in text
    assert "Places déclarées par les médecins : 2 (par 1 médecin), placements : 1" in text
    assert "Aucune activité" not in text

    out = tmp_path / "mt.csv"
    args = argparse.Namespace(
        what="medecin-traitant",
        month=MONTH,
        format="csv",
        out=out,
        db=tmp_path / "bot.sqlite",
        rooms_file=tmp_path / "none.yaml",
        language="fr",
    )
    assert run_export(args) == 0
    rows = [line.split(";") for line in out.read_text("utf-8-sig").splitlines()]
    assert rows[0] == ["section", "key", "received", "placed", "waiting_at_end"]
    assert ["total", "", "2", "1", "1"] in rows
    assert ["commune", HYERES, "2", "1", "1"] in rows
    assert ["priority", "ald", "1", "1", "0"] in rows
    assert ["places_declared", "", "2", "1", ""] in rows
    args.format, args.out = "xlsx", tmp_path / "mt.xlsx"
    assert run_export(args) == 0 and args.out.stat().st_size > 0
    # The requests' workbook carries the same section as a second sheet.
    args.what, args.out = "requests", tmp_path / "requests.xlsx"
    assert run_export(args) == 0
    workbook = load_workbook(args.out, read_only=True)
    assert workbook.sheetnames == ["requests", "medecin-traitant"]
    sheet = [list(row) for row in workbook["medecin-traitant"].iter_rows(values_only=True)]
    assert ["total", None, 2, 1, 1] in sheet


def test_no_desk_activity_no_section() -> None:
    figures = month_figures([], [], START, END)
    assert not figures.active
    assert datetime(2026, 11, 1, tzinfo=UTC) < END
