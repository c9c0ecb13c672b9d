"""« territoire » lists the communes of the rooms file (the worked example)."""

from __future__ import annotations

from pathlib import Path

from command_support import make_config, router_for, say

from cpts_bot.storage.database import Database


async def test_territoire_lists_the_communes_of_the_rooms_file(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    router = router_for(database, make_config("Port-Imaginaire"))
    answer = await say(database, router, "Territoire ?")
    assert answer == "CPTS Exemple couvre 2 communes : Port-Imaginaire, Val-Témoin."
    await database.close()
