"""The one boundary where matrix-nio's error values become exceptions of the family.

matrix-nio returns an ``ErrorResponse`` (or another response type) instead of raising;
:func:`checked` turns anything but the expected response into a
:class:`~cpts_bot.core.errors.MatrixError`, transient or not.

matrix-nio retries a 429 (``M_LIMIT_EXCEEDED``) itself after ``retry_after_ms``, showing
each refusal only to the response callbacks: :func:`record_rate_limits` notes them in
the database for ``cpts-bot status`` (throttling seen in the last hour).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from nio import AsyncClient, ErrorResponse

from cpts_bot.core.errors import MatrixError
from cpts_bot.storage.database import Database
from cpts_bot.storage.delivery_health import record_refusal

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


# The endpoint a refused request was for, from its path (the first that matches).
_ENDPOINTS = ("/send/", "/createRoom", "/invite", "/keys/claim", "/keys/upload", "/upload")


def rate_limit_of(response: Any) -> tuple[str, int | None] | None:
    """``(endpoint, retry_after_ms)`` when ``response`` is a 429 refusal, else None."""
    if not isinstance(response, ErrorResponse):
        return None
    transport = getattr(response, "transport_response", None)
    if response.status_code not in ("M_LIMIT_EXCEEDED", 429, "429") and (
        getattr(transport, "status", None) != 429
    ):
        return None
    path = str(getattr(getattr(transport, "url", None), "path", "") or "")
    endpoint = next((name.strip("/") for name in _ENDPOINTS if name in path), "other")
    return endpoint, getattr(response, "retry_after_ms", None)


def record_rate_limits(client: AsyncClient, database: Database) -> None:
    """Record every 429 refusal ``client`` meets (see the module's docstring)."""

    async def observe(response: Any) -> None:
        refusal = rate_limit_of(response)
        if refusal is not None:
            await record_refusal(database, datetime.now(UTC), *refusal)

    client.add_response_callback(observe, ErrorResponse)  # type: ignore[arg-type]
