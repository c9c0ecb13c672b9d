"""One way to read settings: every command finds its data directory, database and rooms
file through CPTS_* and .env alike; --help texts are plain text."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cpts_bot.cli import build_parser, main

SAMPLE = Path(__file__).resolve().parents[2] / "cpts_bot" / "sample"
ROOMS = """
territory:
  name: CPTS Lyon 8
  communes:
    - {insee: "69388", name: Lyon 8e Arrondissement, aliases: [Lyon 8]}
coordinators: ["@coord:example.org"]
tracking: {retention_days: 7}
"""
ROTA = (
    "type;matrix_id;name;profession;communes;day;start;end;from;until\n"
    "hebdo;@x:example.org;;IDE;Lyon 8;lundi;8:00;9:00;;\n"
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder whose .env alone says where the data and the rooms file are."""
    for name in list(os.environ):
        if name.startswith("CPTS_") and name != "CPTS_STATE_DIR":
            monkeypatch.delenv(name)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "territory.yaml").write_text(ROOMS, encoding="utf-8")
    (tmp_path / ".env").write_text(
        "CPTS_HOMESERVER=http://127.0.0.1:9\n"
        "CPTS_USER_ID=@bot:example.org\n"
        "CPTS_PASSWORD=not-used\n"
        f"CPTS_DATA_DIR={tmp_path / 'from-dotenv'}\n"
        "CPTS_ROOMS_FILE=config/territory.yaml\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_every_command_uses_the_database_and_rooms_file_of_dotenv(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = folder / "from-dotenv" / "cpts-bot.sqlite"
    code, text = run(capsys, "check-config")
    assert (code, text.strip()) == (0, "configuration OK")
    code, text = run(capsys, "import", "rpps", SAMPLE / "rpps_sample.txt", "--no-progress")
    assert code == 0 and "imported for CPTS Lyon 8" in text
    assert database.exists()
    code, text = run(capsys, "import", "directory", SAMPLE / "directory.csv")
    assert code in (0, 1) and "rows read" in text
    (folder / "rota.csv").write_text(ROTA, encoding="utf-8")
    assert run(capsys, "import-rota", folder / "rota.csv")[0] == 0
    code, text = run(capsys, "export", "requests", "--month", "2026-11")
    assert code == 0 and "requests written to" in text
    code, text = run(capsys, "report", "--month", "2026-11", "--out", folder / "report")
    assert code == 0 and (folder / "report").is_dir()
    code, text = run(capsys, "retention")
    assert code == 0 and "retention 7 days" in text  # the rooms file named by .env
    (folder / "from-dotenv" / "credentials.json").write_text("{}", encoding="utf-8")
    code, text = run(capsys, "status")  # the database of .env: it has never synced
    assert code == 1 and "no sync recorded" in text and "no database" not in text
    assert not (folder / "data").exists(), "a command ignored .env and used ./data"


def test_the_environment_wins_over_dotenv(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CPTS_DATA_DIR", str(folder / "from-environment"))
    code, _ = run(capsys, "import", "rpps", SAMPLE / "rpps_sample.txt", "--no-progress")
    assert code == 0
    assert (folder / "from-environment" / "cpts-bot.sqlite").exists()
    assert not (folder / "from-dotenv").exists()


def test_export_without_a_database_names_the_path_it_looked_at(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run(capsys, "export", "requests", "--month", "2026-11")
    assert code == 1 and str(folder / "from-dotenv" / "cpts-bot.sqlite") in text


def test_run_opens_the_database_of_dotenv(folder: Path) -> None:
    """``cpts-bot run`` as a process: its database appears where .env says (the
    homeserver of this .env is unreachable: the bot never gets further)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CPTS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "cpts_bot", "run"],
        cwd=folder,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not (folder / "from-dotenv" / "cpts-bot.sqlite").exists():
            assert process.poll() is None or (folder / "from-dotenv").exists(), (
                process.stderr.read().decode() if process.stderr else ""
            )
            assert time.monotonic() < deadline, "cpts-bot run never opened its database"
            time.sleep(0.1)
    finally:
        # It would retry the unreachable homeserver for ever: only where it put its
        # database matters here.
        process.kill()
        process.wait()
    assert not (folder / "data").exists()


def _all_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found.extend(_all_parsers(child))
    return found


MARKUP = re.compile(r"``|:(func|class|meth|mod|attr|ref|doc):`|`[^`\s][^`]*`_?|\*\*")


def test_help_texts_are_plain_text() -> None:
    parsers = _all_parsers(build_parser())
    assert len(parsers) > 10
    for parser in parsers:
        text = parser.format_help()
        assert not MARKUP.search(text), f"{parser.prog}:\n{text}"


def test_a_named_settings_file_that_does_not_exist_is_an_error(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["check-config"], ["retention"], ["status"], ["run"]):
        code, text = run(capsys, "--env-file", "prod.env", *argv)
        assert code == 2 and "prod.env: settings file not found" in text, (argv, text)
    assert not (folder / "from-dotenv").exists() and not (folder / "data").exists()
