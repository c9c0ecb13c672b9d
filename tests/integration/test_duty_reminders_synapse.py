"""The reminder before a duty over the real Synapse: Anne, who never wrote to the bot,
gets « Rappel : vous êtes de garde … » in an encrypted direct chat, once, also after the
bot restarts; Bruno's duty falls in his leave, and the coordination room is told that it
has nobody."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cpts_bot.core.times import PARIS
from tests.integration.test_dispatch_synapse import run_cli
from tests.integration.test_shift_swaps_synapse import bot_says, directory_csv
from tests.integration.test_tracking_synapse import read_rows, set_coordination_room

pytestmark = pytest.mark.synapse


async def test_duty_reminder_once_and_the_coordination_told_of_a_duty_with_nobody(
    users: Any, make_bot: Any, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    anne, bruno, chloe = await asyncio.gather(
        *(users.client(n) for n in ("anne", "bruno", "chloe"))
    )
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[anne.user_id, bruno.user_id, chloe.user_id],
        # Due 24 h ahead, so a duty in two hours is due at once; no quiet hours, so the
        # test passes at any hour of the night.
        duty_reminders={"hours_before": 24, "check_every_seconds": 1},
        quiet_hours={"start": "00:00", "end": "00:00"},
    )
    start = (datetime.now(PARIS) + timedelta(hours=2)).replace(second=0, microsecond=0)
    end = start + timedelta(hours=1)
    day = start.date()
    (tmp_path / "directory.csv").write_text(directory_csv([anne, bruno, chloe]), "utf-8")
    (tmp_path / "rota.csv").write_text(
        "type;matrix_id;name;profession;communes;day;start;end;from;until\n"
        f"garde;{anne.user_id};;IDE;69388;{day:%d/%m/%Y};{start:%H:%M};{end:%H:%M};;\n"
        f"garde;{bruno.user_id};;IDE;69388;{day:%d/%m/%Y};{start:%H:%M};{end:%H:%M};;\n"
        f"conge;{bruno.user_id};;;;;;;{day - timedelta(days=1):%d/%m/%Y};"
        f"{day + timedelta(days=1):%d/%m/%Y}\n",
        "utf-8",
    )
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    run_cli(bot, "import-rota", str(tmp_path / "rota.csv"))
    coordination = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    await set_coordination_room(bot, coordinator, coordination)
    bot.start()
    await coordinator.wait_joined(coordination, bot.user_id)

    hours = f"{start.hour} h" + (f" {start.minute:02d}" if start.minute else "")
    [reminder] = await anne.wait_for(bot_says(bot.user_id, "Rappel : vous êtes de garde"), 60)
    assert reminder.decrypted
    assert f"{hours} – " in reminder.body and "(IDE, Lyon 8e Arrondissement)" in reminder.body
    [notice] = await coordinator.wait_for(
        bot_says(bot.user_id, "Personne pour la garde", room=coordination), 60
    )
    assert "Bruno TEST est en congé" in notice.body and notice.decrypted

    # The bot restarts: the job runs again at once and every second; nothing is resent.
    assert bot.stop() == 0
    bot.start()
    await asyncio.sleep(5)
    assert bot.stop() == 0
    assert len(bot_says(bot.user_id, "Rappel : vous êtes de garde")(anne)) == 1
    assert len(bot_says(bot.user_id, "Personne pour la garde")(coordinator)) == 1
    assert bot_says(bot.user_id, "Rappel")(bruno) == []
    sent = read_rows(bot, "SELECT kind, subject FROM duty_notices ORDER BY kind")
    assert [(row["kind"], row["subject"]) for row in sent] == [
        ("duty_reminder", anne.user_id),
        ("uncovered", bruno.user_id),
    ]
