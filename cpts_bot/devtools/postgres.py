"""A throw-away PostgreSQL cluster for a benchmark's homeserver (Synapse's production
database), listening on a Unix socket in its own directory only (no TCP port).

``initdb`` and ``postgres`` are found on PATH (or in ``CPTS_POSTGRES_BIN``); when run as
root, the server runs as the ``postgres`` system user (PostgreSQL refuses root). The
cluster is created with the C locale and UTF-8, as Synapse requires.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DATABASE = "synapse"
SYSTEM_USER = "postgres"


def _binary(name: str) -> str:
    folder = os.environ.get("CPTS_POSTGRES_BIN")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not Path(found).exists():
        raise RuntimeError(f"PostgreSQL's {name} is not installed (set CPTS_POSTGRES_BIN)")
    return found


def _as_owner(command: list[str]) -> list[str]:
    """Run ``command`` as the cluster's owner: the postgres user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SYSTEM_USER, "--", *command]
    return command


@dataclass
class PostgresCluster:
    """``start()`` creates and starts the cluster; ``stop()`` stops it and deletes it."""

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="cpts-pg-")))
    settings: dict[str, str] = field(default_factory=dict)  # postgres -c name=value
    process: subprocess.Popen[bytes] | None = None

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def user(self) -> str:
        return SYSTEM_USER if os.geteuid() == 0 else os.environ.get("USER", "postgres")

    def synapse_database(self) -> dict[str, object]:
        """The ``database`` section of Synapse's configuration for this cluster."""
        return {
            "name": "psycopg2",
            "args": {
                "host": str(self.directory),
                "user": self.user,
                "database": DATABASE,
                "cp_min": 5,
                "cp_max": 10,
            },
        }

    def start(self, timeout: float = 60.0) -> None:
        self._initdb()
        log = (self.directory / "postgres.log").open("ab")
        self.process = subprocess.Popen(
            _as_owner(
                [
                    _binary("postgres"),
                    "-D",
                    str(self.data),
                    "-k",
                    str(self.directory),
                    "-c",
                    "listen_addresses=",
                    *(
                        option
                        for name, value in self.settings.items()
                        for option in ("-c", f"{name}={value}")
                    ),
                ]
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        socket = self.directory / ".s.PGSQL.5432"
        deadline = time.monotonic() + timeout
        while not socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("PostgreSQL did not start; see postgres.log")
            time.sleep(0.1)

    def _initdb(self) -> None:
        """Create the cluster's files (owned by the postgres user when we are root)."""
        if os.geteuid() == 0:
            shutil.chown(self.directory, SYSTEM_USER)
        subprocess.run(
            _as_owner(
                [
                    _binary("initdb"),
                    "-D",
                    str(self.data),
                    "--locale=C",
                    "--encoding=UTF8",
                    "--auth=trust",
                    "-U",
                    self.user,
                ]
            ),
            check=True,
            capture_output=True,
        )

    def create_database(self, python: Path) -> None:
        """Create Synapse's database with ``python`` (one with psycopg2: Synapse's)."""
        script = (
            "import sys, time, psycopg2\n"
            "for attempt in range(50):\n"
            "    try:\n"
            "        c = psycopg2.connect(host=sys.argv[1], user=sys.argv[2], dbname='postgres')\n"
            "        break\n"
            "    except psycopg2.OperationalError:\n"
            "        time.sleep(0.2)\n"
            "c.autocommit = True\n"
            "c.cursor().execute(f'CREATE DATABASE {sys.argv[3]}')\n"
        )
        subprocess.run(
            [str(python), "-c", script, str(self.directory), self.user, DATABASE],
            check=True,
            capture_output=True,
        )

    def log(self) -> str:
        """What the server has written to its log so far."""
        path = self.directory / "postgres.log"
        return path.read_text("utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the server this object started (by its process group) and delete the data."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # "fast" shutdown
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)
