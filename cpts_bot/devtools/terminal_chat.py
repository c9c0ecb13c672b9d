"""``cpts-bot chat --as demo-gp``: talk to the demo bot from a terminal, end-to-end encrypted."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

from cpts_bot.devtools.matrix_user import MatrixUser


async def _chat(state_dir: Path, who: str) -> int:
    folder = (state_dir / "demo").resolve()
    demo_file = folder / "demo.json"
    if not demo_file.exists():
        print("No demo is running: start it first with `cpts-bot demo`.", file=sys.stderr)
        return 2
    demo = json.loads(demo_file.read_text())
    passwords = json.loads((folder / "passwords.json").read_text())
    if who not in demo["users"]:
        print(
            f"Unknown demo user {who!r}; choose one of {', '.join(demo['users'])}.", file=sys.stderr
        )
        return 2
    session_file = folder / "clients" / f"{who}-terminal.json"
    session = json.loads(session_file.read_text()) if session_file.exists() else {}
    user = MatrixUser(
        demo["homeserver"],
        demo["users"][who],
        passwords[who],
        folder / "clients" / f"{who}-terminal",
        device_name="terminal chat",
        device_id=session.get("device_id"),
        access_token=session.get("access_token"),
    )
    await user.start()
    session_file.write_text(
        json.dumps(
            {
                "device_id": user.device_id,
                "room_id": session.get("room_id"),
                "access_token": user.access_token,
            }
        )
    )
    room_id = session.get("room_id")
    assert user.client is not None
    if room_id not in user.client.rooms:
        room_id = await user.create_encrypted_room([demo["bot"]])
        await user.wait_joined(room_id, demo["bot"])
        session_file.write_text(
            json.dumps(
                {"device_id": user.device_id, "room_id": room_id, "access_token": user.access_token}
            )
        )
    print(
        f"Connected as {demo['users'][who]} (encrypted chat with {demo['bot']}). "
        "Type a message, or Ctrl-D to quit."
    )
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            if not line.strip():
                continue
            event_id = await user.send(room_id, line.strip())
            try:
                reply = await user.wait_reply(event_id, timeout=60)
            except TimeoutError:
                print("(no answer within 60 s)")
                continue
            print(f"cpts-bot > {reply.body}\n")
    finally:
        await user.stop()
    return 0


def run_chat(state_dir: Path, who: str) -> int:
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("nio").setLevel(logging.CRITICAL)
    return asyncio.run(_chat(state_dir, who))
