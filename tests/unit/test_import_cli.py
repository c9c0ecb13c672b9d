"""The import commands through ``cpts-bot``: the same exit codes for every import
(0 all imported, 1 some rows rejected, 2 nothing imported), every problem of a line
reported, clear refusals (empty rota, corrupt zip)."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path

import pytest

from cpts_bot.cli import main
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.rota.repository import load_rota
from cpts_bot.importers.import_outcome import ALL_IMPORTED, NOTHING_IMPORTED, SOME_REJECTED
from cpts_bot.storage.database import Database

SAMPLE = Path(__file__).resolve().parents[2] / "cpts_bot" / "sample"
ROOMS = """
territory:
  name: CPTS Lyon 8
  communes:
    - {insee: "69388", name: Lyon 8e, aliases: [Lyon 8]}
    - {insee: "69383", name: Lyon 3e}
    - {insee: "69387", name: Lyon 7e}
    - {insee: "69259", name: Vénissieux}
    - {insee: "69029", name: Bron}
coordinators: ["@coord:example.org"]
"""
ROTA_HEADER = "type;matrix_id;name;profession;communes;day;start;end;from;until\n"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """``cpts-bot`` run in a folder whose ``.env`` names the data directory and rooms file."""
    monkeypatch.delenv("CPTS_DATA_DIR", raising=False)
    monkeypatch.delenv("CPTS_ROOMS_FILE", raising=False)
    (tmp_path / "rooms.yaml").write_text(ROOMS, encoding="utf-8")
    (tmp_path / ".env").write_text(f"CPTS_DATA_DIR={tmp_path / 'data'}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return Cli(tmp_path, capsys)


class Cli:
    def __init__(self, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.folder = folder
        self.capsys = capsys
        self.out = self.err = ""

    def __call__(self, *argv: str | Path) -> int:
        code = main([str(arg) for arg in argv])
        captured = self.capsys.readouterr()
        self.out, self.err = captured.out, captured.err
        return code

    def file(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return path

    def database(self) -> Path:
        return self.folder / "data" / "cpts-bot.sqlite"


async def _count_active(database_path: Path) -> int:
    database = await Database.open(database_path)
    try:
        async with database.transaction() as connection:
            return len(await DirectoryRepository(connection).load_active_professionals())
    finally:
        await database.close()


def count_active(cli: Cli) -> int:
    return asyncio.run(_count_active(cli.database()))


def test_import_rpps_then_directory(cli: Cli) -> None:
    assert cli("import", "rpps", SAMPLE / "rpps_sample.txt", "--no-progress") == ALL_IMPORTED
    assert "new: 28" in cli.out and "rejected lines: 0" in cli.out
    assert cli("import", "directory", SAMPLE / "directory.csv") == ALL_IMPORTED
    assert "rejected rows: 0" in cli.out
    assert count_active(cli) == 40


@pytest.mark.parametrize("command", [("import", "rpps"), ("import-rota",)])
def test_an_unreadable_rooms_file_imports_nothing(cli: Cli, command: tuple[str, ...]) -> None:
    cli.file("rooms.yaml", "territory: [")
    rota = cli.file("rota.csv", ROTA_HEADER)
    assert cli(*command, rota) == NOTHING_IMPORTED
    assert "cannot read the territory's communes:\nrooms.yaml: line" in cli.err
    assert "nothing was imported" in cli.err
    assert not cli.database().exists()


def test_a_missing_file_imports_nothing(cli: Cli) -> None:
    assert cli("import", "rpps", cli.folder / "missing.zip") == NOTHING_IMPORTED
    assert "file not found" in cli.err and "nothing was imported" in cli.err
    assert cli("import", "directory", cli.folder / "missing.csv") == NOTHING_IMPORTED
    assert "file not found" in cli.err
    assert cli("import-rota", cli.folder / "missing.csv") == NOTHING_IMPORTED


def test_directory_rows_rejected_give_1_and_all_rejected_give_2(cli: Cli) -> None:
    header = "id,last_name,profession_code,commune_insee,activities\n"
    some = cli.file(
        "some.csv",
        header
        + "mg-a,DOE,10,6938,\nmg-b,DOE,10,69388,méthode Feldenkrais\nmg-c,DOE,10,69388,wound_care\n",
    )
    assert cli("import", "directory", some) == SOME_REJECTED
    assert "line 2: commune_insee" in cli.out and "1 row(s) rejected" in cli.err
    # A word that is no code is kept as the CPTS wrote it, and listed as not linked.
    assert "declared words linked to no vocabulary concept: 1" in cli.out
    assert "méthode Feldenkrais" in cli.out
    assert count_active(cli) == 2
    none = cli.file("none.csv", header + "mg-x,DOE,10,6938,\nmg-y,,1,69388,\n")
    assert cli("import", "directory", none) == NOTHING_IMPORTED
    assert "all 2 row(s) rejected" in cli.err and "nothing was imported" in cli.err
    assert count_active(cli) == 2


def test_every_problem_of_a_directory_row_is_reported(cli: Cli) -> None:
    path = cli.file(
        "bad.csv",
        "id,last_name,profession_code,commune_insee,postal_code,phone,matrix_id,languages,active\n"
        "mg-a,DOE,1,6938,690,12,nobody,english,peut-être\n",
    )
    assert cli("import", "directory", path) == NOTHING_IMPORTED
    (line,) = [text for text in cli.out.splitlines() if text.strip().startswith("line 2:")]
    for column in (
        "profession_code",
        "commune_insee",
        "postal_code",
        "phone",
        "matrix_id",
        "active",
    ):  # languages are words ("english" is English): no longer a problem
        assert f"{column}:" in line, (column, line)


def test_a_directory_file_without_rows_is_refused(cli: Cli) -> None:
    path = cli.file("empty.csv", "id,last_name,profession_code,commune_insee\n")
    assert cli("import", "directory", path) == NOTHING_IMPORTED
    assert "no row after the header" in cli.err


def test_every_problem_of_an_extract_line_is_reported_and_gives_1(cli: Cli) -> None:
    lines = (SAMPLE / "rpps_sample.txt").read_text("utf-8").splitlines()
    header, first = lines[0], lines[1]
    fields = first.split("|")
    columns = header.split("|")
    broken = list(fields)
    broken[columns.index("Identification nationale PP")] = "?"
    broken[columns.index("Nom d'exercice")] = ""
    broken[columns.index("Code profession")] = ""
    path = cli.file("extract.txt", "\n".join([header, *lines[1:], "|".join(broken)]) + "\n")
    assert cli("import", "rpps", path, "--no-progress") == SOME_REJECTED
    number = len(lines) + 1
    (report,) = [text for text in cli.out.splitlines() if f"line {number}:" in text]
    assert "Identification nationale PP" in report
    assert "Nom d'exercice" in report and "Code profession" in report
    assert "row(s) rejected" in cli.err


def test_an_extract_without_the_territory_imports_nothing(cli: Cli) -> None:
    header = (SAMPLE / "rpps_sample.txt").read_text("utf-8").splitlines()[0]
    path = cli.file("other.txt", header + "\n")
    assert cli("import", "rpps", path, "--no-progress") == NOTHING_IMPORTED
    assert "no professional of the territory" in cli.err


def _sample_zip(folder: Path) -> Path:
    archive = folder / "extract.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(SAMPLE / "rpps_sample.txt", "PS_LibreAcces_Personne_activite_2026.txt")
    return archive


def test_a_truncated_zip_is_called_a_corrupt_zip(cli: Cli) -> None:
    archive = _sample_zip(cli.folder)
    archive.write_bytes(archive.read_bytes()[:2000])
    assert cli("import", "rpps", archive, "--no-progress") == NOTHING_IMPORTED
    assert "corrupt zip file" in cli.err


def test_a_zip_with_damaged_contents_is_called_a_corrupt_zip(cli: Cli) -> None:
    archive = _sample_zip(cli.folder)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as handle:
        info = handle.infolist()[0]
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 100
    for index in range(start, start + 200):
        data[index] ^= 0x5A
    archive.write_bytes(bytes(data))
    assert cli("import", "rpps", archive, "--no-progress") == NOTHING_IMPORTED
    assert "corrupt zip file" in cli.err
    assert not cli.database().exists() or count_active(cli) == 0


def test_an_empty_rota_file_is_refused_and_the_rota_kept(cli: Cli) -> None:
    good = cli.file(
        "rota.csv", ROTA_HEADER + "hebdo;@x:example.org;;IDE;Lyon 8;lundi;8:00;9:00;;\n"
    )
    assert cli("import-rota", good) == ALL_IMPORTED
    empty = cli.file("empty.csv", ROTA_HEADER + ";;;;;;;;;\n")
    assert cli("import-rota", empty) == NOTHING_IMPORTED
    assert "no rota line" in cli.err and "nothing was imported" in cli.err
    assert cli("import-rota", empty, "--check") == NOTHING_IMPORTED
    assert len(asyncio.run(_rota_slots(cli.database()))) == 1


async def _rota_slots(path: Path) -> list[object]:
    from datetime import UTC, datetime

    database = await Database.open(path)
    try:
        async with database.transaction() as db:
            now = datetime.now(UTC)
            return list((await load_rota(db, now, now)).slots)
    finally:
        await database.close()


def test_every_problem_of_a_rota_line_is_reported(cli: Cli) -> None:
    bad = cli.file("bad.csv", ROTA_HEADER + "hebdo;nobody;;plombier;Paris;jour;25:00;9h;x;\n")
    assert cli("import-rota", bad) == NOTHING_IMPORTED
    (line,) = [text for text in cli.err.splitlines() if "line 2:" in text]
    for column in ("matrix_id", "profession", "communes", "start", "from", "day"):
        assert f"{column}:" in line, (column, line)
