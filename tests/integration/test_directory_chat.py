"""Directory questions and card self-service over the real Synapse."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.synapse
SAMPLE = Path(__file__).resolve().parents[2] / "cpts_bot" / "sample"
HEADER = (
    "kind,rpps,id,title,last_name,first_name,profession_code,profession_label,"
    "specialties,structure_type,name,offer,address,postal_code,commune_insee,"
    "commune_name,structure_name,phone,activities,modalities,languages,matrix_id,active"
)


def import_files(bot, *commands: list[str]) -> None:
    for command in commands:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cpts_bot",
                "--rooms-file",
                str(bot.rooms_file),
                "import",
                *command,
            ],
            env=bot.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


async def test_a_gp_question_gets_who_where_and_why(users, make_bot):
    gp = await users.client("gp")
    sample_rooms = (SAMPLE.parents[1] / "rooms.yaml").read_text("utf-8")
    import yaml

    territory = yaml.safe_load(sample_rooms)["territory"]
    bot = make_bot(coordinators=[gp.user_id], allowed=[], territory=territory)
    import_files(
        bot,
        ["rpps", str(SAMPLE / "rpps_sample.txt"), "--no-progress"],
        ["directory", str(SAMPLE / "directory.csv")],
    )
    bot.start()
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)
    question = await gp.send(room, "kiné à domicile bronchiolite lyon 8")
    reply = await gp.wait_reply(question)
    first_line = reply.body.splitlines()[0]
    assert "masseurs-kinésithérapeutes" in first_line
    assert "GAUTHIER" in reply.body and "04 78 00 07 09" in reply.body
    assert "à domicile" in reply.body
    assert reply.formatted_body and "matrix.to" in reply.formatted_body
    count = await gp.send(room, "combien d'orthophonistes à Vénissieux ?")
    counted = (await gp.wait_reply(count)).body.splitlines()
    # A count of one shows the person.
    assert counted[0].startswith("1 professionnel pour orthophoniste") and "—" in counted[1]
    assert reply.formatted_body and 'href="tel:' in reply.formatted_body
    ambiguous = await gp.send(room, "ortho à Bron")
    both = (await gp.wait_reply(ambiguous)).body
    assert "« ortho » compris comme : orthophoniste, orthoptiste." in both
    named = await gp.send(room, "le numéro de romain gauthier, kiné ?")
    card = await gp.wait_reply(named)
    assert card.body.splitlines()[1].startswith("1. Romain GAUTHIER")
    assert "50 rue Villon" in card.body and "04 78 00 07 09" in card.body
    unknown = await gp.send(room, "kiné à domicile lyon 8 pour une capsulite")
    widened = (await gp.wait_reply(unknown)).body.splitlines()
    # Nobody declares the need: the first line says so, before anyone is listed.
    assert widened[0].startswith("Personne ne déclare « capsulite »"), widened[0]
    assert "GAUTHIER" in "\n".join(widened[1:])
    bot.stop()


async def test_a_professional_updates_their_own_card_by_chat(users, make_bot, tmp_path):
    nurse = await users.client("nurse")
    gp = await users.client("gp")
    bot = make_bot(coordinators=[gp.user_id], allowed=[nurse.user_id])
    csv_file = tmp_path / "directory.csv"
    csv_file.write_text(
        HEADER
        + "\n"
        + ",".join(
            [
                "professional",
                "19900000999",
                "",
                "",
                "DURAND",
                "Inès",
                "60",
                "Infirmier",
                "",
                "",
                "",
                "",
                "3 rue Laënnec",
                "69008",
                "69388",
                "Lyon 8e",
                "",
                "04 78 00 09 99",
                "wound_care",
                "new_patients",
                "",
                nurse.user_id,
                "1",
            ]
        )
        + "\n",
        "utf-8",
    )
    import_files(bot, ["directory", str(csv_file)])
    bot.start()
    room = await nurse.create_encrypted_room([bot.user_id])
    await nurse.wait_joined(room, bot.user_id)
    change = await nurse.send(room, "je ne prends plus de nouveaux patients")
    confirmation = (await nurse.wait_reply(change)).body
    assert "nouveaux patients" in confirmation
    card = await nurse.send(room, "ma fiche")
    card_text = (await nurse.wait_reply(card)).body
    assert "DURAND" in card_text
    gp_room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(gp_room, bot.user_id)
    question = await gp.send(gp_room, "IDE nouveaux patients lyon 8")
    answer = (await gp.wait_reply(question)).body
    assert "Personne ne correspond exactement" in answer.splitlines()[0]
    bot.stop()


async def test_an_import_run_while_the_bot_runs_is_picked_up(users, make_bot):
    gp = await users.client("gp")
    import yaml

    territory = yaml.safe_load((SAMPLE.parents[1] / "rooms.yaml").read_text("utf-8"))["territory"]
    bot = make_bot(coordinators=[gp.user_id], allowed=[], territory=territory)
    bot.start()
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)
    before = await gp.send(room, "combien d'orthophonistes à Vénissieux ?")
    assert not (await gp.wait_reply(before)).body.startswith("1 professionnel")
    import_files(bot, ["directory", str(SAMPLE / "directory.csv")])
    for _ in range(40):
        question = await gp.send(room, "combien d'orthophonistes à Vénissieux ?")
        if (await gp.wait_reply(question)).body.startswith("1 professionnel"):
            break
        await asyncio.sleep(1)
    else:
        raise AssertionError("the new directory was never used")
    bot.stop()


async def test_a_need_nobody_declares_and_a_message_nobody_claims_are_answered_helpfully(
    users, make_bot
):
    """Over Synapse: the first line says nobody declares the need (before anyone who does
    not do it); « pas compris » offers commands; the pharmacy on duty gets the 3237."""
    gp = await users.client("gp")
    import yaml

    territory = yaml.safe_load((SAMPLE.parents[1] / "rooms.yaml").read_text("utf-8"))["territory"]
    bot = make_bot(coordinators=[gp.user_id], allowed=[], territory=territory)
    import_files(
        bot,
        ["rpps", str(SAMPLE / "rpps_sample.txt"), "--no-progress"],
        ["directory", str(SAMPLE / "directory.csv")],
    )
    bot.start()
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)
    need = await gp.send(room, "kiné qui fait la méthode Zorglub à Lyon 8")
    first = (await gp.wait_reply(need)).body.splitlines()[0]
    assert first.startswith("Personne ne déclare « méthode Zorglub »"), first
    lost = await gp.send(room, "mes declenchemnts")
    assert "Vouliez-vous dire : « mes déclenchements »" in (await gp.wait_reply(lost)).body
    pharmacy = await gp.send(room, "pharmacie de garde ce soir")
    assert "3237" in (await gp.wait_reply(pharmacy)).body
    bot.stop()
