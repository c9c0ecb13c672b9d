"""The folder picture at the top of docs/architecture.md tells the truth: every folder of
the package with its count of modules, and nothing that is gone."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.test_folders import folders

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
_LINE = re.compile(r"^(?P<indent> *)(?P<name>[\w.]+)/\s+(?P<count>\d+) modules?$")


def pictured(text: str) -> dict[str, int]:
    """``{"features/dispatch/consent": 4, ...}`` read from the first code block of the doc."""
    block = text.split("```", 2)[1]
    counts: dict[str, int] = {}
    parents: list[str] = []
    for line in block.splitlines():
        found = _LINE.match(line)
        folder = re.match(r"^( *)([\w.]+)/", line)
        if folder is None:
            continue
        depth = len(folder.group(1)) // 2
        parents[depth:] = [folder.group(2)]
        if found is not None and depth > 0:
            counts["/".join(parents[1:])] = int(found.group("count"))
    return counts


def test_the_picture_counts_every_folder_as_it_is() -> None:
    actual = {folder: n for folder, n in folders().items() if folder != "."}
    assert pictured(DOC.read_text("utf-8")) == actual


def test_the_reader_sees_a_wrong_count() -> None:
    text = "```\ncpts_bot/\n  features/  1 module\n    rota/   25 modules\n```\n"
    assert pictured(text) == {"features": 1, "features/rota": 25}
