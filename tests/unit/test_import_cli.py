import argparse
import asyncio
from pathlib import Path

import pytest

from cpts_bot.importers.cli_commands import DATABASE_NAME, register_cli
from cpts_bot.storage.database import Database
from cpts_bot.storage.directory_repository import DirectoryRepository

SAMPLE = Path(__file__).resolve().parents[2] / "cpts_bot" / "sample"
ROOMS = """
territory:
  name: CPTS Lyon 8
  communes:
    - {insee: "69388", name: Lyon 8e}
    - {insee: "69383", name: Lyon 3e}
    - {insee: "69387", name: Lyon 7e}
    - {insee: "69259", name: Vénissieux}
    - {insee: "69029", name: Bron}
coordinators: ["@coord:example.org"]
"""


def run(tmp_path: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="cpts-bot")
    parser.add_argument("--rooms-file", dest="rooms_file", type=Path)
    parser.add_argument("--data-dir", dest="data_dir", type=Path)
    register_cli(parser.add_subparsers(dest="command"))
    rooms = tmp_path / "rooms.yaml"
    rooms.write_text(ROOMS, encoding="utf-8")
    args = parser.parse_args(
        ["--rooms-file", str(rooms), "--data-dir", str(tmp_path / "data"), *argv]
    )
    return args.handler(args)


async def count_active(tmp_path: Path) -> int:
    database = await Database.open(tmp_path / "data" / DATABASE_NAME)
    try:
        async with database.transaction() as connection:
            return len(await DirectoryRepository(connection).load_active_professionals())
    finally:
        await database.close()


def test_import_rpps_then_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, "import", "rpps", str(SAMPLE / "rpps_sample.txt"), "--no-progress") == 0
    output = capsys.readouterr().out
    assert "new: 28" in output and "rejected lines: 0" in output
    assert run(tmp_path, "import", "directory", str(SAMPLE / "directory.csv")) == 0
    assert "rejected rows: 0" in capsys.readouterr().out
    assert asyncio.run(count_active(tmp_path)) == 40


def test_errors_give_a_clear_message_and_a_nonzero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, "import", "rpps", str(tmp_path / "missing.zip")) == 1
    assert "file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,last_name,profession_code,commune_insee,activities\n"
        "mg-a,DOE,10,6938,\nmg-b,DOE,10,69388,méthode Feldenkrais\nmg-c,DOE,10,69388,wound_care\n",
        "utf-8",
    )
    assert run(tmp_path, "import", "directory", str(bad)) == 2
    captured = capsys.readouterr()
    assert "line 2: commune_insee" in captured.out and "1 row(s) rejected" in captured.err
    # A word that is no code is kept as the CPTS wrote it, and listed as not linked.
    assert "declared words linked to no vocabulary concept: 1" in captured.out
    assert "méthode Feldenkrais" in captured.out


def test_through_the_main_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cpts_bot.cli import main

    rooms = tmp_path / "rooms.yaml"
    rooms.write_text(ROOMS, encoding="utf-8")
    monkeypatch.setenv("CPTS_DATA_DIR", str(tmp_path / "data"))
    code = main(
        [
            "--rooms-file",
            str(rooms),
            "import",
            "rpps",
            str(SAMPLE / "rpps_sample.txt"),
            "--no-progress",
        ]
    )
    assert code == 0 and "new: 28" in capsys.readouterr().out
    assert asyncio.run(count_active(tmp_path)) == 28
