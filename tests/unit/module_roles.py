"""A module's role, for the architecture tests: where it lives, or inside a feature folder
what its name says.

``cpts_bot/features/<feature>/`` holds every role of one feature; a file's name tells its
role there: ``*repository`` is storage (it may hold SQL), ``*service`` / ``*jobs`` are
services, ``*chat`` / ``*commands`` / ``*replies`` / ``*follow_ups`` are chat, ``manifest``
is composition (the role of ``app.py``: it imports every role, and no layer imports it),
and anything else is pure domain. ``cpts_bot/core/`` is the pure kernel (domain rules).
Every other folder (``storage``, ``services``, ``chat``, ``matrix``, ...) is its own role,
as before.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cpts_bot"
FEATURES = "features"
KERNEL = {"core": "domain"}
ROLE_SUFFIXES = {
    # A feature's manifest composes its chat, services and jobs, as app.py composes the
    # features: it may import every role of its feature, and only app.py imports it.
    "app": ("manifest",),
    "storage": ("repository",),
    "services": ("service", "jobs"),
    "chat": ("chat", "commands", "replies", "follow_ups"),
}


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
        return ".".join(["cpts_bot", role_of_name(parts[-1]), *parts[3:]])
    if len(parts) >= 2 and parts[0] == "cpts_bot" and parts[1] in KERNEL:
        return ".".join(["cpts_bot", KERNEL[parts[1]], *parts[2:]])
    return module


def modules_by_role(role: str) -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if role_of_file(path.relative_to(PACKAGE).as_posix()) == role
    ]
