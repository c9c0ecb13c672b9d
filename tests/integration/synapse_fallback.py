"""A throw-away Synapse for the cross-signing tests while no shared harness exists.

Set ``CPTS_SYNAPSE_PYTHON`` to the Python of a virtual environment where matrix-synapse
is installed; without it the tests that need a homeserver are skipped.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

RATE = {"per_second": 1000, "burst_count": 1000}


@dataclass
class Homeserver:
    url: str
    server_name: str

    def register(self, localpart: str | None = None, password: str = "test-password"
                 ) -> tuple[str, str]:
        """A new user (open registration); returns (user id, password)."""
        localpart = localpart or "u" + secrets.token_hex(5)
        body = {"username": localpart, "password": password,
                "auth": {"type": "m.login.dummy"}, "inhibit_login": True}
        request = urllib.request.Request(
            self.url + "/_matrix/client/v3/register", json.dumps(body).encode(),
            {"Content-Type": "application/json"}, method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            user_id = json.loads(response.read())["user_id"]
        return user_id, password


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_synapse(python: str, workdir: Path) -> Iterator[Homeserver]:
    port = _free_port()
    config = workdir / "homeserver.yaml"
    subprocess.run(
        [python, "-m", "synapse.app.homeserver", "--server-name", "localhost",
         "--config-path", str(config), "--data-directory", str(workdir),
         "--generate-config", "--report-stats=no"],
        check=True, cwd=workdir, capture_output=True,
    )
    data = yaml.safe_load(config.read_text())
    data.update({
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http",
                       "tls": False, "x_forwarded": False,
                       "resources": [{"names": ["client"], "compress": False}]}],
        "enable_registration": True,
        "enable_registration_without_verification": True,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "report_stats": False,
        "rc_message": RATE, "rc_registration": RATE, "rc_joins": {"local": RATE, "remote": RATE},
        "rc_invites": {"per_room": RATE, "per_user": RATE, "per_issuer": RATE},
        "rc_login": {"address": RATE, "account": RATE, "failed_attempts": RATE},
        "rc_key_requests": RATE,
        "rc_3pid_validation": RATE,
        "rc_admin_redaction": RATE,
    })
    config.write_text(yaml.safe_dump(data))
    log = (workdir / "synapse.out").open("wb")
    process = subprocess.Popen(
        [python, "-m", "synapse.app.homeserver", "-c", str(config)],
        cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_matrix/client/versions", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Synapse did not start; see synapse.out") from None
                time.sleep(0.3)
        yield Homeserver(url, "localhost")
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
