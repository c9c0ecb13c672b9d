"""The MSC4391 contents built from the declarations."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from command_support import make_config, router_for

from cpts_bot.chat.command_descriptions import EVENT_TYPE, client_command, describe, state_key
from cpts_bot.chat.commands import fold_command
from cpts_bot.i18n import Translator
from cpts_bot.storage.database import Database

BOT = "@bot:cpts.test"


def test_state_key_is_the_hash_clients_check() -> None:
    expected = base64.b64encode(hashlib.sha256(b"fait@bot:cpts.test").digest()).decode()
    assert state_key("fait", BOT) == expected
    assert EVENT_TYPE == "org.matrix.msc4391.command_description"


async def test_published_commands_describe_themselves_in_french(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    commands = router_for(database, make_config()).commands.commands
    described = {d.content["command"]: d for d in describe(commands, Translator("fr"), BOT)}
    assert {"aide", "fait", "relancer", "mes declenchements", "confiance", "rapport"} <= set(
        described
    )
    assert not {"bonjour", "merci", "annuaire", "aide sujet"} & set(described)
    report = described["rapport"].content
    assert report["description"] == {"m.text": [{"body": "les chiffres et graphiques du mois"}]}
    assert report["parameters"][0]["optional"] is True
    assert report["fi.mau.tail_parameter"] == "month"
    trust = described["confiance"].content["parameters"][0]
    assert trust["schema"] == {"schema_type": "primitive", "type": "user_id"}
    for command in commands:
        if command.published:
            words = fold_command(client_command(command))
            assert any(fold_command(e).startswith(words) for e in command.examples), command.name
    await database.close()
