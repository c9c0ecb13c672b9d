"""SQL lives in the storage role only (``cpts_bot/storage/`` and the ``*repository``
modules of the feature folders, see ``module_roles.py``): no statement, and no call
that runs one, anywhere else in the package.

Found on the source itself (string literals that read as SQL, calls to ``execute``,
``executemany``, ``executescript``, ``fetch_one``, ``fetch_all``). ``STILL_OUTSIDE`` is
shrink-only: a file listed there that no longer holds SQL fails too, so the list only
ever gets shorter.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.unit.module_roles import role_of_file

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"

# Empty: the alerts' statements moved into features/alerts/repository.py and
# features/alerts/firing_repository.py.
STILL_OUTSIDE: dict[str, str] = {}

SQL = re.compile(
    r"\b(?:SELECT\b.*\bFROM|INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|REPLACE\s+INTO|CREATE\s+(?:TABLE|INDEX|VIEW|TRIGGER)|DROP\s+(?:TABLE|INDEX)"
    r"|ALTER\s+TABLE|PRAGMA\s+\w+)",
    re.S,
)
RUNS_SQL = {"execute", "executemany", "executescript", "execute_fetchall", "fetch_one", "fetch_all"}


def sql_in(source: str) -> list[str]:
    """Where ``source`` holds SQL: ``line: what`` for each statement or call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL.search(node.value):
                found.append(f"{node.lineno}: {node.value[:40]!r}")
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            if SQL.search(text):
                found.append(f"{node.lineno}: f{text[:40]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in RUNS_SQL:
                found.append(f"{node.lineno}: .{node.func.attr}(…)")
    return found


def sql_outside_storage() -> dict[str, list[str]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if role_of_file(relative) == "storage":
            continue
        places = sql_in(path.read_text(encoding="utf-8"))
        if places:
            found[relative] = places
    return found


def test_no_sql_outside_storage() -> None:
    found = sql_outside_storage()
    new = {path: places for path, places in found.items() if path not in STILL_OUTSIDE}
    assert not new, f"SQL outside storage/ (move it into a repository): {new}"


def test_the_list_of_files_still_holding_sql_only_shrinks() -> None:
    found = sql_outside_storage()
    gone = sorted(path for path in STILL_OUTSIDE if path not in found)
    assert not gone, f"no SQL left in {gone}: remove them from STILL_OUTSIDE"


def test_the_check_sees_statements_and_calls() -> None:
    source = (
        "async def f(db):\n"
        '    await db.execute("UPDATE handoffs SET answered_at = ? WHERE id = ?", (1, 2))\n'
        'ROWS = ("SELECT id"\n'
        '        " FROM dispatches")\n'
        'QUERY = f"DELETE FROM inbox WHERE event_id = {1}"\n'
        'TEXT = "Update your card: select what changed, from the list"\n'
    )
    lines = [place.split(":")[0] for place in sql_in(source)]
    # A call and its statement, a statement split over two literals, an f-string;
    # English prose is not SQL.
    assert lines.count("2") == 2 and set(lines) == {"2", "3", "5"}
