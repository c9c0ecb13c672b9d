"""The architecture tests after the move: a module's role is read from its folder, or
inside a feature folder from its name. Written into the repository by move.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import plan_rules as R

MODULE_ROLES = '''"""A module's role, for the architecture tests: where it lives, or inside a feature folder
what its name says.

``cpts_bot/features/<feature>/`` holds every role of one feature; a file's name tells its
role there: ``*repository`` is storage (it may hold SQL), ``*service`` / ``*jobs`` are
services, ``*chat`` / ``*commands`` / ``*replies`` / ``*follow_ups`` are chat, and anything
else is pure domain. ``cpts_bot/core/`` is the pure kernel (domain rules). Every other folder
(``storage``, ``services``, ``chat``, ``matrix``, ...) is its own role, as before.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
FEATURES = "features"
KERNEL = {"core": "domain"}
ROLE_SUFFIXES = __ROLE_SUFFIXES__


def role_of_name(stem: str) -> str:
    """The role a module's name gives it inside a feature folder."""
    for role, suffixes in ROLE_SUFFIXES.items():
        if any(stem == suffix or stem.endswith("_" + suffix) for suffix in suffixes):
            return role
    return "domain"


def role_of_file(relative: str) -> str:
    """``features/dispatch/accept_service.py`` -> ``services``; ``core/times.py`` ->
    ``domain``; ``storage/outbox.py`` -> ``storage``; ``app.py`` -> ``app``."""
    parts = relative.removesuffix(".py").split("/")
    if parts[0] == FEATURES and len(parts) >= 3:
        return role_of_name(parts[-1])
    return KERNEL.get(parts[0], parts[0])


def as_layer_module(module: str) -> str:
    """An imported module named as the layer its role belongs to, so that the layer rules
    apply: ``cpts_bot.features.dispatch.repository`` -> ``cpts_bot.storage.repository``."""
    parts = module.split(".")
    if len(parts) >= 4 and parts[:2] == ["cpts_bot", FEATURES]:
        return ".".join(["cpts_bot", role_of_name(parts[3]), *parts[3:]])
    if len(parts) >= 2 and parts[0] == "cpts_bot" and parts[1] in KERNEL:
        return ".".join(["cpts_bot", KERNEL[parts[1]], *parts[2:]])
    return module


def modules_by_role(role: str) -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if role_of_file(path.relative_to(PACKAGE).as_posix()) == role
    ]
'''

LAYERING_DOC = """
A module's role is its folder (``storage``, ``services``, ``chat``, ``matrix``, ...; the
kernel ``core`` is domain) or, inside a feature folder, what its name says
(``tests/unit/module_roles.py``): ``*repository`` storage, ``*service`` / ``*jobs``
services, ``*chat`` / ``*commands`` / ``*replies`` / ``*follow_ups`` chat, anything else
domain. The rules below apply by role.
"""

IMPORTED_MODULES = '''def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports; ``from cpts_bot.features.<f> import m`` counts
    ``cpts_bot.features.<f>.m`` too, since a feature module's role is in its name."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module.startswith("cpts_bot.features.") and node.module.count(".") == 2:
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found'''

OFFENCES = '''def banned(layer: str, module: str) -> bool:
    """Whether ``layer`` may not import ``module`` (a feature module counts as its role)."""
    name = as_layer_module(module)
    return any(name == prefix or name.startswith(prefix + ".") for prefix in RULES[layer])


def offences(layer: str) -> set[str]:
    return {
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in modules_by_role(layer)
        for module in imported_modules(path)
        if banned(layer, module)
    }'''

ROLE_TEST = '''

def test_a_role_is_read_from_the_name_inside_a_feature(tmp_path: Path) -> None:
    """Inside a feature folder, a pure module importing its feature's repository or chat
    is an offence, and a service importing the feature's chat is one too."""
    module = tmp_path / "example.py"
    module.write_text(
        "from cpts_bot.features.dispatch import repository\\n"
        "from cpts_bot.features.dispatch.commands import DISPATCH\\n",
        "utf-8",
    )
    imported = imported_modules(module)
    assert role_of_file("features/dispatch/phrases.py") == "domain"
    assert role_of_file("features/dispatch/accept_service.py") == "services"
    assert role_of_file("features/dispatch/repository.py") == "storage"
    assert role_of_file("features/dispatch/chat.py") == "chat"
    assert role_of_file("core/times.py") == "domain"
    assert {m for m in imported if banned("domain", m)} >= {
        "cpts_bot.features.dispatch.repository",
        "cpts_bot.features.dispatch.commands",
    }
    assert {m for m in imported if banned("services", m)} == {
        "cpts_bot.features.dispatch.commands"
    }
'''

FOLDERS = '''"""One folder per feature and a small kernel: no folder of the package holds more than
25 modules, and every module of a feature folder has a role its name tells
(``tests/unit/module_roles.py``)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.module_roles import FEATURES, PACKAGE, role_of_file

MAX_MODULES_PER_FOLDER = 25


def folders(root: Path = PACKAGE) -> dict[str, int]:
    """How many modules each folder under ``root`` holds."""
    counts: dict[str, int] = {}
    for path in root.rglob("*.py"):
        if "__pycache__" in path.parts:
            continue
        folder = path.parent.relative_to(root).as_posix()
        counts[folder] = counts.get(folder, 0) + 1
    return counts


def test_no_folder_holds_more_than_25_modules() -> None:
    crowded = {folder: n for folder, n in folders().items() if n > MAX_MODULES_PER_FOLDER}
    assert not crowded, f"split these folders (at most {MAX_MODULES_PER_FOLDER} modules): {crowded}"


def test_every_feature_is_a_package_of_its_own() -> None:
    features = [p for p in (PACKAGE / FEATURES).iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert len(features) >= 8
    for feature in features:
        assert (feature / "__init__.py").exists(), feature.name


def test_the_layer_folders_are_gone() -> None:
    """Pure code lives in core/ or a feature; the old domain/ folder does not come back."""
    assert not (PACKAGE / "domain").exists()


def test_the_count_sees_a_crowded_folder(tmp_path: Path) -> None:
    crowded = tmp_path / "features" / "crowded"
    crowded.mkdir(parents=True)
    for n in range(MAX_MODULES_PER_FOLDER + 1):
        (crowded / f"m{n}.py").write_text("", "utf-8")
    (tmp_path / "features" / "__init__.py").write_text("", "utf-8")
    assert folders(tmp_path) == {"features": 1, "features/crowded": MAX_MODULES_PER_FOLDER + 1}


def test_a_feature_module_has_the_role_its_name_says() -> None:
    assert role_of_file("features/rota/duty_fill_service.py") == "services"
    assert role_of_file("features/rota/jobs.py") == "services"
    assert role_of_file("features/rota/duty_notice_repository.py") == "storage"
    assert role_of_file("features/rota/calendar_chat.py") == "chat"
    assert role_of_file("features/rota/phrases.py") == "domain"
    assert role_of_file("core/places/resolver.py") == "domain"
    assert role_of_file("storage/outbox.py") == "storage"
'''


def _segment(source: str, name: str) -> str | None:
    tree = ast.parse(source)
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        if name in targets:
            return ast.get_source_segment(source, node)
    return None


def _function(source: str, name: str) -> ast.FunctionDef | None:
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def _replace_function(source: str, name: str, text: str) -> str | None:
    node = _function(source, name)
    if node is None:
        return None
    lines = source.splitlines(keepends=True)
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    lines[first - 1 : node.end_lineno] = [text + "\n"]
    return "".join(lines)


def rewrite_layering(path: Path, warnings: list[str]) -> None:
    """Keep the file (its rules, KNOWN, its tests); swap how a file's layer and an
    import's layer are read, and add a test of roles by name."""
    source = path.read_text(encoding="utf-8")
    for name, text in (("imported_modules", IMPORTED_MODULES), ("offences", OFFENCES)):
        new = _replace_function(source, name, text)
        if new is None:
            warnings.append(f"test_layering.py: no {name}(); patch it by hand")
            return
        source = new
    if "\nimport pytest\n" not in source:
        warnings.append("test_layering.py: no 'import pytest' line; add the module_roles import by hand")
    source = source.replace(
        "\nimport pytest\n",
        "\nimport pytest\n\nfrom tests.unit.module_roles import as_layer_module, modules_by_role, role_of_file\n",
        1,
    )
    doc_end = source.index('"""', 3)
    source = source[:doc_end].rstrip("\n") + "\n" + LAYERING_DOC + source[doc_end:]
    source = source.rstrip("\n") + "\n" + ROLE_TEST
    path.write_text(source, encoding="utf-8")


def rewrite_sql_test(path: Path, warnings: list[str]) -> None:
    source = path.read_text(encoding="utf-8")
    old = 'if relative.startswith("storage/"):'
    if old not in source:
        warnings.append("test_sql_in_storage.py: the storage/ skip was not found; patch by hand")
        return
    source = source.replace(old, 'if role_of_file(relative) == "storage":')
    source = source.replace(
        "from pathlib import Path\n",
        "from pathlib import Path\n\nfrom tests.unit.module_roles import role_of_file\n",
        1,
    )
    source = source.replace(
        '"""SQL lives in ``cpts_bot/storage/`` only: no statement, and no call that runs one,\nanywhere else in the package.',
        '"""SQL lives in the storage role only (``cpts_bot/storage/`` and the ``*repository``\nmodules of the feature folders, see ``module_roles.py``): no statement, and no call\nthat runs one, anywhere else in the package.',
    )
    path.write_text(source, encoding="utf-8")


def rewrite_alert_layout(path: Path, moves, warnings: list[str]) -> None:
    source = path.read_text(encoding="utf-8")
    old_glob = re.compile(
        r'for folder in \("domain", "services", "chat", "storage"\)\n(\s*)for path in \(PACKAGE / folder\)\.glob\("alert\*\.py"\)'
    )
    if not old_glob.search(source):
        warnings.append("test_alert_layout.py: the alert glob was not found; patch by hand")
        return
    source = old_glob.sub(
        r'for path in (PACKAGE / "features" / "alerts").glob("*.py")\n\1if path.name != "__init__.py"',
        source,
    )
    stems = {
        m.old.split("/")[-1].removesuffix(".py"): m.new.split("/")[-1].removesuffix(".py")
        for m in moves
        if m.new.startswith("features/alerts/")
    }
    source = re.sub(r'"(alerts?_\w+)"', lambda x: f'"{stems.get(x.group(1), x.group(1))}"', source)
    path.write_text(source, encoding="utf-8")


def rewrite_alert_catalogs(path: Path, moves, warnings: list[str]) -> None:
    source = path.read_text(encoding="utf-8")
    template = 'f"cpts_bot/services/{name}.py"'
    if template not in source:
        return
    new_stems = {
        m.old.split("/")[-1].removesuffix(".py"): m.new.split("/")[-1].removesuffix(".py")
        for m in moves
        if m.old.startswith("services/alert") and m.new.startswith("features/alerts/")
    }
    source = source.replace(template, 'f"cpts_bot/features/alerts/{name}.py"')
    source = re.sub(r'"(alert_\w+)"', lambda x: f'"{new_stems.get(x.group(1), x.group(1))}"', source)
    path.write_text(source, encoding="utf-8")


def rewrite_tests(repo: Path, moves) -> tuple[list[str], list[str]]:
    warnings: list[str] = []
    unit = repo / "tests" / "unit"
    roles = MODULE_ROLES.replace("__ROLE_SUFFIXES__", repr(R.ROLE_SUFFIXES))
    (unit / "module_roles.py").write_text(roles, encoding="utf-8")
    (unit / "test_folders.py").write_text(FOLDERS, encoding="utf-8")
    changed = ["tests/unit/module_roles.py", "tests/unit/test_folders.py"]
    steps = {
        "test_layering.py": lambda p: rewrite_layering(p, warnings),
        "test_sql_in_storage.py": lambda p: rewrite_sql_test(p, warnings),
        "test_alert_layout.py": lambda p: rewrite_alert_layout(p, moves, warnings),
        "test_alerts_reports_catalogs.py": lambda p: rewrite_alert_catalogs(p, moves, warnings),
    }
    for name, step in steps.items():
        path = unit / name
        if path.exists():
            step(path)
            changed.append(f"tests/unit/{name}")
        else:
            warnings.append(f"tests/unit/{name} not found")
    return changed, warnings
