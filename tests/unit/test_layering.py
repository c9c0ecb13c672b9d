"""The dependency rules of docs/architecture.md, checked on the imports themselves.

- domain imports nothing of ours but domain (and no I/O library);
- services never import chat, matrix, reporting or scheduling;
- matrix is a transport of inbox and outbox: it imports neither chat nor services;
- storage imports only domain (and settings);
- scheduling only wakes services up: no chat, no matrix;
- chat never imports matrix, scheduling or storage (it asks the services);
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
OUTER = ("cpts_bot.app", "cpts_bot.cli", "cpts_bot.devtools")

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
KNOWN: set[str] = {
    # The router reads the inbox and opens each event's transaction and outbox: it is the
    # inbox machinery rather than a feature's chat; it moves out of chat/ with the
    # feature folders.
    "chat/command_router.py imports cpts_bot.storage",
    "chat/command_router.py imports cpts_bot.storage.database",
    "chat/command_router.py imports cpts_bot.storage.outbox",
    # Holding back an answer to an event the outbox may not have recorded yet is part of
    # that inbox machinery (the router calls it on inbox rows).
    "chat/answer_matching.py imports cpts_bot.storage",
    "chat/answer_matching.py imports cpts_bot.storage.core_repository",
    "chat/answer_matching.py imports cpts_bot.storage.database",
    # Follow-ups find what a reply answers by the outbox correlation, read with the inbox
    # machinery's repository; it goes behind a service with the router's move.
    "chat/follow_ups.py imports cpts_bot.storage",
}


# Chat modules that still hand the database connection (``context.db``) to code of their
# own, rather than asking a service: the chat then does the work a service should. The
# list only shrinks (the rota, card and directory chats ask their services).
KNOWN_DATABASE_USERS: dict[str, str] = {
    "chat/answer_matching.py": "inbox machinery: holds back answers the outbox may not know yet",
    "chat/command_dispatch.py": "inbox machinery: routes one event in its transaction",
    "chat/core_feature.py": "the language choice is stored straight from the command",
    "chat/follow_ups.py": "inbox machinery: finds what a reply answers by its correlation",
    "chat/offer_follow_ups.py": "the offer follow-up reads its kind's waiting offers",
    "features/alerts/chat.py": "alert management reads the repositories from the chat",
    "features/alerts/replies.py": "alert replies read firings and acknowledgements",
    "features/handoff/chat.py": "the hand-off reads its repository from the chat",
    "features/reports/chat.py": "the report command reads the month's rows from the chat",
}


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
