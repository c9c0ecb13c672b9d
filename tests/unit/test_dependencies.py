"""Every third-party module the code imports comes from a dependency declared in
pyproject.toml, not from one that merely happens to pull it in."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cpts_bot"


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = set()
    for requirement in project["dependencies"]:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert match, requirement
        names.add(normalise(match.group(0)))
    return names


def imported_top_level_modules(path: Path) -> set[str]:
    """Top-level names of the absolute imports of a file, wherever they are (functions,
    try blocks ...)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def third_party_imports() -> dict[str, list[str]]:
    """Module -> the files importing it, for every module outside the standard library."""
    users: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for module in imported_top_level_modules(path):
            if module in sys.stdlib_module_names or module in ("__future__", "cpts_bot"):
                continue
            users.setdefault(module, []).append(str(path.relative_to(ROOT)))
    return users


def test_every_third_party_import_is_a_declared_dependency() -> None:
    declared = declared_distributions()
    providers = packages_distributions()
    imports = third_party_imports()
    assert "nio" in imports and "aiosqlite" in imports  # the check sees the real imports
    undeclared = []
    for module, files in sorted(imports.items()):
        distributions = {normalise(name) for name in providers.get(module, [])}
        if not distributions & declared:
            provided_by = ", ".join(sorted(distributions)) or "no installed distribution"
            undeclared.append(f"{module} (from {provided_by}), imported by {', '.join(files)}")
    assert not undeclared, "imported but not declared in pyproject.toml:\n" + "\n".join(undeclared)
