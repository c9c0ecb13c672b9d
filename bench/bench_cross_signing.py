"""Cost of cross-signing at start-up and of the senders' trust check per message.

Starts a Synapse on 127.0.0.1 and measures: creating the bot's identity; the check at
each restart (same device: nothing to upload); signing a new device; the trust check of
a cross-signed sender, first (one keys/query) and then from the cache. Writes
docs/benchmarks.md.

Usage: python bench/bench_cross_signing.py [--restarts 20] [--checks 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_support as support  # noqa: E402
from bench.bench_report import write_section  # noqa: E402
from cpts_bot.matrix.cross_signing import ensure_cross_signed  # noqa: E402
from cpts_bot.matrix.sender_trust import SenderTrustGate  # noqa: E402
from cpts_bot.settings import BotSettings, RoomsConfig, TrustPolicy  # noqa: E402
from cpts_bot.storage.database import Database  # noqa: E402


async def _login(url: str, user_id: str, password: str, store: Path) -> AsyncClient:
    await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
    client = AsyncClient(
        url, user_id, store_path=str(store), config=AsyncClientConfig(encryption_enabled=True)
    )
    assert isinstance(await client.login(password), LoginResponse)
    return client


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


async def run(restarts: int, checks: int) -> str:
    work = Path(tempfile.mkdtemp(prefix="cpts-bench-cs-"))
    synapse = support.start_synapse(work)
    try:
        bot_id, password = support.new_user(synapse, "bot")
        data = work / "bot"
        settings = BotSettings(
            homeserver=synapse.url, user_id=bot_id, password=password, data_dir=data
        )
        bot = await _login(synapse.url, bot_id, password, data / "store")
        started = time.perf_counter()
        await ensure_cross_signed(bot, settings, data)
        create_ms = _ms(started)
        restart_ms = []
        for _ in range(restarts):
            started = time.perf_counter()
            status = await ensure_cross_signed(bot, settings, data)
            restart_ms.append(_ms(started))
            assert not status.signed_device
        other = await _login(synapse.url, bot_id, password, work / "second-store")
        started = time.perf_counter()
        assert (await ensure_cross_signed(other, settings, data)).signed_device
        new_device_ms = _ms(started)
        await other.close()

        doctor_id, doctor_password = support.new_user(synapse, "doctor")
        doctor_dir = work / "doctor"
        doctor = await _login(synapse.url, doctor_id, doctor_password, doctor_dir / "store")
        await ensure_cross_signed(
            doctor,
            BotSettings(
                homeserver=synapse.url,
                user_id=doctor_id,
                password=doctor_password,
                data_dir=doctor_dir,
            ),
            doctor_dir,
        )
        database = await Database.open(work / "bot.sqlite")
        config = RoomsConfig.model_validate(
            {
                "territory": {"name": "T", "communes": [{"insee": "69001", "name": "A"}]},
                "coordinators": [doctor_id],
            }
        )
        gate = SenderTrustGate(database, TrustPolicy.CROSS_SIGNED_ONLY, config, bot_id)
        now = datetime.now(UTC)
        started = time.perf_counter()
        first = await gate.check(
            bot, doctor_id, doctor.device_id, room_id="!r:localhost", event_id="$0", now=now
        )
        first_check_ms = _ms(started)
        assert first.trusted
        cached_ms = []
        for index in range(checks):
            started = time.perf_counter()
            await gate.check(
                bot,
                doctor_id,
                doctor.device_id,
                room_id="!r:localhost",
                event_id=f"${index}",
                now=now,
            )
            cached_ms.append(_ms(started))
        await database.close()
        await doctor.close()
        await bot.close()
    finally:
        synapse.stop()

    rows = [
        ("identity created (keys/query ×4, upload, secret storage ×4, signature)", [create_ms]),
        ("restart, same device: nothing to do", restart_ms),
        ("new device signed with the saved identity", [new_device_ms]),
        ("trust check of a cross-signed sender, first sight (keys/query + pin)", [first_check_ms]),
        ("trust check, keys cached (signatures verified, SQLite read)", cached_ms),
    ]
    lines = ["| step | median (ms) | p95 (ms) | runs |", "|---|---|---|---|"]
    for name, values in rows:
        lines.append(f"| {name} | {support.median_p95(values, 2)} | {len(values)} |")
    lines.append("")
    lines.append(
        "Synapse 1.163 on 127.0.0.1. The start-up check runs once per start, before the "
        "first sync; the trust check runs once per incoming message."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--restarts", type=int, default=20)
    parser.add_argument("--checks", type=int, default=2000)
    args = parser.parse_args()
    body = asyncio.run(run(args.restarts, args.checks))
    print(body)
    write_section("cross-signing", "Cross-signing at start-up, senders' trust check", body)


if __name__ == "__main__":
    main()
