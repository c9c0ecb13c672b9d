"""The installed end-to-end encryption stack, checked before the bot logs in.

vodozemac before 0.10.0 accepts Olm sessions built on all-zero (non-contributory)
keys; matrix-nio 0.26 still allows ``vodozemac>=0.9.0.post2``, so the project asks for
0.10.0 itself and the bot refuses to start on anything older, whatever the resolver
installed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from importlib import metadata

from cpts_bot.core.errors import ConfigurationError

MINIMUM_VERSIONS = {"vodozemac": (0, 10, 0), "matrix-nio": (0, 26, 0)}


class CryptoStackError(ConfigurationError):
    """The installed crypto libraries are missing or too old to run the bot safely."""


def release_of(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: ``0.9.0.post2`` -> ``(0, 9, 0)``,
    ``0.10.0rc1`` -> ``(0, 10, 0)``; an unreadable version gives ``()``."""
    match = re.match(r"\d+(?:\.\d+)*", version.strip().lstrip("vV"))
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def _is_older(release: tuple[int, ...], minimum: tuple[int, ...]) -> bool:
    width = max(len(release), len(minimum))
    padded = release + (0,) * (width - len(release))
    return padded < minimum + (0,) * (width - len(minimum))


MISSING = "missing"


def installed_versions(
    names: Iterable[str], version_of: Callable[[str], str] | None = None
) -> dict[str, str]:
    """The installed version of each distribution (``missing`` when absent)."""
    version_of = version_of or metadata.version
    found = {}
    for name in names:
        try:
            found[name] = version_of(name)
        except metadata.PackageNotFoundError:
            found[name] = MISSING
    return found


def crypto_versions(version_of: Callable[[str], str] | None = None) -> dict[str, str]:
    """The installed version of each library of the crypto stack (``missing`` when absent)."""
    return installed_versions(MINIMUM_VERSIONS, version_of)


def check_crypto_stack(version_of: Callable[[str], str] | None = None) -> dict[str, str]:
    """The crypto stack's versions, or :class:`CryptoStackError` naming what to upgrade."""
    versions = crypto_versions(version_of)
    problems = []
    for name, minimum in MINIMUM_VERSIONS.items():
        wanted = ".".join(str(part) for part in minimum)
        installed = versions[name]
        release = release_of(installed) if installed != MISSING else ()
        if not release or _is_older(release, minimum):
            problems.append(f"{name} {installed} is installed, {wanted} or later is needed")
    if problems:
        raise CryptoStackError(
            "refusing to start with an unsafe end-to-end encryption stack: "
            + "; ".join(problems)
            + " (vodozemac before 0.10.0 accepts Olm sessions built on all-zero keys)."
            " Upgrade with `pip install --upgrade 'vodozemac>=0.10.0'`."
        )
    return versions
