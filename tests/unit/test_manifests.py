"""One manifest per feature: every feature folder declares in its ``manifest.py`` what the
bot registers for it (commands, follow-ups, jobs, hooks on sent messages, correlation
prefixes), ``app.py`` registers exactly that and nothing else, and each correlation
prefix is written once in the whole package."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpts_bot import app
from cpts_bot.app import MANIFESTS, build_features
from cpts_bot.chat.command_dispatch import Routes
from cpts_bot.chat.core_feature import core_commands
from cpts_bot.chat.feature_manifest import FeatureManifest, prefix_clashes
from cpts_bot.chat.follow_ups import FollowUp
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.storage.database import Database
from tests.unit.command_support import BOT, make_config
from tests.unit.module_roles import FEATURES, PACKAGE, role_of_file

# What the bot registered before the manifests (app.py's three lists): nothing is lost.
JOBS = {
    "directory-version",
    "dispatch-deadlines",
    "swap-deadlines",
    "duty-reminders",
    "medecin-traitant",
    "alerts",
    "monthly-report",
    "erase-details",
    "retention",
}
# Literals shaped like a prefix (« word: », « word:word: », the head of f"word:{x}") that
# are not keys of the bot's own, each with what it is. Any other such literal must be a
# prefix some manifest owns (the kernel's in app.py), written once.
NOT_PREFIXES = {
    "ed25519:": "a Matrix key id (ed25519:<device>), as the spec writes it",
    "curve25519:": "a Matrix key id, as the spec writes it",
    "profession:": "an alert's audience code (profession:<code>), stored with the alert",
    "language:": "a card field in the card history (language:<code>)",
    "modality:": "a card field in the card history (modality:<name>)",
    "term:": "a mark of the search index's words, in memory",
    "activity:": "a mark of the search index's words, in memory",
    "synonyms:": "a mark of the search index's words, in memory",
    "fuzzy:": "a mark of a query's hinted activities, in memory",
    "user:": "the send lane of a user whose direct chat is not known yet, in memory",
    "import:": "the author of a directory import in the card history (import:<file>)",
    "cpts:": "the key of a directory card without an RPPS number (cpts:<own id>)",
}
PREFIX_SHAPE = re.compile(r"[a-z][a-z0-9-]*(?::[a-z][a-z0-9-]*)*:%?")
SENT_HOOKS = {"dispatch:", "alert:", "handoff:", "medtrait:", "swap:"}
FAILED_HOOKS = {"alert-pin:"}


def folders_without_manifest(features: Path) -> list[str]:
    """The feature folders under ``features`` without a ``manifest.py`` declaring
    ``manifest(setup)``."""
    missing = []
    for folder in sorted(p for p in features.iterdir() if (p / "__init__.py").exists()):
        path = folder / "manifest.py"
        names = (
            {n.name for n in ast.parse(path.read_text("utf-8")).body if hasattr(n, "name")}
            if path.exists()
            else set()
        )
        if "manifest" not in names:
            missing.append(folder.name)
    return missing


def prefix_literals(root: Path, prefixes: set[str]) -> dict[str, list[str]]:
    """Where each string literal starting with one of ``prefixes`` is written under
    ``root`` (docstrings aside): {prefix: ["path:line", ...]}."""
    found: dict[str, list[str]] = {prefix: [] for prefix in prefixes}
    for path in sorted(root.rglob("*.py")):
        for node in _literals(ast.parse(path.read_text("utf-8"))):
            for prefix in prefixes:
                if node.value.startswith(prefix):
                    where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
                    found[prefix].append(where)
    return found


def prefix_shaped(root: Path) -> dict[str, list[str]]:
    """Every literal under ``root`` shaped like a prefix (a whole string « swap: », a
    pattern « swap:% », the head of f"stuck:{x}"): {prefix: ["path:line", ...]}."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        for node in _literals(ast.parse(path.read_text("utf-8"))):
            if PREFIX_SHAPE.fullmatch(node.value):
                where = f"{path.relative_to(root).as_posix()}:{node.lineno}"
                found.setdefault(node.value.removesuffix("%"), []).append(where)
    return found


def _literals(tree: ast.AST) -> Iterator[ast.Constant]:
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node


@pytest.fixture
async def manifests(tmp_path: Path) -> list[FeatureManifest]:
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        yield build_features(database, make_config()).manifests
    finally:
        await database.close()


def test_every_feature_folder_has_a_manifest() -> None:
    assert folders_without_manifest(PACKAGE / FEATURES) == []


def test_a_feature_without_a_manifest_is_found(tmp_path: Path) -> None:
    for name, manifest in (("done", "def manifest(setup):\n    ...\n"), ("bare", None)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("", "utf-8")
        if manifest is not None:
            (tmp_path / name / "manifest.py").write_text(manifest, "utf-8")
    (tmp_path / "empty_manifest").mkdir()
    (tmp_path / "empty_manifest" / "__init__.py").write_text("", "utf-8")
    (tmp_path / "empty_manifest" / "manifest.py").write_text("NAME = 'x'\n", "utf-8")
    assert folders_without_manifest(tmp_path) == ["bare", "empty_manifest"]


def test_app_lists_every_manifest_once() -> None:
    """One list in app.py: each feature folder's ``manifest`` (and the kernel's jobs)."""
    modules = [inspect.getmodule(factory) for factory in MANIFESTS]
    features = sorted(
        module.__name__.split(".")[2]
        for module in modules
        if module is not None and module.__name__.startswith("cpts_bot.features.")
    )
    folders = sorted(p.parent.name for p in (PACKAGE / FEATURES).glob("*/manifest.py"))
    assert features == folders
    assert len(MANIFESTS) == len(folders) + 1  # the kernel's data minimisation jobs
    assert role_of_file("features/dispatch/manifest.py") == "app"


async def test_the_bot_registers_exactly_what_the_manifests_declare(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "router.sqlite")
    try:
        features = build_features(database, make_config())
        router = CommandRouter(database, make_config(), BOT, features.chat, lambda: None)
    finally:
        await database.close()
    manifests = features.manifests
    declared = [c.name for m in manifests for c in m.commands]
    assert len(declared) == len(set(declared)), "a command declared by two manifests"
    core = {c.name for c in core_commands(router)}
    assert {c.name for c in router.commands.commands} == set(declared) | core

    routes = Routes.of(*features.chat)
    follow_ups = [f.prefix for m in manifests for f in m.follow_ups]
    assert sorted(routes.follow_ups._by_prefix) == sorted(follow_ups)

    assert sorted(j.name for j in features.jobs) == sorted(
        j.name for m in manifests for j in m.jobs
    )
    assert {j.name for j in features.jobs} == JOBS
    assert {prefix for prefix, _hook in features.sent_listeners} == SENT_HOOKS
    assert {prefix for prefix, _hook in features.failure_listeners} == FAILED_HOOKS
    assert features.before_event == [h for m in manifests for h in m.before_event]


def test_app_registers_nothing_itself() -> None:
    """app.py declares no command, follow-up or feature object, and writes no prefix;
    its only jobs are the kernel's."""
    source = inspect.getsource(app)
    tree = ast.parse(source)
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"Command", "FollowUp", "Declared"}
    assert not [n for n in called if n.endswith("Feature")]
    assert [job.name for job in app.KERNEL.jobs] == ["erase-details", "retention"]
    assert not [c.value for c in _literals(tree) if c.value.endswith(":")]


async def test_correlation_prefixes_have_one_owner(manifests: list[FeatureManifest]) -> None:
    assert prefix_clashes(manifests) == []
    owned = {p for m in manifests for p in m.correlation_prefixes}
    assert owned >= SENT_HOOKS | FAILED_HOOKS | {"alert-reminder:", "alert-draft:"}


def test_a_clash_of_prefixes_is_found() -> None:
    one = FeatureManifest("one", correlation_prefixes=("offer:",))
    two = FeatureManifest("two", correlation_prefixes=("offer:gp:",))
    three = FeatureManifest("three", correlation_prefixes=("other:",))
    assert prefix_clashes([one, three]) == []
    assert prefix_clashes([one, two, three]) == ["'offer:' (one) and 'offer:gp:' (two)"]
    assert len(prefix_clashes([one, one])) == 1


def test_a_manifest_answers_only_its_own_prefixes() -> None:
    """A follow-up or a hook on a correlation the feature does not own is refused."""
    reply = FollowUp("dispatch:")
    with pytest.raises(ValueError, match="does not own"):
        FeatureManifest("cover", follow_ups=(reply,), correlation_prefixes=("swap:",))

    async def hook(*_args: object) -> None: ...

    with pytest.raises(ValueError, match="does not own"):
        FeatureManifest("cover", on_sent=(("dispatch:", hook),))
    FeatureManifest("dispatch", follow_ups=(reply,), correlation_prefixes=("dispatch:",))


async def test_each_prefix_is_written_once(manifests: list[FeatureManifest]) -> None:
    """Every other use refers to the one constant (``storage/outbox_delivery.py``'s
    patterns, the correlations built and parsed, the follow-ups, the hooks)."""
    owned = {p for m in manifests for p in m.correlation_prefixes}
    written = prefix_literals(PACKAGE, owned)
    assert {p: places for p, places in written.items() if len(places) != 1} == {}


def test_a_second_prefix_literal_is_found(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text('"""``swap:1`` in a docstring."""\nP = "swap:"\n', "utf-8")
    (tmp_path / "delivery.py").write_text('PATTERN = "swap:%"\nX = f"swap:{1}"\n', "utf-8")
    assert prefix_literals(tmp_path, {"swap:"}) == {
        "swap:": ["delivery.py:1", "delivery.py:2", "models.py:2"]
    }


async def test_every_prefix_literal_is_owned_by_a_manifest(
    manifests: list[FeatureManifest],
) -> None:
    """A key prefix written outside what the manifests own (as « stuck: » once was, in
    the delivery reports and again in the gateway) is found, wherever it is written."""
    owned = {p for m in manifests for p in m.correlation_prefixes}
    found = prefix_shaped(PACKAGE)
    stray = {p: places for p, places in found.items() if p not in owned | set(NOT_PREFIXES)}
    assert stray == {}, "declare these prefixes once, owned by a manifest"
    assert set(NOT_PREFIXES) <= set(found), "remove from NOT_PREFIXES (no longer written)"
    assert "stuck:" in owned


def test_a_stray_prefix_literal_is_found(tmp_path: Path) -> None:
    (tmp_path / "gateway.py").write_text(
        'async def sent(row):\n    await forget(f"stuck:{row.target}")\n', "utf-8"
    )
    (tmp_path / "reports.py").write_text(
        'S = "stuck:"\nP = "swap:%"\nT = f"trust:notice:{1}"\nU = "Refusé : non"\n', "utf-8"
    )
    assert prefix_shaped(tmp_path) == {
        "stuck:": ["gateway.py:2", "reports.py:1"],
        "swap:": ["reports.py:2"],
        "trust:notice:": ["reports.py:3"],
    }
