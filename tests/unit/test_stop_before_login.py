"""`cpts-bot run` stops on SIGTERM even while the homeserver cannot be reached: matrix-nio
retries the login for ever, and a service manager must still be able to stop the bot."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROOMS = """\
territory:
  name: CPTS Exemple
  communes:
    - insee: "69388"
      name: Lyon 8e Arrondissement
coordinators: ["@coord:example.org"]
"""


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(path: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in path.read_text("utf-8", errors="replace"):
        assert process.poll() is None, path.read_text("utf-8", errors="replace")
        assert time.monotonic() < deadline, f"never logged {text!r}"
        time.sleep(0.1)


def test_sigterm_while_the_homeserver_is_unreachable_stops_the_bot(tmp_path: Path) -> None:
    (tmp_path / "rooms.yaml").write_text(ROOMS, "utf-8")
    (tmp_path / ".env").write_text(
        f"CPTS_HOMESERVER=http://127.0.0.1:{closed_port()}\n"
        "CPTS_USER_ID=@cpts-bot:example.org\nCPTS_PASSWORD=secret\n"
        f"CPTS_DATA_DIR={tmp_path / 'data'}\n",
        "utf-8",
    )
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cpts_bot",
                "--env-file",
                str(tmp_path / ".env"),
                "--rooms-file",
                str(tmp_path / "rooms.yaml"),
                "run",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
            cwd=tmp_path,
        )
    try:
        # The login is being retried: the homeserver refuses connections.
        wait_for(log, "sleeping for", process, timeout=60)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log.read_text("utf-8", errors="replace")
    assert code == 0, text[-2000:]
    assert "stop asked before the bot could log in" in text
    assert "Traceback" not in text
    assert "Unclosed client session" not in text
