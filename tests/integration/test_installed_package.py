"""cpts-bot installed like any package: the wheel (built from the sdist) in a fresh virtual
environment outside the source tree, used from a folder outside it, as "Running it for a
CPTS" says. (The container image built from a wheel: test_container.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from cpts_bot.devtools.synapse import SynapseServer
from tests.integration.conftest import BotProcess, Users

pytestmark = pytest.mark.synapse
REPO = Path(__file__).resolve().parents[2]
READY = "ready: logged in, synced, listening"
# What a packaging problem looks like in a build log (setuptools, pip, Python warnings).
# "warning:" as setuptools and pip print it, or a *Warning class; not a file named *_warning.py.
WARNING = re.compile(r"\bwarning\b|(?-i:[A-Z]\w*Warning\b)", re.IGNORECASE)
# A Python warning (DeprecationWarning, UserWarning ...) printed by the running bot.
PYTHON_WARNING = re.compile(r"\b[A-Z]\w*Warning\b")


def clean_environment() -> dict[str, str]:
    """The environment without this checkout's virtual environment or source path."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CPTS_")
        and name not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    }
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if not part.startswith(str(REPO))
    )
    return env


def run(command: list[str | Path], cwd: Path, timeout: float = 600) -> str:
    """Run ``command``; its output (stdout and stderr), or a failure showing it."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{output[-5000:]}"
    return output


@dataclass(frozen=True)
class Installed:
    wheel: Path
    build_log: str
    venv: Path

    def command(self, name: str) -> Path:
        return self.venv / "bin" / name


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """``python -m build`` (sdist, then the wheel from the sdist) and the wheel installed
    in a new virtual environment; dependencies come from the package registry."""
    base = tmp_path_factory.mktemp("installed")
    assert not base.is_relative_to(REPO)
    dist = base / "dist"
    build_log = run([sys.executable, "-m", "build", "--outdir", dist, REPO], cwd=base)
    (wheel,) = dist.glob("cpts_bot-*.whl")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=base)
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel], cwd=base)
    yield Installed(wheel, build_log, venv)


def test_the_build_emits_no_packaging_warning(installed: Installed) -> None:
    warnings = [line for line in installed.build_log.splitlines() if WARNING.search(line)]
    assert not warnings, "\n".join(warnings)
    metadata = zipfile.ZipFile(installed.wheel).read("cpts_bot-0.1.0.dist-info/METADATA")
    assert b"License-Expression: AGPL-3.0-or-later" in metadata


def test_everything_read_at_run_time_is_in_the_wheel(installed: Installed) -> None:
    shipped = set(zipfile.ZipFile(installed.wheel).namelist())
    expected = {
        str(path.relative_to(REPO))
        for path in (REPO / "cpts_bot").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    } | {f"cpts_bot/migrations/{path.name}" for path in (REPO / "migrations").glob("*.sql")}
    assert any(name.endswith(".po") for name in expected)
    assert not expected - shipped, sorted(expected - shipped)


def installed_path(installed: Installed, package: str, name: str) -> Path:
    """Where the installed cpts-bot has a data file (asked to the installed Python)."""
    output = run(
        [
            installed.command("python"),
            "-c",
            f"import importlib.resources as r; print(r.files({package!r}) / {name!r})",
        ],
        cwd=installed.venv,
    )
    path = Path(output.strip())
    assert path.is_relative_to(installed.venv), path
    return path


@pytest.fixture
def operator_folder(tmp_path: Path) -> Path:
    """The folder an operator runs cpts-bot from: outside the source tree."""
    folder = tmp_path / "cpts"
    folder.mkdir()
    assert not folder.is_relative_to(REPO)
    return folder


async def test_the_installed_bot_imports_the_sample_and_answers(
    installed: Installed, operator_folder: Path, synapse: SynapseServer, users: Users
) -> None:
    gp = await users.client("gp")
    bot_id, bot_password = users.create("bot")
    territory = yaml.safe_load(
        installed_path(installed, "cpts_bot.sample", "territory.yaml").read_text("utf-8")
    )["territory"]
    rooms = {"territory": territory, "coordinators": [gp.user_id], "access": {"users": []}}
    (operator_folder / "rooms.yaml").write_text(yaml.safe_dump(rooms), encoding="utf-8")
    (operator_folder / ".env").write_text(
        f"CPTS_HOMESERVER={synapse.url}\nCPTS_USER_ID={bot_id}\nCPTS_PASSWORD={bot_password}\n",
        encoding="utf-8",
    )
    cpts_bot = installed.command("cpts-bot")
    assert "configuration OK" in run([cpts_bot, "check-config"], cwd=operator_folder)
    sample = installed_path(installed, "cpts_bot.sample", "rpps_sample.txt")
    output = run([cpts_bot, "import", "rpps", sample, "--no-progress"], cwd=operator_folder)
    assert re.search(r"new: [1-9]", output), output
    directory = installed_path(installed, "cpts_bot.sample", "directory.csv")
    run([cpts_bot, "import", "directory", directory], cwd=operator_folder)
    assert (operator_folder / "data" / "cpts-bot.sqlite").exists()

    bot = InstalledBot(cpts_bot, operator_folder, bot_id)
    bot.start()
    try:
        room = await gp.create_encrypted_room([bot_id])
        await gp.wait_joined(room, bot_id)
        help_reply = await gp.wait_reply(await gp.send(room, "aide"))
        assert help_reply.decrypted and "Voici ce que je sais faire" in help_reply.body
        # The bot answers from the database the import filled: same settings, same file.
        count = await gp.wait_reply(await gp.send(room, "combien d'orthophonistes à Vénissieux ?"))
        assert "1 professionnel pour orthophoniste, Vénissieux" in count.body
    finally:
        assert bot.stop() == 0
    log = bot.log_text()
    assert "Traceback" not in log and not PYTHON_WARNING.search(log), log[-3000:]


class InstalledBot(BotProcess):
    """``cpts-bot run`` of the installed package, from the operator's folder."""

    def __init__(self, command: Path, folder: Path, user_id: str) -> None:
        super().__init__(
            clean_environment() | {"PYTHONUNBUFFERED": "1"},
            folder / "data",
            folder / "rooms.yaml",
            folder / "bot.log",
            user_id,
        )
        self.command = command
        self.folder = folder

    def start(self, wait_ready: bool = True, timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            [str(self.command), "run"],
            env=self.env,
            stdout=self.log_path.open("ab"),
            stderr=subprocess.STDOUT,
            cwd=self.folder,
        )
        if wait_ready:
            self.wait_log(READY, timeout)
