"""Dispatch requests over the real Synapse: who is asked, first accept wins, escalation,
expiry, and a restart between the broadcast and the accept.

A coordinator and five nurses (IDE, code 60) of the test territory, each a separate
E2EE client. The rota puts four nurses on duty now, one of whom is on leave; the fifth
is on duty only in two days. So exactly three are asked at first.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.core.times import PARIS
from cpts_bot.devtools.matrix_user import MatrixUser, Received

pytestmark = pytest.mark.synapse

DIRECTORY_HEADER = (
    "kind,rpps,id,title,last_name,first_name,profession_code,profession_label,"
    "specialties,structure_type,name,offer,address,postal_code,commune_insee,"
    "commune_name,structure_name,phone,activities,modalities,languages,matrix_id,active"
)
NAMES = ["Alice", "Bruno", "Chloé", "Denis", "Emma"]
REQUEST = (
    "déclenchement IDE domicile Lyon 8 maintenant pansement post-op, patient d'accord\n"
    "patient : Mme D., 3 rue des Lilas, 06 12 34 56 78"
)
# Short timers: escalate to the whole profession after 10 s, tell the coordination
# 2 s later, expire after 20 s; the deadline job looks every second.
POLICY = {
    "expire_after_seconds": 20,
    "check_every_seconds": 1,
    "escalation": [
        {"after_seconds": 10, "action": "all_profession"},
        {"after_seconds": 2, "action": "notify_coordination"},
    ],
}


def run_cli(bot: object, *arguments: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cpts_bot", "--rooms-file", str(bot.rooms_file), *arguments],
        env=bot.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def directory_csv(nurses: list[MatrixUser]) -> str:
    lines = [DIRECTORY_HEADER]
    for index, (nurse, first_name) in enumerate(zip(nurses, NAMES[: len(nurses)], strict=True)):
        lines.append(
            ",".join(
                [
                    "professional",
                    f"1990000010{index}",
                    "",
                    "",
                    "TEST",
                    first_name,
                    "60",
                    "Infirmier",
                    "",
                    "",
                    "",
                    "",
                    f"{index + 1} rue Laënnec",
                    "69008",
                    "69388",
                    "Lyon 8e",
                    "",
                    f"04 78 00 10 0{index}",
                    "wound_care",
                    "",
                    "",
                    nurse.user_id,
                    "1",
                ]
            )
        )
    return "\n".join(lines) + "\n"


def rota_csv(nurses: list[MatrixUser], now: datetime) -> str:
    """Nurses 0-3 on duty now (3 is on leave today), nurse 4 on duty in two days."""
    start = now.astimezone(PARIS) - timedelta(hours=1)
    end = now.astimezone(PARIS) + timedelta(hours=3)
    later = now.astimezone(PARIS) + timedelta(days=2)
    lines = ["type;matrix_id;name;profession;communes;day;start;end;from;until"]
    for nurse in nurses[:4]:
        lines.append(
            f"garde;{nurse.user_id};;IDE;69388;{start:%d/%m/%Y};{start:%H:%M};{end:%H:%M};;"
        )
    lines.append(f"garde;{nurses[4].user_id};;IDE;69388;{later:%d/%m/%Y};08:00;12:00;;")
    today = now.astimezone(PARIS)
    lines.append(f"conge;{nurses[3].user_id};;;;;;;{today:%d/%m/%Y};{today:%d/%m/%Y}")
    return "\n".join(lines) + "\n"


WELCOME = "Bonjour, je suis l'assistant de "  # a chat opened ahead, once its member joined


def besides_welcome(user: MatrixUser, bot_id: str) -> list[Received]:
    """What ``user`` had from the bot, but the welcome of a chat it opened ahead."""
    return [item for item in user.from_user(bot_id) if not item.body.startswith(WELCOME)]


def bot_says(bot_id: str, *words: str) -> Callable[[MatrixUser], list[Received]]:
    def predicate(user: MatrixUser) -> list[Received]:
        return [item for item in user.from_user(bot_id) if all(word in item.body for word in words)]

    return predicate


def broadcasts(user: MatrixUser, bot_id: str, number: int) -> list[Received]:
    """The dispatch messages (not edits, not notices) ``user`` got for dispatch ``number``."""
    return [
        item
        for item in user.from_user(bot_id)
        if item.body.startswith(f"Déclenchement n°{number} ")
        and "m.new_content" not in item.content
    ]


async def wait_broadcast(user: MatrixUser, bot_id: str, number: int) -> Received:
    found = await user.wait_for(lambda me: broadcasts(me, bot_id, number), timeout=60)
    return found[0]


async def test_dispatch_is_asked_taken_once_escalated_expired_and_survives_a_restart(
    users, make_bot, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    nurses = list(await asyncio.gather(*(users.client(f"ide{i}") for i in range(5))))
    on_duty, on_leave, off_duty = nurses[:3], nurses[3], nurses[4]
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[nurse.user_id for nurse in nurses],
        dispatch=POLICY,
    )
    (tmp_path / "directory.csv").write_text(directory_csv(nurses), "utf-8")
    (tmp_path / "rota.csv").write_text(rota_csv(nurses, datetime.now(PARIS)), "utf-8")
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    run_cli(bot, "import-rota", str(tmp_path / "rota.csv"))
    bot.start()
    room = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(room, bot.user_id)

    # 1. Exactly the three on duty and not on leave receive it, decrypted.
    created = await coordinator.wait_reply(await coordinator.send(room, REQUEST), timeout=60)
    assert created.body.startswith("Déclenchement n°1 envoyé à 3 professionnels"), created.body
    first = await asyncio.gather(*(wait_broadcast(nurse, bot.user_id, 1) for nurse in on_duty))
    for message in first:
        assert message.decrypted
        assert "pansement post-op" in message.body
        assert "Lilas" not in message.body and "06 12 34 56 78" not in message.body

    # 2. Two accept at the same moment (a reply and a reaction): exactly one wins.
    alice, bruno, chloe = on_duty
    await asyncio.gather(
        alice.send(first[0].room_id, "je prends", reply_to=first[0].event_id),
        bruno.react(first[1].room_id, first[1].event_id, "👍", encrypted=True),
    )
    told = await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°1 pris par"))
    assert told[0].room_id == room, "the requester is told in their own chat with the bot"
    winner_name = "Alice" if "Alice" in told[0].body else "Bruno"
    assert winner_name in told[0].body and "04 78 00 10 0" in told[0].body
    winner, loser = (alice, bruno) if winner_name == "Alice" else (bruno, alice)
    details = await winner.wait_for(bot_says(bot.user_id, "Le déclenchement n°1 est pour vous"))
    assert "Mme D., 3 rue des Lilas, 06 12 34 56 78" in details[0].body
    assert details[0].decrypted
    # Both answers reached the bot: the loser's came second and was told it is taken.
    await loser.wait_for(bot_says(bot.user_id, "Déjà pris par", winner_name))
    # One message per fact: the one who did not answer gets the edit of the broadcast
    # and nothing else; the winner's own broadcast says they took it.
    await chloe.wait_for(bot_says(bot.user_id, "[Pris par", winner_name))
    await winner.wait_for(bot_says(bot.user_id, "[Vous l'avez pris]"))
    assert [
        item.body
        for item in chloe.from_user(bot.user_id)
        if "m.new_content" not in item.content and not item.body.startswith("Déclenchement n°1 ")
    ] == []
    assert len(bot_says(bot.user_id, "pris par", winner_name)(loser)) == 1  # « Déjà pris »
    for nurse in (loser, chloe):
        assert not bot_says(bot.user_id, "est pour vous")(nurse)
        assert not bot_says(bot.user_id, "Lilas")(nurse)
    assert len(bot_says(bot.user_id, "est pour vous")(winner)) == 1
    assert len(bot_says(bot.user_id, "Déclenchement n°1 pris par")(coordinator)) == 1
    for nurse in (on_leave, off_duty):
        assert besides_welcome(nurse, bot.user_id) == []

    # 3. A restart between the broadcast and the accept loses nothing.
    await coordinator.send(room, REQUEST.replace("post-op", "n°2"))
    second = await asyncio.gather(*(wait_broadcast(nurse, bot.user_id, 2) for nurse in on_duty))
    bot.stop()
    bot.start()
    await chloe.send(second[2].room_id, "je prends", reply_to=second[2].event_id)
    await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°2 pris par", "Chloé"))
    await chloe.wait_for(bot_says(bot.user_id, "Le déclenchement n°2 est pour vous"))
    await alice.wait_for(bot_says(bot.user_id, "[Pris par Chloé"))

    # 4. Nobody answers: the whole profession is asked (never the one on leave), then the
    # coordination is told, then it expires and the requester is told.
    await coordinator.send(room, REQUEST.replace("post-op", "n°3"))
    await asyncio.gather(*(wait_broadcast(nurse, bot.user_id, 3) for nurse in on_duty))
    widened = await wait_broadcast(off_duty, bot.user_id, 3)
    assert widened.decrypted
    await coordinator.wait_for(
        bot_says(bot.user_id, "Personne n'a accepté le déclenchement n°3"), timeout=30
    )
    await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°3 expiré"), timeout=40)
    await alice.wait_for(bot_says(bot.user_id, "[Expiré]", "n°3"))
    third = broadcasts(alice, bot.user_id, 3)[0]
    await alice.send(third.room_id, "je prends", reply_to=third.event_id)
    await alice.wait_for(bot_says(bot.user_id, "n°3 n'est plus ouvert"))
    assert besides_welcome(on_leave, bot.user_id) == []
    assert on_leave.undecryptable == [] and off_duty.undecryptable == []
    assert all(nurse.undecryptable == [] for nurse in on_duty)

    # 5. The taken ones are cancelled: once the dispatches have ended and the bot has
    # stopped, the patient's details are nowhere in its database files (the expired one
    # lost them when it expired; the sent messages lost their text once sent).
    for number in (1, 2):
        await coordinator.send(room, f"annuler {number}")
        await coordinator.wait_for(bot_says(bot.user_id, f"Déclenchement n°{number} annulé"))
    await winner.wait_for(bot_says(bot.user_id, "n°1 est annulé"))
    await chloe.wait_for(bot_says(bot.user_id, "n°2 est annulé"))
    assert bot.stop() == 0
    for path in bot.data_dir.glob("cpts-bot.sqlite*"):
        data = path.read_bytes()
        assert b"Lilas" not in data and b"06 12 34 56 78" not in data, path.name


async def test_an_english_request_reaches_each_nurse_in_their_language(
    users, make_bot, tmp_path: Path
) -> None:
    """A coordinator who switched to English writes the request in English (the commune
    asked for in English); a French nurse gets the French offer, an English one the
    English offer, and takes it in English."""
    coordinator = await users.client("coord_en")
    alice, bruno = await asyncio.gather(users.client("ide_fr"), users.client("ide_en"))
    bot = make_bot(coordinators=[coordinator.user_id], allowed=[alice.user_id, bruno.user_id])
    (tmp_path / "directory.csv").write_text(directory_csv([alice, bruno]), "utf-8")
    start = datetime.now(PARIS) - timedelta(hours=1)
    rota = ["type;matrix_id;name;profession;communes;day;start;end;from;until"] + [
        f"garde;{nurse.user_id};;IDE;69388;{start:%d/%m/%Y};{start:%H:%M};"
        f"{start + timedelta(hours=4):%H:%M};;"
        for nurse in (alice, bruno)
    ]
    (tmp_path / "rota.csv").write_text("\n".join(rota) + "\n", "utf-8")
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    run_cli(bot, "import-rota", str(tmp_path / "rota.csv"))
    bot.start()
    room = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(room, bot.user_id)
    bruno_room = await bruno.create_encrypted_room([bot.user_id])
    await bruno.wait_joined(bruno_room, bot.user_id)
    for user, chat in ((coordinator, room), (bruno, bruno_room)):
        switched = await user.wait_reply(await user.send(chat, "language en"), timeout=60)
        assert "from now on" in switched.body, switched.body

    request = (
        "need a nurse at home now for a post-op dressing, patient agrees\n"
        "patient: Mrs D., 3 rue des Lilas, 06 12 34 56 78"
    )
    asked = await coordinator.wait_reply(await coordinator.send(room, request), timeout=60)
    assert asked.body.startswith("Where? A commune of the territory"), asked.body
    created = await coordinator.wait_reply(await coordinator.send(room, "in Lyon 8"), timeout=60)
    assert created.body.startswith("Dispatch no. 1 sent to 2 professionals"), created.body

    french = await wait_broadcast(alice, bot.user_id, 1)
    assert "at home for a post-op dressing" in french.body and "Lilas" not in french.body
    [english] = await bruno.wait_for(
        lambda me: [
            item
            for item in me.from_user(bot.user_id)
            if item.body.startswith("Dispatch no. 1 ") and "m.new_content" not in item.content
        ],
        timeout=60,
    )
    assert english.decrypted and "“I'll take it”" in english.body, english.body
    assert "at home for a post-op dressing" in english.body and "Lilas" not in english.body
    await bruno.send(english.room_id, "I'll take it", reply_to=english.event_id)
    details = await bruno.wait_for(bot_says(bot.user_id, "Dispatch no. 1 is yours"))
    assert "Mrs D., 3 rue des Lilas, 06 12 34 56 78" in details[0].body
    await coordinator.wait_for(bot_says(bot.user_id, "Dispatch no. 1 taken by"))
    await alice.wait_for(bot_says(bot.user_id, "[Pris par"))
    assert bot.stop() == 0
