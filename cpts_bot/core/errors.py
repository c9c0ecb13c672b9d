"""One family for the errors the bot raises on purpose.

The command line turns any :class:`CptsBotError` into its message and ``exit_code``; the
router catches everything once, logs it with the event id and apologises. Expected
outcomes (nothing found, already taken, a phrase not understood) are values, never
exceptions. The family lives in the pure core so that every layer may use it.
"""

from __future__ import annotations


class CptsBotError(Exception):
    """Base of every error the bot raises on purpose."""

    exit_code = 1


class ConfigurationError(CptsBotError):
    """The bot cannot run as set up: settings, rooms file, database schema, login."""

    exit_code = 2


class InputFileError(CptsBotError):
    """A file given to an import cannot be read as what it should be."""

    exit_code = 1


class MatrixError(CptsBotError):
    """The homeserver (or matrix-nio) refused or failed a request.

    ``transient``: worth retrying (rate limit, server error, network); ``code``: the
    Matrix error code or HTTP status when there is one."""

    def __init__(self, message: str, *, transient: bool, code: str = "") -> None:
        super().__init__(message)
        self.transient = transient
        self.code = code


class StateError(CptsBotError):
    """A change that the state of a thing forbids (a transition a table does not allow)."""
