"""The dependency rules of docs/architecture.md, checked on the imports themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"

RULES = {
    # layer: module prefixes it must never import
    "domain": (
        "nio",
        "aiosqlite",
        "apscheduler",
        "cpts_bot.storage",
        "cpts_bot.matrix",
        "cpts_bot.services",
        "cpts_bot.chat",
        "cpts_bot.scheduling",
        "cpts_bot.app",
    ),
    "services": ("nio", "apscheduler", "cpts_bot.matrix", "cpts_bot.app"),
    "chat": ("nio", "apscheduler", "cpts_bot.matrix", "cpts_bot.app"),
    "storage": ("nio", "apscheduler", "cpts_bot.matrix", "cpts_bot.chat", "cpts_bot.app"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    offences = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for module in imported_modules(path):
            if any(module == banned or module.startswith(banned + ".") for banned in RULES[layer]):
                offences.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert not offences, "\n".join(offences)
