"""Helpers of the backlog fault test: send many messages, read a room's whole history
(independently of sync, which returns only the latest events), match answers to
questions through their reply relation."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nio import MegolmEvent, MessageDirection, RoomMessagesResponse

from cpts_bot.devtools.matrix_user import MatrixUser

REPO = Path(__file__).resolve().parents[2]


async def send_many(
    senders: list[MatrixUser], room_id: str, count: int, content: dict[str, Any] | None = None
) -> list[str]:
    """Send ``count`` « aide » into ``room_id``, the senders taking turns; the event ids
    in sending order."""
    sent = []
    for index in range(count):
        sender = senders[index % len(senders)]
        sent.append(await sender.send(room_id, "aide", extra=content))
    return sent


@dataclass
class Answer:
    event_id: str
    reply_to: str | None
    decrypted: bool


async def room_history(reader: MatrixUser, room_id: str, sender: str) -> list[Answer]:
    """Every message ``sender`` posted in ``room_id``, oldest first, read with ``/messages``
    from the reader's latest sync position back to the room's creation."""
    client = reader.client
    assert client is not None
    start: str | None = client.next_batch
    newest_first: list[Answer] = []
    while start:
        page = await client.room_messages(
            room_id, start=start, direction=MessageDirection.back, limit=100
        )
        assert isinstance(page, RoomMessagesResponse), page
        for event in page.chunk:
            if getattr(event, "sender", None) != sender:
                continue
            source = event.source if not isinstance(event, MegolmEvent) else {}
            relates = (source.get("content") or {}).get("m.relates_to") or {}
            reply_to = (relates.get("m.in_reply_to") or {}).get("event_id")
            newest_first.append(
                Answer(event.event_id, reply_to, not isinstance(event, MegolmEvent))
            )
        if not page.chunk or page.end == start:
            break
        start = page.end
    return newest_first[::-1]


async def wait_answers(
    reader: MatrixUser, room_id: str, bot: str, questions: list[str], timeout: float
) -> list[Answer]:
    """The bot's answers to ``questions`` once every question has at least one (or the
    timeout has passed), then read again a few seconds later so that late duplicates
    would show."""
    wanted = set(questions)
    deadline = time.monotonic() + timeout
    while True:
        answers = await room_history(reader, room_id, bot)
        answered = {answer.reply_to for answer in answers} & wanted
        if len(answered) == len(wanted) or time.monotonic() > deadline:
            break
        await asyncio.sleep(3)
    await asyncio.sleep(5)
    return [a for a in await room_history(reader, room_id, bot) if a.reply_to in wanted]


def answer_report(questions: list[str], answers: list[Answer]) -> dict[str, int]:
    """How many questions got no answer, one, or more than one."""
    counts = Counter(answer.reply_to for answer in answers)
    per_question = [counts.get(question, 0) for question in questions]
    return {
        "questions": len(questions),
        "unanswered": per_question.count(0),
        "answered once": per_question.count(1),
        "answered more than once": sum(1 for n in per_question if n > 1),
    }


@dataclass
class EchoBot:
    """bench/echo_bot.py run as a process (the benchmarks' floor)."""

    process: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    def start(cls, homeserver: str, user_id: str, password: str, folder: Path) -> EchoBot:
        folder.mkdir(parents=True, exist_ok=True)
        log_path = folder / "echo.log"
        process = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "bench" / "echo_bot.py"),
                homeserver,
                user_id,
                password,
                str(folder / "store"),
            ],
            stdout=log_path.open("ab"),
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        echo = cls(process, log_path)
        deadline = time.monotonic() + 60
        while "echo bot ready" not in echo.log_text():
            assert process.poll() is None and time.monotonic() < deadline, echo.log_text()
            time.sleep(0.1)
        return echo

    def log_text(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
