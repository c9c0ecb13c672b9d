"""The one boundary where matrix-nio's error values become exceptions of the family.

matrix-nio returns an ``ErrorResponse`` (or another response type) instead of raising;
:func:`checked` turns anything but the expected response into a
:class:`~cpts_bot.domain.errors.MatrixError`, transient or not.
"""

from __future__ import annotations

from typing import Any, TypeVar

from nio import ErrorResponse

from cpts_bot.domain.errors import MatrixError

T = TypeVar("T")

# Matrix error codes worth a retry (nio puts the errcode in ``status_code``). A refused
# access token is not the request's fault: the bot stops on it (token_login.py), and
# what was to be sent waits for the next start with a new token.
TRANSIENT_CODES = frozenset({"M_LIMIT_EXCEEDED", "M_UNKNOWN", "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN"})


def error_of(response: Any, action: str) -> MatrixError:
    """The :class:`MatrixError` ``response`` stands for."""
    if isinstance(response, ErrorResponse):
        code = str(response.status_code or "")
        transient = code in TRANSIENT_CODES or code.startswith("5") or not code
        return MatrixError(
            f"{action}: {code} {response.message}".strip(), transient=transient, code=code
        )
    return MatrixError(f"{action}: unexpected {type(response).__name__}", transient=True)


def checked(response: Any, expected: type[T], action: str) -> T:
    """``response`` when it is an ``expected``; otherwise raise its :class:`MatrixError`."""
    if isinstance(response, expected):
        return response
    raise error_of(response, action)
