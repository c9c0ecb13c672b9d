"""The README's demo (./scripts/demo) with every scene, its terminal chat, and the CLI on
its data: one demo start for the whole module, over its own real Synapse."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cpts_bot.devtools.chat_session import ChatSession
from cpts_bot.devtools.terminal_chat import open_session

pytestmark = pytest.mark.synapse
REPO = Path(__file__).resolve().parents[2]
SCENES = ("tour", "swaps", "medecin-traitant", "alerts")
BANNER_END = "Ctrl-C stops the demo"
CLI = (sys.executable, "-m", "cpts_bot")


@dataclass
class RunningDemo:
    """``./scripts/demo`` run from a folder of its own (its ``.cpts`` is the state)."""

    folder: Path
    process: subprocess.Popen[bytes]
    output: Path
    env: dict[str, str]

    @property
    def state(self) -> Path:
        return self.folder / ".cpts"

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(60)


def demo_command(state: Path, *arguments: str) -> list[str]:
    return [str(REPO / "scripts" / "demo"), "--state-dir", str(state), *arguments]


@pytest.fixture(scope="module")
def demo(synapse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    folder = tmp_path_factory.mktemp("demo-clone")
    env = {**os.environ, "CPTS_SYNAPSE_PYTHON": str(synapse.python), "PYTHONUNBUFFERED": "1"}
    output = folder / "terminal.txt"
    scenes = [argument for scene in SCENES for argument in ("--scene", scene)]
    process = subprocess.Popen(
        demo_command(folder / ".cpts", *scenes),
        env=env,
        cwd=folder,
        stdout=output.open("wb"),
        stderr=subprocess.STDOUT,
    )
    running = RunningDemo(folder, process, output, env)
    deadline = time.monotonic() + 300
    while BANNER_END not in running.text():
        assert process.poll() is None, running.text()
        assert time.monotonic() < deadline, running.text()
        time.sleep(0.5)
    yield running
    running.stop()


def section(transcript: str, title: str) -> str:
    """The part of the transcript under the scene whose title starts with ``title``."""
    start = transcript.index(f"=== {title}")
    end = transcript.find("\n===", start + 1)
    return transcript[start : end if end != -1 else len(transcript)]


def test_the_terminal_shows_the_conversation_then_the_banner_and_no_log_line(demo) -> None:
    text = demo.text()
    assert "Traceback" not in text and "stopped:" not in text, text
    conversation = text[text.index("=== Scripted conversation") : text.index("=" * 78)]
    # No JSON log line anywhere on the terminal: they go to the log file.
    assert not [line for line in text.splitlines() if line.lstrip().startswith("{")], text
    assert_tour(conversation, dispatch=1)
    assert_scenes(conversation)
    banner = text[text.index("=" * 78) :]
    assert banner.rstrip().endswith("=" * 78), "nothing is printed after the banner"
    for user in ("demo-coord", "demo-gp", "demo-nurse", "demo-nurse2", "demo-pharma"):
        assert f"@{user}:localhost" in banner
    assert "password:" in banner and "cpts-bot chat --as demo-gp" in banner
    assert ".cpts/demo/bot.log" in banner and ".cpts/demo/bot-data" in banner
    log = (demo.state / "demo" / "bot.log").read_text()
    assert json.loads(log.splitlines()[0])["level"] in ("info", "warning")


def assert_tour(transcript: str, dispatch: int) -> None:
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
    assert f"cpts-bot > Déclenchement n°{dispatch} envoyé à" in taken[:nurse]
    broadcast, details = taken[nurse:told].split("demo-nurse (replying to it) > je prends")
    assert f"cpts-bot > Déclenchement n°{dispatch} — IDE — Lyon 8e" in broadcast
    assert "Lilas" not in broadcast
    assert f"cpts-bot > Le déclenchement n°{dispatch} est pour vous" in details
    assert "3 rue des Lilas, 06 12 34 56 78" in details
    assert f"cpts-bot > Déclenchement n°{dispatch} pris par Julie MOREAU" in taken[told:]
    alert = section(transcript, "3.")
    assert "demo-coord > oui" in alert and "confirmée" in alert
    posted = alert.split("[demo-nurse sees, room « Alertes »]")[1]
    assert "cpts-bot > 🟠 Alerte importante — Épisode de canicule" in posted
    # The hand-off quotes what the GP typed, then the question just before.
    handoff = section(transcript, "4.")
    passed_on = handoff.split("[demo-coord sees, room « Coordination »]")[1]
    assert "par Dr Claire MARTIN (médecin)" in passed_on
    quoted = passed_on.index("« je veux parler à la coordination »")
    assert passed_on.index("Sa question juste avant : « ortho bilan langage") > quoted


def assert_scenes(transcript: str) -> None:
    swaps = section(transcript, "Swaps")
    assert "cpts-bot > Remplacement n°1 — Julie MOREAU cherche quelqu'un" in swaps
    assert "demo-nurse2 (replying to it) > je prends" in swaps
    assert "Karim LAURENT (IDE) — 06 78 00 01 12 prend votre garde" in swaps
    mt = section(transcript, "Médecin traitant")
    assert "cpts-bot > Demande médecin traitant n°1 enregistrée" in mt
    assert "[demo-gp sees, direct chat with the bot]" in mt.split("demo-pharma >")[1]
    assert "Adressé par : Pierre ROUSSEAU (pharmacien)" in mt
    assert "Dr Claire MARTIN (médecin) — 04 78 00 00 11 accepte" in mt
    alerts = section(transcript, "Alerts")
    assert "🔴 ALERTE URGENTE — Rupture d'amoxicilline" in alerts
    assert "demo-nurse (reacting to it) > 👍" in alerts
    assert "demo-physio (replying to it) > plus tard" in alerts
    read = alerts.split("demo-coord > qui a lu l'alerte")[1]
    assert "Julie MOREAU" in read.split("⏳")[0], read


class Screen:
    """What a terminal chat printed, awaited line by line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.since = 0  # what was printed before is not looked at

    def __call__(self, text: str) -> None:
        self.lines.extend(text.splitlines())

    async def wait(
        self, pattern: str, after: int | None = None, timeout: float = 60
    ) -> re.Match[str]:
        async with asyncio.timeout(timeout):
            while True:
                for line in self.lines[self.since if after is None else after :]:
                    if found := re.search(pattern, line):
                        return found
                await asyncio.sleep(0.1)


async def known_to_the_bot(session: ChatSession, screen: Screen) -> None:
    """A round trip with the bot: its answer, readable here, shows it knows this new
    device (a message sent before it learnt of it could not be read here)."""
    for _attempt in range(3):
        mark = len(screen.lines)
        await session.handle("aide")
        try:
            await screen.wait(r"^\[\d+\] direct chat · cpts-bot ", mark, timeout=20)
            return
        except TimeoutError:
            continue
    raise AssertionError("the bot never answered this device readably")


@pytest.fixture
async def chats(demo) -> AsyncIterator[dict[str, tuple[ChatSession, Screen]]]:
    opened: dict[str, tuple[ChatSession, Screen]] = {}
    for who in ("demo-coord", "demo-nurse", "demo-nurse2", "demo-gp"):
        screen = Screen()
        opened[who] = (await open_session(demo.state / "demo", who, screen), screen)
    for session, screen in opened.values():
        await known_to_the_bot(session, screen)
        screen.since = len(screen.lines)
    yield opened
    for session, _screen in opened.values():
        await session.user.stop()


async def test_the_terminal_chat_shows_every_message_and_answers_by_number(chats, tmp_path):
    (coord, coord_screen), (_nurse, nurse_screen) = chats["demo-coord"], chats["demo-nurse"]
    nurse2, nurse2_screen = chats["demo-nurse2"]
    await coord.handle("déclenchement IDE domicile Lyon 8 demain 20h pansement, patient d'accord")
    # Both nurses get the offer, numbered; the second takes it by its number.
    offer = await nurse2_screen.wait(r"^\[(\d+)\] direct chat · cpts-bot > Déclenchement n°(\d+)")
    number, dispatch = offer.group(1), offer.group(2)
    await nurse_screen.wait(rf"^\[(\d+)\] direct chat · cpts-bot > Déclenchement n°{dispatch} ")
    await nurse2.handle(f"/r {number} je prends")
    await nurse2_screen.wait(
        rf"^\[\d+\] direct chat · cpts-bot .*> Le déclenchement n°{dispatch} est pour vous"
    )
    await coord_screen.wait(rf"cpts-bot .*> Déclenchement n°{dispatch} pris par Karim LAURENT")
    # The other nurse's offer is edited: shown as the edit of its number.
    await nurse_screen.wait(r"^\[\d+\] direct chat · cpts-bot edits \[\d+\] > ")
    # An alert in the Alertes room, acknowledged with « /👍 N »; the coordinator sees who.
    await coord.handle("alerte info: Vaccination grippe : stocks livrés | pour: tous")
    await coord.handle("oui")
    alert = await nurse2_screen.wait(r"^\[(\d+)\] Alertes · cpts-bot > .*Vaccination grippe")
    await nurse2.handle(f"/👍 {alert.group(1)}")
    await nurse2_screen.wait(rf"\(reacted 👍 to \[{alert.group(1)}\]\)")
    alert_number = (await coord_screen.wait(r"Alerte n° (\d+) confirmée")).group(1)
    await asyncio.sleep(2)
    await coord.handle(f"qui a lu l'alerte {alert_number} ?")
    await coord_screen.wait(r"Karim LAURENT")
    # A file received shows its name; a file sent, after switching room, reaches the room.
    await nurse2.handle("mes gardes calendrier")
    await nurse2_screen.wait(r"^\[\d+\] direct chat · cpts-bot sends a file > 📎 « .*\.ics »")
    await nurse2.handle("/room Alertes")
    notes = tmp_path / "consignes.txt"
    notes.write_text("consignes canicule", "utf-8")
    await nurse2.handle(f"/file {notes}")
    await coord_screen.wait(r"^\[\d+\] Alertes · demo-nurse2 sends a file > 📎 « consignes\.txt »")
    # The GP's hand-off reaches the Coordination room; the answer, by number, reaches them.
    gp, gp_screen = chats["demo-gp"]
    await gp.handle("je veux parler à la coordination pour un patient isolé")
    post = await coord_screen.wait(r"^\[(\d+)\] Coordination · cpts-bot > 🙋 Demande n° \d+")
    await coord.handle(f"/r {post.group(1)} Appelez le CCAS au 04 78 00 00 00")
    await gp_screen.wait(r"Réponse de la coordination : Appelez le CCAS au 04 78 00 00 00")
    await nurse2.handle("/r 999 non")
    await nurse2_screen.wait(r"\(no message \[999\]")
    for _session, screen in chats.values():
        assert not any("no answer within" in line for line in screen.lines)


def test_chat_as_a_subprocess_and_the_cli_on_the_demo_data(demo) -> None:
    chat = subprocess.run(
        [*CLI, "chat", "--as", "demo-gp"],
        input="combien d'orthophonistes à Vénissieux ?\n",
        env=demo.env,
        cwd=demo.folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert chat.returncode == 0, chat.stderr
    assert re.search(
        r"\[\d+\] direct chat · cpts-bot answering your « combien d.orthophonistes[^»]*» > 1 professionnel pour orthophoniste",
        chat.stdout,
    )
    status = subprocess.run(
        [*CLI, "status", "--demo"], env=demo.env, cwd=demo.folder, capture_output=True, text=True
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert "@cpts-bot:localhost" in status.stdout
    month = time.strftime("%Y-%m")
    export = subprocess.run(
        [*CLI, "--demo", "export", "requests", "--month", month, "--out", "requests.csv"],
        env=demo.env,
        cwd=demo.folder,
        capture_output=True,
        text=True,
    )
    assert export.returncode == 0, export.stdout + export.stderr
    assert ";handoff;" in (demo.folder / "requests.csv").read_text("utf-8")
    elsewhere = subprocess.run(
        [*CLI, "status", "--demo"], env=demo.env, cwd=REPO / "docs", capture_output=True, text=True
    )
    assert elsewhere.returncode == 2 and "./scripts/demo" in elsewhere.stderr


def test_played_again_on_the_same_state(demo) -> None:
    """Users, rooms and devices are reused; each scene plays again."""
    demo.stop()
    again = subprocess.run(
        demo_command(demo.state, "--no-wait", "--scene", "tour", "--scene", "swaps"),
        env=demo.env,
        cwd=demo.folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = again.stdout + again.stderr
    assert again.returncode == 0, output
    assert "Traceback" not in output, output
    dispatch = int(re.search(r"Déclenchement n°(\d+) envoyé", output).group(1))  # type: ignore[union-attr]
    assert dispatch > 1
    assert_tour(output, dispatch)
    assert "prend votre garde" in section(output, "Swaps")
