"""The dependency rules of docs/architecture.md, checked on the imports themselves.

- domain imports nothing of ours but domain (and no I/O library);
- services never import chat, matrix, reporting or scheduling;
- matrix is a transport of inbox and outbox: it imports neither chat nor services;
- storage imports only domain (and settings);
- scheduling only wakes services up: no chat, no matrix;
- chat never imports matrix, scheduling or storage (it asks the services);
- inbox (the router: stored inbox rows to the chat, each in its transaction, replies to
  the outbox) may import chat, services, storage and domain, never matrix, scheduling
  or nio; no layer imports it (only ``app.py``, the command line, the developer tools);
- only ``app.py`` (and the command line, the developer tools) import every layer.

A back-arrow that is known and not yet removed is listed in ``KNOWN`` with why; any
other fails, and so does a ``KNOWN`` entry that no longer exists (so the list shrinks).

A module's role is its folder (``storage``, ``services``, ``chat``, ``matrix``, ...; the
kernel ``core`` is domain) or, inside a feature folder, what its name says
(``tests/unit/module_roles.py``): ``*repository`` storage, ``*service`` / ``*jobs``
services, ``*chat`` / ``*commands`` / ``*replies`` / ``*follow_ups`` chat, anything else
domain. The rules below apply by role.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.unit.module_roles import as_layer_module, modules_by_role, role_of_file

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
# What no layer imports: the composition root, the command line, the developer tools, and
# the inbox machinery they start (the router, between the stored inbox and the chat).
OUTER = ("cpts_bot.app", "cpts_bot.cli", "cpts_bot.devtools", "cpts_bot.inbox")

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
        "cpts_bot.reporting",
        "cpts_bot.importers",
        "cpts_bot.settings",
        "cpts_bot.i18n",
        *OUTER,
    ),
    "services": (
        "nio",
        "apscheduler",
        "cpts_bot.chat",
        "cpts_bot.matrix",
        "cpts_bot.reporting",
        "cpts_bot.scheduling",
        *OUTER,
    ),
    "matrix": (
        "apscheduler",
        "cpts_bot.chat",
        "cpts_bot.services",
        "cpts_bot.scheduling",
        "cpts_bot.reporting",
        *OUTER,
    ),
    "storage": (
        "nio",
        "apscheduler",
        "cpts_bot.matrix",
        "cpts_bot.chat",
        "cpts_bot.services",
        "cpts_bot.scheduling",
        "cpts_bot.reporting",
        *OUTER,
    ),
    "scheduling": ("nio", "cpts_bot.chat", "cpts_bot.matrix", "cpts_bot.reporting", *OUTER),
    "chat": (
        "nio",
        "apscheduler",
        "cpts_bot.matrix",
        "cpts_bot.scheduling",
        "cpts_bot.storage",
        *OUTER,
    ),
    # The inbox machinery: between the stored inbox and outbox and the chat features, as
    # matrix/ is between nio and the rest.
    "inbox": (
        "nio",
        "apscheduler",
        "cpts_bot.matrix",
        "cpts_bot.scheduling",
        "cpts_bot.reporting",
        "cpts_bot.app",
        "cpts_bot.cli",
        "cpts_bot.devtools",
    ),
    # Reports and exports: rendered from the repositories, posted through the outbox.
    "reporting": (
        "nio",
        "apscheduler",
        "cpts_bot.chat",
        "cpts_bot.matrix",
        "cpts_bot.scheduling",
        *OUTER,
    ),
}

# Known back-arrows, each with the reason it is still there. Remove an entry when its
# import goes; never add one without saying why.
KNOWN: set[str] = set()


# Chat modules that still hand the database connection (``context.db``) to code of their
# own, rather than asking a service: the chat then does the work a service should. The
# list only shrinks, and is empty: every chat asks its services with the context.
KNOWN_DATABASE_USERS: dict[str, str] = {}


def database_users() -> set[str]:
    """Chat modules that read ``.db`` (the connection of a context) themselves."""
    return {
        path.relative_to(PACKAGE).as_posix()
        for path in modules_by_role("chat")
        if any(
            isinstance(node, ast.Attribute) and node.attr == "db"
            for node in ast.walk(ast.parse(path.read_text("utf-8")))
        )
    }


def test_chat_asks_services_rather_than_the_database() -> None:
    found = database_users()
    new = sorted(found - set(KNOWN_DATABASE_USERS))
    gone = sorted(set(KNOWN_DATABASE_USERS) - found)
    assert not new, "chat using the database: ask a service instead:\n" + "\n".join(new)
    assert not gone, "remove from KNOWN_DATABASE_USERS (fixed):\n" + "\n".join(gone)


def imported_modules(path: Path) -> set[str]:
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
    return found


def banned(layer: str, module: str) -> bool:
    """Whether ``layer`` may not import ``module`` (a feature module counts as its role)."""
    name = as_layer_module(module)
    return any(name == prefix or name.startswith(prefix + ".") for prefix in RULES[layer])


def offences(layer: str) -> set[str]:
    return {
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in modules_by_role(layer)
        for module in imported_modules(path)
        if banned(layer, module)
    }


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    new = sorted(offences(layer) - KNOWN)
    assert not new, "new back-arrows:\n" + "\n".join(new)


def test_every_known_back_arrow_still_exists() -> None:
    everything = set().union(*(offences(layer) for layer in RULES))
    gone = sorted(KNOWN - everything)
    assert not gone, "remove from KNOWN (fixed):\n" + "\n".join(gone)


def test_the_rules_catch_a_back_arrow(tmp_path: Path) -> None:
    """The check reads real imports: a services module importing chat is an offence."""
    module = tmp_path / "example.py"
    module.write_text("from cpts_bot.core.messages import Reply\nimport nio\n", "utf-8")
    imported = imported_modules(module)
    banned = RULES["services"]
    assert [m for m in imported if any(m == b or m.startswith(b + ".") for b in banned)]


def test_a_role_is_read_from_the_name_inside_a_feature(tmp_path: Path) -> None:
    """Inside a feature folder, a pure module importing its feature's repository or chat
    is an offence, and a service importing the feature's chat is one too."""
    module = tmp_path / "example.py"
    module.write_text(
        "from cpts_bot.features.dispatch import repository\n"
        "from cpts_bot.features.dispatch.commands import DISPATCH\n",
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
    assert {m for m in imported if banned("services", m)} == {"cpts_bot.features.dispatch.commands"}


# The shared services (``services/``: the context, the offer engine, people, ...) serve
# every feature, so they import none: the role rules above cannot see it, since a
# feature's ``*_service.py`` is a service too and services may import services (that is
# how ``services/offer_service.py`` came to import the dispatch feature's
# ``context_service``). What a shared service needs of a feature is handed to it (a
# protocol, a hook) or moved to the kernel or the shared layers. The imports still
# there, each with why; the list only shrinks.
KNOWN_FEATURE_IMPORTS: dict[str, str] = {
    "services/context.py imports cpts_bot.features.directory.models": (
        "the context's directory lookup returns the directory's Professional"
    ),
    "services/context.py imports cpts_bot.features.dispatch.policy": (
        "the context reads the dispatch policy from the settings for every handler"
    ),
    "services/context.py imports cpts_bot.features.rota.repository": (
        "a person's display name falls back on the name the rota gives them"
    ),
    "services/data_minimisation.py imports cpts_bot.features.dispatch.policy": (
        "the kernel's erasure job reads how long the dispatch details are kept"
    ),
    "services/data_minimisation.py imports cpts_bot.features.dispatch.repository": (
        "the kernel's erasure job erases the dispatch details and drafts"
    ),
    "services/feature_setup.py imports cpts_bot.features.alerts.audience_service": (
        "what the manifests are built from holds the alert room members"
    ),
    "services/feature_setup.py imports cpts_bot.features.directory.index_provider_service": (
        "what the manifests are built from holds the directory's search index"
    ),
    "services/feature_setup.py imports cpts_bot.features.reports.request_tracking_service": (
        "what the manifests are built from holds the recent questions tracker"
    ),
    "services/people.py imports cpts_bot.features.directory.models": (
        "people are read from the directory's cards"
    ),
    "services/people.py imports cpts_bot.features.directory.repository": (
        "people are read from the directory's cards"
    ),
    "services/people.py imports cpts_bot.features.rota.repository": (
        "a person's name falls back on the name the rota gives them"
    ),
}


def shared_services_importing_features(package: Path = PACKAGE) -> set[str]:
    """``services/x.py imports cpts_bot.features.<f>.<module>`` for each feature module a
    shared service imports (``from cpts_bot.features.f import m`` names ``m``)."""
    found = set()
    for path in sorted((package / "services").rglob("*.py")):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[:2] == ["cpts_bot", "features"] and len(parts) >= 4:
                found.add(f"{path.relative_to(package).as_posix()} imports {module}")
    return found


def test_shared_services_never_import_a_feature() -> None:
    found = shared_services_importing_features()
    new = sorted(found - set(KNOWN_FEATURE_IMPORTS))
    gone = sorted(set(KNOWN_FEATURE_IMPORTS) - found)
    assert not new, "a shared service imports a feature (hand it in instead):\n" + "\n".join(new)
    assert not gone, "remove from KNOWN_FEATURE_IMPORTS (fixed):\n" + "\n".join(gone)


def test_a_shared_service_importing_a_feature_is_found(tmp_path: Path) -> None:
    """The offer engine importing a feature's service is what the rule catches."""
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "offer_service.py").write_text(
        "from cpts_bot.features.dispatch.context_service import respond\n"
        "from cpts_bot.features.cover import repository\n"
        "from cpts_bot.services.responding import respond_with\n",
        "utf-8",
    )
    assert shared_services_importing_features(tmp_path) == {
        "services/offer_service.py imports cpts_bot.features.dispatch.context_service",
        "services/offer_service.py imports cpts_bot.features.cover.repository",
    }


def test_chat_never_imports_storage_not_even_as_a_known_exception() -> None:
    """The chat asks the services (``services/answered.py`` for what an answer answers);
    no entry of ``KNOWN`` may excuse a chat module importing storage."""
    excused = sorted(
        k for k in KNOWN if k.endswith(" imports cpts_bot.storage") or ".storage." in k
    )
    found = sorted(o for o in offences("chat") if "cpts_bot.storage" in o)
    assert not excused and not found, "\n".join([*excused, *found])


def test_the_inbox_is_a_layer_of_its_own() -> None:
    """The router lives in ``inbox/``: it may read the stored inbox and outbox and call the
    chat, never nio or matrix, and no layer (chat, services, matrix, ...) imports it."""
    assert role_of_file("inbox/command_router.py") == "inbox"
    assert role_of_file("inbox/held_answers.py") == "inbox"
    assert not banned("inbox", "cpts_bot.storage.outbox")
    assert not banned("inbox", "cpts_bot.chat.command_dispatch")
    assert banned("inbox", "cpts_bot.matrix.sync_loop")
    assert banned("inbox", "nio")
    for layer in sorted(set(RULES) - {"inbox"}):
        assert banned(layer, "cpts_bot.inbox.command_router"), layer
    assert banned("chat", "cpts_bot.storage.core_repository")
    assert banned("chat", "cpts_bot.features.dispatch.repository")
