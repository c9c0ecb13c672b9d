"""The README's demo command and the terminal chat, end to end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.synapse
REPO = Path(__file__).resolve().parents[2]


def test_demo_plays_its_script_and_the_terminal_chat_talks_to_the_bot(synapse, tmp_path: Path):
    env = {**os.environ, "CPTS_SYNAPSE_PYTHON": str(synapse.python), "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "demo.log"
    demo = subprocess.Popen(
        [sys.executable, "-m", "cpts_bot", "demo", "--state-dir", str(tmp_path / "state")],
        env=env,
        cwd=REPO,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while "Ctrl-C stops the demo" not in log.read_text(errors="replace"):
            assert demo.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        transcript = log.read_text()
        assert "demo-gp > kiné à domicile bronchiolite lyon 8" in transcript
        assert "masseur-kinésithérapeute" in transcript
        assert "password:" in transcript
        chat = subprocess.run(
            [
                sys.executable,
                "-m",
                "cpts_bot",
                "chat",
                "--as",
                "demo-gp",
                "--state-dir",
                str(tmp_path / "state"),
            ],
            input="combien d'orthophonistes à Vénissieux ?\n",
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert chat.returncode == 0, chat.stderr
        assert "cpts-bot > 1 professionnel pour orthophoniste, Vénissieux" in chat.stdout
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(60)
