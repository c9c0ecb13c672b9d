"""Reply latency of "aide" seen by a client, beside a bare matrix-nio echo bot.

Starts a Synapse on 127.0.0.1, then for each bot (the echo bot, then cpts-bot, each a
separate process): a client in an encrypted direct chat sends N messages one after the
other and times each until the decrypted reply arrives. With ``--baseline REF``, the
cpts-bot of that git revision runs too, beside this one, in the same rounds (a before /
after on the same machine in the same minutes). Writes docs/benchmarks.md.

Usage: python bench/bench_reply_latency.py [--messages 100] [--baseline REF]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_support as support  # noqa: E402
from bench.bench_report import write_section  # noqa: E402
from cpts_bot.devtools.matrix_user import MatrixUser  # noqa: E402


async def open_room(client: MatrixUser, bot_user: str, text: str) -> str:
    """An encrypted direct chat with ``bot_user``, warmed up by one exchange."""
    room = await client.create_encrypted_room([bot_user])
    await client.wait_joined(room, bot_user)
    warm = await client.send(room, text)
    await client.wait_reply(warm, timeout=60)
    return room


async def time_one(client: MatrixUser, room: str, text: str) -> float:
    started = time.perf_counter()
    event_id = await client.send(room, text)
    await client.wait_reply(event_id, timeout=60)
    return (time.perf_counter() - started) * 1000


def export_revision(ref: str, into: Path) -> Path:
    """The package and migrations of git revision ``ref``, in ``into``: run from there,
    ``python -m cpts_bot`` is that revision's bot."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", ref, "cpts_bot", "migrations"], cwd=ROOT, check=True, capture_output=True
    )
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


async def start_bot(
    synapse: Any, work: Path, gp_id: str, name: str, source: Path
) -> tuple[str, subprocess.Popen[bytes]]:
    """cpts-bot from ``source`` (a checkout) as a separate process: its user and process."""
    bot_id, bot_password = support.new_user(synapse, "cpts-bot")
    rooms = support.sample_rooms_config()
    rooms.update({"coordinators": [gp_id], "access": {"users": [gp_id]}, "rooms": {}})
    bot = support.BotRun(
        synapse.url,
        bot_id,
        bot_password,
        work / f"{name}-data",
        support.write_rooms_file(work / f"{name}-rooms.yaml", rooms),
    )
    support.ROOT = source  # the bot's CLI runs from there (python -m cpts_bot)
    try:
        await asyncio.to_thread(bot.import_sample)
        return bot_id, bot.start(work / f"{name}.log")
    finally:
        support.ROOT = ROOT


async def run(count: int, baseline: str | None) -> str:
    work = Path(tempfile.mkdtemp(prefix="cpts-bench-"))
    synapse = support.start_synapse(work)
    processes: list[subprocess.Popen[bytes]] = []
    results: dict[str, list[float]] = {}
    try:
        gp_id, gp_password = support.new_user(synapse, "gp")
        client = await MatrixUser(synapse.url, gp_id, gp_password, work / "gp").start()

        echo_id, echo_password = support.new_user(synapse, "echo")
        processes.append(
            support.start_process(
                [
                    sys.executable,
                    "bench/echo_bot.py",
                    synapse.url,
                    echo_id,
                    echo_password,
                    str(work / "echo-store"),
                ],
                dict(os.environ),
                work / "echo.log",
                "echo bot ready",
            )
        )

        bot_id, process = await start_bot(synapse, work, gp_id, "bot", ROOT)
        processes.append(process)
        if baseline:
            source = export_revision(baseline, work / "baseline-source")
            old_id, process = await start_bot(synapse, work, gp_id, "baseline", source)
            processes.append(process)

        # Interleaved rounds: whatever else the machine does weighs on every series alike.
        series = {
            "echo bot (matrix-nio, bare)": (await open_room(client, echo_id, "aide"), "aide"),
            "cpts-bot, « aide »": (await open_room(client, bot_id, "aide"), "aide"),
            "cpts-bot, directory question": (
                await open_room(client, bot_id, "aide"),
                "kiné à domicile bronchiolite lyon 8",
            ),
        }
        if baseline:
            series[f"cpts-bot at {baseline}, « aide »"] = (
                await open_room(client, old_id, "aide"),
                "aide",
            )
            series[f"cpts-bot at {baseline}, directory question"] = (
                await open_room(client, old_id, "aide"),
                "kiné à domicile bronchiolite lyon 8",
            )
        results = {name: [] for name in series}
        for _ in range(count):
            for name, (room, text) in series.items():
                results[name].append(await time_one(client, room, text))
        await client.stop()
    finally:
        support.stop_processes(processes)
        synapse.stop()

    lines = ["| bot | median (ms) | p95 (ms) | messages |", "|---|---|---|---|"]
    for name, timings in results.items():
        lines.append(f"| {name} | {support.median_p95(timings, 1)} | {len(timings)} |")
    echo, ours, directory = list(results.values())[:3]
    ratio = statistics.median(ours) / statistics.median(echo)
    directory_ratio = statistics.median(directory) / statistics.median(echo)
    lines.append("")
    lines.append(
        f"Ratio of medians cpts-bot « aide » / echo bot: **{ratio:.2f}×** (goal: at most 1.05×)."
    )
    lines.append(
        f"Ratio of medians directory question (« kiné à domicile bronchiolite lyon 8 »"
        f", sample territory) / echo bot: **{directory_ratio:.2f}×**."
    )
    if baseline:
        old, old_directory = list(results.values())[3:]
        lines.append(
            f"Same rounds, cpts-bot at {baseline} / echo bot: « aide » "
            f"**{statistics.median(old) / statistics.median(echo):.2f}×**, directory question "
            f"**{statistics.median(old_directory) / statistics.median(echo):.2f}×**."
        )
    lines.append("")
    lines.append(
        "Sequential messages from one client in an encrypted direct chat, Synapse "
        "1.163 on 127.0.0.1, each bot a separate process; time from the client's "
        "send to the decrypted reply arriving in its sync."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--baseline", help="a git revision whose bot runs beside this one")
    args = parser.parse_args()
    body = asyncio.run(run(args.messages, args.baseline))
    print(body)
    write_section("reply-latency", "Reply latency: « aide » vs a bare echo bot", body)


if __name__ == "__main__":
    main()
