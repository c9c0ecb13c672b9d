"""The container image, built from the wheel and run against the test Synapse.

The engine is podman from Debian's packages and the base image is built from Debian's
packages (``scripts/container-base`` prepares both, installing them as root with
apt-get when missing; no image registry is needed). The image is built by
``scripts/build-image`` from a wheelhouse made on the host, then run as uid 1000 with
``/data`` a volume and ``/config/rooms.yaml`` mounted, until it answers « aide » to a
Matrix client. Then: its health check, the modes of the files in ``/data``, a restart
that keeps the device, and a backup of the data volume restored into a new container
that answers with the same device (``docs/operations.md``).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from cpts_bot.devtools.synapse import SynapseServer
from tests.integration.conftest import REPO, Users, rooms_yaml

pytestmark = pytest.mark.synapse
READY = "ready: logged in, synced, listening"
BASE_IMAGE = "localhost/cpts-base:bookworm"
# runc (crun fails on hybrid cgroups), rlimits the host allows, the host's network.
ENGINE_FLAGS = [
    "--runtime",
    "runc",
    "--ulimit",
    "nofile=1024:1024",
    "--ulimit",
    "nproc=1024:1024",
    "--network=host",
]


def _state_dir() -> Path:
    return Path(os.environ.get("CPTS_STATE_DIR", REPO / ".cpts"))


def podman(*arguments: str | Path, check: bool = True, timeout: float = 300) -> str:
    result = subprocess.run(
        ["podman", *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check:
        assert result.returncode == 0, (
            f"podman {' '.join(map(str, arguments))} failed:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def _engine_unavailable() -> str | None:
    """Prepare podman and the base tarball (scripts/container-base); why not, if not."""
    prepared = subprocess.run(
        [REPO / "scripts" / "container-base"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if prepared.returncode != 0:
        return f"scripts/container-base failed:\n{prepared.stderr[-2000:]}"
    if shutil.which("podman") is None:
        return prepared.stderr.strip() or "podman is not installed"
    info = subprocess.run(["podman", "info"], capture_output=True, text=True, check=False)
    if info.returncode != 0:
        return f"podman does not work here: {info.stderr.strip()[-500:]}"
    if not _base_tarball().exists():
        return prepared.stderr.strip() or f"no base image tarball at {_base_tarball()}"
    return None


def _base_tarball() -> Path:
    return _state_dir() / "container" / "cpts-base-bookworm.tar"


def _can_install() -> bool:
    """Root with apt-get (as on CI): podman must then be there, the test must run."""
    return bool(os.environ.get("CI")) or (os.geteuid() == 0 and shutil.which("apt-get") is not None)


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """The image built from the wheel on the Debian base; removed afterwards."""
    reason = _engine_unavailable()
    if reason is not None:
        if _can_install():
            pytest.fail(f"the container engine should be available here: {reason}")
        pytest.skip(f"no container engine (not root, or no apt-get): {reason}")
    # The base image is imported from the cached tarball, and removed after if it was not there.
    imported = (
        subprocess.run(["podman", "image", "exists", BASE_IMAGE], check=False).returncode != 0
    )
    if imported:
        podman("import", _base_tarball(), BASE_IMAGE)
    tag = f"localhost/cpts-bot-test:{secrets.token_hex(4)}"
    try:
        build = subprocess.run(
            [
                REPO / "scripts" / "build-image",
                tag,
                "--format",
                "docker",  # keeps the HEALTHCHECK (the OCI format has none)
                "--layers=false",  # no intermediate images left behind
                "--build-arg",
                f"BASE_IMAGE={BASE_IMAGE}",
                *ENGINE_FLAGS,
            ],
            env={**os.environ, "ENGINE": "podman", "PYTHON": sys.executable},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
        yield tag
    finally:
        podman("rmi", "-f", tag, *([BASE_IMAGE] if imported else []), check=False)


class Container:
    """One ``podman run -d`` of the image, with its data volume and rooms file."""

    def __init__(self, image: str, volume: str, folder: Path) -> None:
        self.name = f"cpts-bot-test-{secrets.token_hex(4)}"
        self.image, self.volume, self.folder = image, volume, folder

    def start(self) -> None:
        podman(
            "run",
            "-d",
            "--name",
            self.name,
            *ENGINE_FLAGS,
            "--health-interval=disable",  # run by hand below (no systemd timers here)
            "--env-file",
            self.folder / "bot.env",
            "-v",
            f"{self.volume}:/data",
            "-v",
            f"{self.folder / 'rooms.yaml'}:/config/rooms.yaml:ro",
            self.image,
        )

    def logs(self) -> str:
        result = subprocess.run(
            ["podman", "logs", self.name], capture_output=True, text=True, check=False
        )
        return result.stdout + result.stderr

    def wait_ready(self, count: int = 1, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while self.logs().count(READY) < count:
            state = podman("inspect", "--format", "{{.State.Status}}", self.name).strip()
            assert state == "running", f"container {state}:\n{self.logs()[-3000:]}"
            assert time.monotonic() < deadline, f"never ready:\n{self.logs()[-3000:]}"
            time.sleep(0.5)

    def exec(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["podman", "exec", self.name, *command],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def healthy(self) -> bool:
        """``podman healthcheck run``: the image's HEALTHCHECK, run now."""
        return (
            subprocess.run(["podman", "healthcheck", "run", self.name], check=False).returncode == 0
        )

    def status(self) -> str:
        status = self.exec("cpts-bot", "status")
        assert status.returncode == 0, status.stdout + status.stderr
        return status.stdout

    def device(self) -> str:
        status = self.exec("cpts-bot", "status")
        assert status.returncode == 0, status.stdout + status.stderr
        found = re.search(r"^device:\s+(\S+) \(", status.stdout, re.MULTILINE)
        assert found and found.group(1) != "?", status.stdout
        return found.group(1)

    def stop(self) -> int:
        podman("stop", "-t", "30", self.name, check=False)
        return int(podman("inspect", "--format", "{{.State.ExitCode}}", self.name).strip())

    def remove(self) -> None:
        podman("rm", "-f", self.name, check=False)


async def _answers_help(gp: object, room: str) -> None:
    reply = await gp.wait_reply(await gp.send(room, "aide"), timeout=60)  # type: ignore[attr-defined]
    assert reply.decrypted and "Voici ce que je sais faire" in reply.body


async def test_the_image_runs_answers_keeps_its_device_and_restores_from_backup(
    image: str, synapse: SynapseServer, users: Users, tmp_path: Path
) -> None:
    gp = await users.client("gp")
    bot_id, bot_password = users.create("bot")
    (tmp_path / "rooms.yaml").write_text(yaml.safe_dump(rooms_yaml([gp.user_id], [])), "utf-8")
    os.chmod(tmp_path / "rooms.yaml", 0o644)
    (tmp_path / "bot.env").write_text(
        f"CPTS_HOMESERVER={synapse.url}\nCPTS_USER_ID={bot_id}\nCPTS_PASSWORD={bot_password}\n",
        "utf-8",
    )
    volume, restored = (f"cpts-bot-test-{secrets.token_hex(4)}" for _ in range(2))
    first = Container(image, volume, tmp_path)
    second = Container(image, restored, tmp_path)
    try:
        first.start()
        first.wait_ready()
        assert first.exec("id", "-u").stdout.strip() == "1000"
        room = await gp.create_encrypted_room([bot_id])
        await gp.wait_joined(room, bot_id)
        await _answers_help(gp, room)

        # The image's health check is `cpts-bot status`, healthy once the bot has synced.
        config = podman("image", "inspect", "--format", "{{json .Config.Healthcheck}}", image)
        assert '"cpts-bot","status"' in config, config
        assert first.healthy()
        device = first.device()
        # The operator's view: the homeserver and its version, the token, the crypto stack.
        status = first.status()
        assert re.search(r"^homeserver: +http://\S+, Synapse", status, re.MULTILINE), status
        assert f"token:         accepted for {bot_id}" in status, status
        assert "throttling:    none in the last hour" in status, status
        assert re.search(r"^crypto: +matrix-nio [\d.]+, vodozemac [\d.]+", status, re.M), status

        # Everything in /data is the bot's only: folders 0700, files 0600, uid 1000.
        listing = first.exec("find", "/data", "-printf", "%m %U %p\\n").stdout.splitlines()
        assert any("cpts-bot.sqlite" in line for line in listing), listing
        for line in listing:
            mode, owner, _path = line.split(" ", 2)
            assert owner == "1000", line
            assert mode in ("700", "600"), line

        # A restart (SIGTERM, then the same volume) keeps the device.
        podman("restart", "-t", "30", first.name)
        first.wait_ready(count=2)
        assert first.device() == device
        await _answers_help(gp, room)
        assert first.stop() == 0

        # Backup of the data volume, restored into a new volume and a new container.
        backup = tmp_path / "backup.tar"
        podman("volume", "export", volume, "--output", backup)
        podman("volume", "create", restored)
        podman("volume", "import", restored, backup)
        second.start()
        second.wait_ready()
        assert second.device() == device
        await _answers_help(gp, room)
        assert second.stop() == 0
        assert "Traceback" not in first.logs() + second.logs()
    finally:
        for container in (first, second):
            container.remove()
        podman("volume", "rm", "-f", volume, restored, check=False)
