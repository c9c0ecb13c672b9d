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
        assert "Traceback" not in transcript, transcript
        assert_transcript_shows_every_part(transcript, dispatch=1)
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
    # Played again on the same state: users, rooms and devices are reused.
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "cpts_bot",
            "demo",
            "--no-wait",
            "--state-dir",
            str(tmp_path / "state"),
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Traceback" not in again.stdout + again.stderr, again.stdout + again.stderr
    assert_transcript_shows_every_part(again.stdout, dispatch=2)


def section(transcript: str, title: str) -> str:
    """The part of the transcript under the scene whose title starts with ``title``."""
    start = transcript.index(f"=== {title}")
    end = transcript.find("\n===", start + 1)
    return transcript[start : end if end != -1 else len(transcript)]


def assert_transcript_shows_every_part(transcript: str, dispatch: int) -> None:
    """The directory, the dispatch, the alert and the hand-off, each as its user sees it."""
    directory = section(transcript, "1.")
    assert "[demo-gp sees, direct chat with the bot]" in directory
    assert "demo-gp > kiné à domicile bronchiolite lyon 8" in directory
    assert "masseurs-kinésithérapeutes" in directory
    # The nurse receives the request (without the patient), takes it, gets the details;
    # the coordinator is told who took it.
    taken = section(transcript, "2.")
    nurse = taken.index("[demo-nurse sees, direct chat with the bot]")
    told = taken.index("[demo-coord sees, direct chat with the bot]", nurse)
    assert f"cpts-bot > Déclenchement n°{dispatch} envoyé à 1 professionnel" in taken[:nurse]
    broadcast, details = taken[nurse:told].split("demo-nurse (replying to it) > je prends")
    assert f"cpts-bot > Déclenchement n°{dispatch} — IDE — Lyon 8e" in broadcast
    assert "Lilas" not in broadcast
    assert f"cpts-bot > Le déclenchement n°{dispatch} est pour vous" in details
    assert "3 rue des Lilas, 06 12 34 56 78" in details
    assert f"cpts-bot > Déclenchement n°{dispatch} pris par Julie MOREAU" in taken[told:]
    # The alert is confirmed, then posted in the Alertes room, seen by the nurse.
    alert = section(transcript, "3.")
    assert "demo-coord > oui" in alert and "confirmée" in alert
    posted = alert.split("[demo-nurse sees, room « Alertes »]")[1]
    assert "cpts-bot > 🟠 Alerte importante — Épisode de canicule" in posted
    # The hand-off reaches the coordination room.
    handoff = section(transcript, "4.")
    passed_on = handoff.split("[demo-coord sees, room « Coordination »]")[1]
    assert "par @demo-gp:localhost" in passed_on
