"""Set-up shared by the benchmarks that run against a real Synapse.

A homeserver on 127.0.0.1, users with random names, cpts-bot (or the echo bot) as a
separate process started and waited for, its rooms.yaml and imports, the admin API's
rate-limit override, and the summary figures of a series.
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bench.bench_report import percentile
from cpts_bot.devtools.matrix_user import ENCRYPTION_STATE
from cpts_bot.devtools.synapse import SynapseServer, synapse_python

ROOT = Path(__file__).resolve().parents[1]
BOT_READY = "ready: logged in"
__all__ = [
    "BOT_READY",
    "ENCRYPTION_STATE",
    "ROOT",
    "BotRun",
    "exempt_from_rate_limits",
    "median_p95",
    "new_password",
    "new_user",
    "sample_rooms_config",
    "start_process",
    "start_synapse",
    "stop_processes",
    "write_rooms_file",
]


def homeserver_python() -> Path:
    """The Python of ``CPTS_SYNAPSE_PYTHON`` when set (an installed Synapse), else the
    one of the project's state directory (``CPTS_STATE_DIR``, default ``.cpts``)."""
    state = Path(os.environ.get("CPTS_STATE_DIR", ROOT / ".cpts"))
    return (
        Path(os.environ["CPTS_SYNAPSE_PYTHON"])
        if os.environ.get("CPTS_SYNAPSE_PYTHON")
        else synapse_python(state)
    )


def start_synapse(
    work: Path, database: dict[str, object] | None = None, request_log: bool = False
) -> SynapseServer:
    """Configure and start a Synapse under ``work/synapse`` (on SQLite unless
    ``database``, Synapse's ``database`` section, says otherwise; ``request_log``: each
    request's time and CPU in its homeserver.log)."""
    synapse = SynapseServer.configure(
        homeserver_python(), work / "synapse", database=database, request_log=request_log
    )
    synapse.start()
    return synapse


def new_password() -> str:
    """A random password for a throw-away user."""
    return secrets.token_urlsafe(10)


def new_user(synapse: SynapseServer, prefix: str, hex_bytes: int = 3) -> tuple[str, str]:
    """Register ``prefix-<random hex>`` with a random password: (Matrix ID, password)."""
    password = new_password()
    return synapse.register(f"{prefix}-{secrets.token_hex(hex_bytes)}", password), password


def exempt_from_rate_limits(synapse: SynapseServer, admin_token: str, user_id: str) -> None:
    """What an operator does for the bot (docs/dispatch.md): Synapse allows a user 10 new
    rooms, then one a minute (rc_room_creation), which a first fan-out to 100 exceeds."""
    request = urllib.request.Request(
        f"{synapse.url}/_synapse/admin/v1/users/{user_id}/override_ratelimit",
        data=json.dumps({"messages_per_second": 0, "burst_count": 0}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {admin_token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30):
        pass


def start_process(
    command: list[str], env: dict[str, str], log: Path, ready: str, timeout: float = 60
) -> subprocess.Popen[bytes]:
    """Start ``command`` with its output appended to ``log``; return once ``ready`` is in it."""
    handle = log.open("ab")
    process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + timeout
    while ready not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{command} did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    return process


def stop_processes(processes: Iterable[subprocess.Popen[bytes]]) -> None:
    """Terminate each process and wait for it."""
    for process in processes:
        process.terminate()
        process.wait(30)


def write_rooms_file(path: Path, config: dict[str, Any]) -> Path:
    """Write a rooms.yaml for the bot."""
    path.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return path


def sample_rooms_config() -> dict[str, Any]:
    """The project's rooms.yaml (the sample territory), to adapt."""
    config: dict[str, Any] = yaml.safe_load((ROOT / "rooms.yaml").read_text("utf-8"))
    return config


class BotRun:
    """cpts-bot as a separate process: its environment, CLI imports and start."""

    def __init__(
        self, homeserver: str, user_id: str, password: str, data_dir: Path, rooms_file: Path
    ) -> None:
        self.user_id = user_id
        self.rooms_file = rooms_file
        self.env = {
            **os.environ,
            "CPTS_HOMESERVER": homeserver,
            "CPTS_USER_ID": user_id,
            "CPTS_PASSWORD": password,
            "CPTS_DATA_DIR": str(data_dir),
        }

    def cli(self, *arguments: str) -> list[str]:
        """The command line of ``python -m cpts_bot`` with this bot's rooms file."""
        return [sys.executable, "-m", "cpts_bot", "--rooms-file", str(self.rooms_file), *arguments]

    def run_cli(self, *arguments: str) -> None:
        """Run a CLI command of the bot (an import) to completion; fail if it fails."""
        subprocess.run(
            self.cli(*arguments), env=self.env, check=True, capture_output=True, cwd=ROOT
        )

    def import_sample(self) -> None:
        """Import the sample RPPS extract and the sample directory."""
        sample = ROOT / "cpts_bot" / "sample"
        self.run_cli("import", "rpps", str(sample / "rpps_sample.txt"), "--no-progress")
        self.run_cli("import", "directory", str(sample / "directory.csv"))

    def start(self, log: Path, timeout: float = 60) -> subprocess.Popen[bytes]:
        """Start ``run``; return once the bot has logged in."""
        return start_process(self.cli("run"), self.env, log, BOT_READY, timeout)


def median_p95(values: list[float], digits: int) -> str:
    """``median | p95`` of ``values`` for a table row, with ``digits`` decimals."""
    return f"{statistics.median(values):.{digits}f} | {percentile(values, 0.95):.{digits}f}"
