"""A first dispatch to professionals the bot never talked to, under Synapse's DEFAULT
rate limits (10 rooms then about one a minute, 10 messages then one every 5 s), with
and without the admin's exemption of the bot's account (override_ratelimit).

Measured from the coordinator's request: the coordinator's confirmation, the first and
the last professional's offer (decrypted in their client), a bystander's directory
answer (asked 5 s after the request, in a chat that already exists), and when the
coordination room is told that deliveries are slowed down. Each professional must get
the offer exactly once. Under default limits, 30 professionals take about 20 minutes.

    python bench/bench_dispatch_default_limits.py --professionals 30 --no-ahead
    python bench/bench_dispatch_default_limits.py --professionals 30 --no-ahead --exempt

(``--no-ahead``: the bot does not open the direct chats ahead of need, as on its very
first start; without it, the chats opened while the clients are set up count too.)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bench_support as support  # noqa: E402
from cpts_bot.devtools.matrix_user import MatrixUser  # noqa: E402
from cpts_bot.devtools.synapse import SynapseServer  # noqa: E402

HEADER = (
    "kind,rpps,id,title,last_name,first_name,profession_code,profession_label,"
    "specialties,structure_type,name,offer,address,postal_code,commune_insee,"
    "commune_name,structure_name,phone,activities,modalities,languages,matrix_id,active"
)
REQUEST = "déclenchement IDE domicile Lyon 8 maintenant pansement post-op, patient d'accord"
TERRITORY = {
    "name": "CPTS Bench",
    "communes": [{"insee": "69388", "name": "Lyon 8e Arrondissement", "postal_codes": ["69008"]}],
}


def nurse_line(index: int, matrix_id: str) -> str:
    return (
        f"professional,1990{index:07d},,,BENCH,Nurse{index},60,Infirmier,,,,,"
        f"{index + 1} rue Laënnec,69008,69388,Lyon 8e,,04 78 00 00 00,wound_care,,,"
        f"{matrix_id},1"
    )


async def client(synapse: SynapseServer, work: Path, role: str) -> MatrixUser:
    user_id, password = support.new_user(synapse, role)
    user = MatrixUser(synapse.url, user_id, password, work / "clients" / user_id.strip("@"))
    await user.start()
    return user


def offers(user: MatrixUser, bot_id: str) -> list[object]:
    return [
        item
        for item in user.from_user(bot_id)
        if item.body.startswith("Déclenchement n°1 ") and "m.new_content" not in item.content
    ]


async def run(count: int, exempt: bool, ahead: bool, work: Path) -> dict[str, float | int | None]:
    synapse = SynapseServer.configure(
        support.homeserver_python(), work / "synapse", default_rate_limits=True
    )
    synapse.start()
    processes = []
    users: list[MatrixUser] = []
    try:
        coordinator = await client(synapse, work, "coord")
        gp = await client(synapse, work, "gp")
        nurses = [await client(synapse, work, f"ide{index}") for index in range(count)]
        users = [coordinator, gp, *nurses]
        bot_id, password = support.new_user(synapse, "bot")
        if exempt:
            _, _, admin_token = synapse.register_with_login("admin-bench", "admin-pw", admin=True)
            support.exempt_from_rate_limits(synapse, admin_token, bot_id)
        coordination = await coordinator.create_encrypted_room([bot_id], direct=False)
        alias = f"#coordination-bench:{bot_id.split(':', 1)[1]}"
        await coordinator.client.room_put_alias(alias, coordination)
        config = {
            "territory": TERRITORY,
            "coordinators": [coordinator.user_id],
            "access": {"users": [gp.user_id, *(nurse.user_id for nurse in nurses)]},
            "rooms": {"coordination": alias},
            "dispatch": {"expire_after_seconds": 7200, "escalation": []},
        }
        rooms_file = work / "rooms.yaml"
        rooms_file.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
        bot = support.BotRun(synapse.url, bot_id, password, work / "bot-data", rooms_file)
        bot.env["CPTS_PREPARE_DIRECT_CHATS"] = "true" if ahead else "false"
        csv = work / "directory.csv"
        lines = [nurse_line(index, nurse.user_id) for index, nurse in enumerate(nurses)]
        csv.write_text("\n".join([HEADER, *lines]) + "\n", "utf-8")
        bot.run_cli("import", "directory", str(csv))
        processes.append(bot.start(work / "bot.log", timeout=120))
        room = await coordinator.create_encrypted_room([bot_id])
        gp_room = await gp.create_encrypted_room([bot_id])
        await coordinator.wait_joined(room, bot_id, timeout=120)
        await gp.wait_joined(gp_room, bot_id, timeout=120)
        await gp.wait_reply(await gp.send(gp_room, "bonjour"), timeout=120)
        return await measure(coordinator, gp, room, gp_room, nurses, bot_id)
    finally:
        for user in users:
            await user.stop()
        support.stop_processes(processes)
        synapse.stop()


async def measure(
    coordinator: MatrixUser,
    gp: MatrixUser,
    room: str,
    gp_room: str,
    nurses: list[MatrixUser],
    bot_id: str,
) -> dict[str, float | int | None]:
    start = time.monotonic()

    async def since_start(waiting: Awaitable[object]) -> float:
        await waiting
        return time.monotonic() - start

    request = await coordinator.send(room, REQUEST)
    confirm_task = asyncio.create_task(since_start(coordinator.wait_reply(request, 3600)))
    offer_tasks = [
        asyncio.create_task(
            since_start(nurse.wait_for(lambda me: offers(me, bot_id), timeout=3600))
        )
        for nurse in nurses
    ]
    await asyncio.sleep(5)
    asked = time.monotonic()
    await gp.wait_reply(await gp.send(gp_room, "une infirmière à Lyon 8 ?"), timeout=3600)
    answer = time.monotonic() - asked
    confirmed = await confirm_task
    arrivals = await asyncio.gather(*offer_tasks)
    slowed = [item for item in coordinator.from_user(bot_id) if "ralentis" in item.body]
    return {
        "confirmation_s": round(confirmed, 1),
        "bystander_answer_s": round(answer, 1),
        "first_offer_s": round(min(arrivals), 1),
        "last_offer_s": round(max(arrivals), 1),
        "offers_more_than_once": sum(len(offers(nurse, bot_id)) > 1 for nurse in nurses),
        "slowed_notices": len(slowed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--professionals", type=int, default=30)
    parser.add_argument("--exempt", action="store_true", help="exempt the bot (admin API)")
    parser.add_argument(
        "--no-ahead",
        action="store_true",
        help="do not let the bot open direct chats ahead (CPTS_PREPARE_DIRECT_CHATS=false)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(run(args.professionals, args.exempt, not args.no_ahead, Path(folder)))
    mode = "exempt" if args.exempt else "default limits"
    mode += ", direct chats opened ahead" if not args.no_ahead else ", no chat opened ahead"
    print(f"dispatch to {args.professionals} new professionals, {mode}:")
    for key, value in result.items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
