"""Running on an access token alone (Matrix Authentication Service, MAS): what the bot
says when the homeserver refuses the token, and when it asks a person to approve a
change of the bot's cross-signing keys.

A refused token (revoked, expired, its device logged out) ends the bot with one line:
retrying cannot make the homeserver accept it again, and a loop of refused requests only
fills the logs. An approval the bot cannot give itself (a password it does not have, a
reset to approve in the account page) leaves the device unsigned with one warning: the
bot keeps answering the clients that do not exclude unverified devices.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from nio import AsyncClient

from cpts_bot.core.errors import ConfigurationError
from cpts_bot.matrix.cross_signing import (
    CrossSigningApprovalNeeded,
    CrossSigningStatus,
    ensure_cross_signed,
)
from cpts_bot.settings import BotSettings

log = logging.getLogger(__name__)

REFUSED_TOKEN_CODES = ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN")


class AccessTokenRefused(ConfigurationError):
    """The homeserver no longer accepts the bot's access token."""

    def __init__(self, user_id: str, detail: str) -> None:
        super().__init__(
            f"the homeserver refuses the access token of {user_id} ({detail}): it was "
            "revoked, has expired, or its device was logged out. Issue a new token for "
            "the same device (with MAS: `mas-cli manage issue-compatibility-token USER "
            "DEVICE`), set CPTS_ACCESS_TOKEN to it and start the bot "
            "again (docs/e2ee.md). The bot does not retry with a refused token."
        )


def is_refused_token(response: Any) -> bool:
    """True when a nio error response says the access token is unknown or missing."""
    return getattr(response, "status_code", None) in REFUSED_TOKEN_CODES


def raise_if_refused(user_id: str, response: Any) -> None:
    """:class:`AccessTokenRefused` when ``response`` is a refusal of the token."""
    if is_refused_token(response):
        raise AccessTokenRefused(user_id, refusal_detail(response))


def refusal_detail(response: Any) -> str:
    code = getattr(response, "status_code", None) or "?"
    message = getattr(response, "message", None) or ""
    return f"{code}: {message}" if message else str(code)


def approval_message(user_id: str, answer: dict[str, Any]) -> str:
    """One line saying what to approve and where, from a user-interactive auth challenge
    to ``keys/device_signing/upload``."""
    for stage, params in (answer.get("params") or {}).items():
        url = params.get("url") if isinstance(params, dict) else None
        if url:
            return (
                f"The homeserver asks a person to approve the replacement of the "
                f"cross-signing keys of {user_id} ({stage}): open {url} signed in as "
                f"{user_id}, approve the reset of its identity, then restart the bot "
                "within 10 minutes."
            )
    return (
        f"The homeserver asks for the password of {user_id} to replace its existing "
        "cross-signing keys: set CPTS_PASSWORD for one start, or run `cpts-bot "
        "restore-cross-signing` with the recovery key."
    )


async def cross_sign_or_warn(
    client: AsyncClient, settings: BotSettings, data_dir: Path
) -> CrossSigningStatus:
    """:func:`ensure_cross_signed`; when only a person can approve it (token login),
    one warning line and an unsigned device instead of a refusal to start."""
    try:
        return await ensure_cross_signed(client, settings, data_dir)
    except CrossSigningApprovalNeeded as needed:
        what = approval_message(needed.user_id, needed.answer)
        log.warning(
            "%s Until then the device %s is not cross-signed: clients that exclude "
            "unverified devices will not talk to the bot; the others still do.",
            what,
            client.device_id,
        )
        return CrossSigningStatus(enabled=True, device_id=client.device_id, waiting_for=what)
