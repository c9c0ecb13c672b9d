"""The rota CSV: parsing, all-or-nothing errors with line numbers, replace on re-import."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from cpts_bot.core.times import PARIS
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.importers.rota_csv import (
    RotaCsvError,
    import_rota_csv,
    parse_rota_csv,
    register_cli,
    run_import_rota,
)
from cpts_bot.services.context import places_for
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import HYERES, LA_CRAU, make_config

GAZETTEER = places_for(make_config())
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

GOOD = """\ufefftype;matrix_id;name;profession;communes;day;start;end;from;until
hebdo;@a.martin:cpts.test;Anne Martin;IDE;Hyères|La Crau;lundi;18:00;20:00;;
hebdo;@b.roux:cpts.test;Bruno Roux;kiné;;samedi;9h;12h;2026-01-01;30/06/2026
garde;@c.leroy:cpts.test;Claire Leroy;60;83069;24/12/2026;20:00;08:00;;
;;;;;;;;;
conge;@a.martin:cpts.test;;;;;;;12/12/2026;20/12/2026
"""


def test_a_good_file() -> None:
    parsed = parse_rota_csv(GOOD, GAZETTEER)
    monday, saturday = parsed.slots
    assert (monday.user_id, monday.profession, monday.communes, monday.weekday) == (
        "@a.martin:cpts.test",
        "60",
        frozenset({HYERES, LA_CRAU}),
        0,
    )
    assert (monday.start, monday.end, monday.name) == (time(18), time(20), "Anne Martin")
    assert (saturday.profession, saturday.communes, saturday.weekday) == ("70", frozenset(), 5)
    assert (saturday.valid_from, saturday.valid_until) == (date(2026, 1, 1), date(2026, 6, 30))
    (shift,) = parsed.shifts
    assert shift.start == datetime(2026, 12, 24, 20, tzinfo=PARIS)
    assert shift.end == datetime(2026, 12, 25, 8, tzinfo=PARIS)
    (leave,) = parsed.leaves
    assert (leave.start, leave.end) == (
        datetime(2026, 12, 12, tzinfo=PARIS),
        datetime(2026, 12, 21, tzinfo=PARIS),
    )


def test_comma_separated_files_are_read_too() -> None:
    text = "type,matrix_id,profession,day,start,end\nhebdo,@x:cpts.test,IDE,mardi,8:00,9:00\n"
    assert parse_rota_csv(text, GAZETTEER).slots[0].weekday == 1


def test_every_problem_is_listed_with_its_line() -> None:
    bad = """type;matrix_id;profession;communes;day;start;end;from;until
hebdo;@a:cpts.test;IDE;;lundi;18:00;20:00;;
hebdo;alice;IDE;;lundi;18:00;20:00;;
garde;@b:cpts.test;plombier;;24/12/2026;20:00;08:00;;
garde;@b:cpts.test;IDE;Marseille;24/12/2026;20:00;08:00;;
garde;@b:cpts.test;IDE;;31/11/2026;20:00;08:00;;
hebdo;@b:cpts.test;IDE;;lundi;25:00;08:00;;
vacances;@b:cpts.test;;;;;;;;
conge;@b:cpts.test;;;;;;20/12/2026;12/12/2026
"""
    with pytest.raises(RotaCsvError) as raised:
        parse_rota_csv(bad, GAZETTEER)
    assert raised.value.problems == [
        "line 3: matrix_id: 'alice' is not a Matrix ID such as @name:example.org",
        "line 4: profession: 'plombier' is not a known profession",
        "line 5: communes: 'Marseille' is not a commune of the territory",
        "line 6: day: '31/11/2026' is not a date such as 24/12/2026 or 2026-12-24",
        "line 7: start: '25:00' is not a valid time",
        "line 8: type: 'vacances' is not hebdo, garde or conge",
        "line 9: until: the leave ends before it starts",
    ]


def test_header_problems() -> None:
    with pytest.raises(RotaCsvError, match="missing column"):
        parse_rota_csv("nom;jour\nx;y\n", GAZETTEER)
    with pytest.raises(RotaCsvError, match="unknown column"):
        parse_rota_csv("type;matrix_id;colour\n", GAZETTEER)


async def test_import_replaces_the_previous_import_and_keeps_chat_entries(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    path = tmp_path / "rota.csv"
    path.write_text(GOOD, encoding="utf-8")
    from cpts_bot.features.rota.duty_rota import Leave

    async with database.transaction() as db:
        await rota_repository.add_leave(
            db,
            Leave("@z:cpts.test", NOW, datetime(2026, 12, 1, tzinfo=UTC)),
            "chat",
            "@z:cpts.test",
            NOW,
        )
    counts = await import_rota_csv(database, path, GAZETTEER, NOW)
    assert (counts.slots, counts.shifts, counts.leaves) == (2, 1, 1)
    counts = await import_rota_csv(database, path, GAZETTEER, NOW)
    assert (counts.slots, counts.shifts, counts.leaves) == (2, 1, 1)
    async with database.transaction() as db:
        rota = await rota_repository.load_rota(db, NOW, datetime(2027, 1, 1, tzinfo=UTC))
    assert len(rota.slots) == 2 and len(rota.shifts) == 1
    assert sorted(leave.user_id for leave in rota.leaves) == ["@a.martin:cpts.test", "@z:cpts.test"]
    path.write_text(GOOD.replace("lundi", "lunedi"), encoding="utf-8")
    with pytest.raises(RotaCsvError):
        await import_rota_csv(database, path, GAZETTEER, NOW)
    async with database.transaction() as db:
        assert len((await rota_repository.load_rota(db, NOW, NOW)).slots) == 2
    await database.close()


def test_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CPTS_DATA_DIR", str(tmp_path / "data"))
    rooms = tmp_path / "rooms.yaml"
    rooms.write_text(
        "territory:\n  name: Test\n  communes:\n    - {insee: '83069', name: Hyères}\n"
        "coordinators: ['@coord:cpts.test']\n",
        encoding="utf-8",
    )
    good = tmp_path / "ok.csv"
    good.write_text(
        "type;matrix_id;profession;day;start;end\nhebdo;@x:cpts.test;IDE;lundi;18:00;20:00\n",
        encoding="utf-8",
    )
    parser = argparse.ArgumentParser()
    register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["import-rota", str(good), "--check"])
    args.rooms_file = rooms
    assert run_import_rota(args) == 0
    assert "valid: 1 weekly slot(s)" in capsys.readouterr().out
    args = parser.parse_args(["import-rota", str(good)])
    args.rooms_file = rooms
    assert run_import_rota(args) == 0
    assert "imported: 1 weekly slot(s)" in capsys.readouterr().out
    assert (tmp_path / "data" / "cpts-bot.sqlite").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("type;matrix_id\nhebdo;nobody\n", encoding="utf-8")
    args = parser.parse_args(["import-rota", str(bad)])
    args.rooms_file = rooms
    assert run_import_rota(args) == 2  # nothing imported
    assert "line 2: matrix_id" in capsys.readouterr().err
