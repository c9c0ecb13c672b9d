"""A module's private functions and classes (``_name`` at its top level) are used in it:
one nobody calls is dead code and goes (as the gateway's ``_wait`` did)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.module_roles import PACKAGE


def unused_private_names(root: Path) -> list[str]:
    """``path:name`` for each top-level ``_name`` function or class under ``root`` that
    its module never refers to."""
    unused = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        defined = [
            node.name
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name.startswith("_")
            and not node.name.startswith("__")
        ]
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        unused += [
            f"{path.relative_to(root).as_posix()}:{name}" for name in defined if name not in used
        ]
    return unused


def test_every_private_function_is_used() -> None:
    assert unused_private_names(PACKAGE) == []


def test_an_unused_private_function_is_found(tmp_path: Path) -> None:
    (tmp_path / "gateway.py").write_text(
        "async def _wait(stop, seconds):\n    ...\n\n\n"
        "async def _wait_any(stop):\n    ...\n\n\n"
        "async def run(stop):\n    await _wait_any(stop)\n",
        "utf-8",
    )
    assert unused_private_names(tmp_path) == ["gateway.py:_wait"]
