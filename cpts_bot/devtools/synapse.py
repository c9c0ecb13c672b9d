"""A real Synapse homeserver on 127.0.0.1 for the demo and the integration tests.

Synapse is installed from PyPI into its own virtual environment (its pins must not
constrain the bot's), configured for a closed machine (no key servers, loopback only,
registration through the shared-secret admin API) and started as a child process.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

SYNAPSE_REQUIREMENT = "matrix-synapse==1.163.2"
# Synapse's PostgreSQL driver (for a benchmark on Synapse's production database); the
# binary wheel needs no compiler nor libpq headers.
POSTGRES_DRIVER = "psycopg2-binary==2.9.13"
SERVER_NAME = "localhost"

RATE_LIMITS = {
    name: {"per_second": 1000, "burst_count": 1000}
    for name in (
        "rc_message",
        "rc_registration",
        "rc_joins_per_room",
        "rc_3pid_validation",
        "rc_invites_per_issuer",
        "rc_key_requests",
        "rc_presence",
        "rc_room_creation",
    )
}


def synapse_python(state_dir: Path) -> Path:
    """Create (once) the virtual environment holding Synapse; return its python."""
    venv = state_dir / "synapse-venv"
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if marker.exists() and marker.read_text() == SYNAPSE_REQUIREMENT:
        return python
    log.info("installing %s into its own virtual environment", SYNAPSE_REQUIREMENT)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # pip's chatter stays out of the demo's transcript; it is shown if the install fails.
    installed = _pip_install(python, SYNAPSE_REQUIREMENT)
    if installed.returncode != 0:
        raise RuntimeError(
            f"installing {SYNAPSE_REQUIREMENT} failed:\n{installed.stdout}{installed.stderr}"
        )
    marker.write_text(SYNAPSE_REQUIREMENT)
    return python


def install_postgres_driver(python: Path) -> None:
    """Install psycopg2 into Synapse's virtual environment (once)."""
    check = subprocess.run([str(python), "-c", "import psycopg2"], capture_output=True)
    if check.returncode == 0:
        return
    _pip_install(python, POSTGRES_DRIVER).check_returncode()


def _pip_install(python: Path, requirement: str) -> subprocess.CompletedProcess[str]:
    """Install ``requirement`` with ``python``'s pip, quietly; the output is kept."""
    return subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            requirement,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SynapseServer:
    """A configured Synapse in ``directory``; :meth:`start` / :meth:`stop` it."""

    python: Path
    directory: Path
    port: int
    shared_secret: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_name(self) -> str:
        return SERVER_NAME

    @classmethod
    def configure(
        cls,
        python: Path,
        directory: Path,
        port: int | None = None,
        database: dict[str, object] | None = None,
        request_log: bool = False,
        default_rate_limits: bool = False,
    ) -> SynapseServer:
        """Generate the configuration once in ``directory`` (kept across restarts).

        ``database`` is Synapse's ``database`` section (default: SQLite in ``directory``);
        ``request_log`` logs each request with its time and CPU (``synapse.access``);
        ``default_rate_limits`` keeps Synapse's own limits on messages, rooms, invitations
        and joins (as a homeserver whose admin lifted nothing), lifting only login and
        registration, which the test clients need.
        """
        directory.mkdir(parents=True, exist_ok=True)
        config_path = directory / "homeserver.yaml"
        if config_path.exists():
            config = yaml.safe_load(config_path.read_text())
            listener = config["listeners"][0]
            if port is not None and listener["port"] != port:
                listener["port"] = port
                config_path.write_text(yaml.safe_dump(config))
            return cls(python, directory, listener["port"], config["registration_shared_secret"])
        subprocess.run(
            [
                str(python),
                "-m",
                "synapse.app.homeserver",
                "--server-name",
                SERVER_NAME,
                "--config-path",
                str(config_path),
                "--data-directory",
                str(directory),
                "--generate-config",
                "--report-stats=no",
            ],
            check=True,
            cwd=directory,
            capture_output=True,
        )
        config = yaml.safe_load(config_path.read_text())
        port = port or free_port()
        shared_secret = secrets.token_hex(16)
        config.update(
            {
                "listeners": [
                    {
                        "port": port,
                        "bind_addresses": ["127.0.0.1"],
                        "type": "http",
                        "tls": False,
                        "x_forwarded": False,
                        "resources": [{"names": ["client"], "compress": False}],
                    }
                ],
                "database": database
                or {
                    "name": "sqlite3",
                    "args": {"database": str(directory / "homeserver.db")},
                },
                "registration_shared_secret": shared_secret,
                "enable_registration": False,
                "trusted_key_servers": [],
                "suppress_key_server_warning": True,
                "report_stats": False,
                "presence": {"enabled": False},
                "url_preview_enabled": False,
                "rc_login": {
                    "address": {"per_second": 1000, "burst_count": 1000},
                    "account": {"per_second": 1000, "burst_count": 1000},
                    "failed_attempts": {"per_second": 1000, "burst_count": 1000},
                },
                "rc_joins": {
                    "local": {"per_second": 1000, "burst_count": 1000},
                    "remote": {"per_second": 1000, "burst_count": 1000},
                },
                "rc_invites": {
                    "per_room": {"per_second": 1000, "burst_count": 1000},
                    "per_user": {"per_second": 1000, "burst_count": 1000},
                    "per_issuer": {"per_second": 1000, "burst_count": 1000},
                },
                **RATE_LIMITS,
            }
        )
        log_config = directory / f"{SERVER_NAME}.log.config"
        log_config.write_text(
            yaml.safe_dump(
                {
                    "version": 1,
                    "formatters": {
                        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
                    },
                    "handlers": {
                        "file": {
                            "class": "logging.FileHandler",
                            "formatter": "plain",
                            "filename": str(directory / "homeserver.log"),
                        }
                    },
                    "root": {"level": "WARNING", "handlers": ["file"]},
                    "loggers": {"synapse.access": {"level": "INFO"}} if request_log else {},
                    "disable_existing_loggers": False,
                }
            )
        )
        config["log_config"] = str(log_config)
        if default_rate_limits:
            for name in [*RATE_LIMITS, "rc_joins", "rc_invites"]:
                if name != "rc_registration":
                    config.pop(name, None)
        config_path.write_text(yaml.safe_dump(config))
        return cls(python, directory, port, shared_secret)

    def start(self, timeout: float = 60.0) -> None:
        """Start Synapse and wait until it answers ``/_matrix/client/versions``."""
        if self.process is not None and self.process.poll() is None:
            return
        output = (self.directory / "stdout.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(self.python),
                "-m",
                "synapse.app.homeserver",
                "-c",
                str(self.directory / "homeserver.yaml"),
            ],
            cwd=self.directory,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Synapse exited with code {self.process.returncode}; "
                    f"see {self.directory / 'homeserver.log'}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/_matrix/client/versions", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Synapse did not answer on {self.url} within {timeout:.0f} s")

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the Synapse this object started (by its process id, never by name)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Register a user through the shared-secret admin API; return the Matrix ID.

        Registering an existing user is not an error (the demo is re-runnable).
        """
        try:
            return str(self._register_request(localpart, password, admin, timeout=30)["user_id"])
        except urllib.error.HTTPError as error:
            payload = json.loads(error.read() or b"{}")
            if payload.get("errcode") == "M_USER_IN_USE":
                return f"@{localpart}:{SERVER_NAME}"
            raise RuntimeError(f"registering {localpart} failed: {payload}") from error

    def register_with_login(
        self, localpart: str, password: str, admin: bool = False
    ) -> tuple[str, str, str]:
        """Register a new user and keep the login the registration opens.

        Returns (Matrix ID, device ID, access token): a client can restore that login
        instead of logging in again.
        """
        answer = self._register_request(localpart, password, admin, timeout=60)
        return str(answer["user_id"]), str(answer["device_id"]), str(answer["access_token"])

    def _register_request(
        self, localpart: str, password: str, admin: bool, timeout: float
    ) -> dict[str, object]:
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        with urllib.request.urlopen(endpoint, timeout=10) as response:
            nonce = json.load(response)["nonce"]
        mac = _registration_mac(self.shared_secret, nonce, localpart, password, admin)
        body = json.dumps(
            {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac,
            }
        ).encode()
        request = urllib.request.Request(
            endpoint, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, object] = json.load(response)
        return answer


def _registration_mac(secret: str, nonce: str, user: str, password: str, admin: bool) -> str:
    """HMAC-SHA1 of ``nonce\\0user\\0password\\0admin|notadmin`` (Synapse's admin API)."""
    mac = hmac.new(secret.encode(), digestmod=hashlib.sha1)
    mac.update(nonce.encode())
    mac.update(b"\x00")
    mac.update(user.encode())
    mac.update(b"\x00")
    mac.update(password.encode())
    mac.update(b"\x00")
    mac.update(b"admin" if admin else b"notadmin")
    return mac.hexdigest()
