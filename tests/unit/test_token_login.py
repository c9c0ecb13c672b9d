"""Token login: a refused token and an approval only a person can give, each said in
one clear line."""

from __future__ import annotations

from nio import RoomSendError, SyncError, WhoamiError

from cpts_bot.matrix.nio_responses import error_of
from cpts_bot.matrix.token_login import (
    AccessTokenRefused,
    approval_message,
    is_refused_token,
    refusal_detail,
)

BOT = "@bot:hs"


def test_an_unknown_token_is_a_refusal_and_other_errors_are_not() -> None:
    revoked = SyncError("Invalid access token passed.", "M_UNKNOWN_TOKEN")
    assert is_refused_token(revoked)
    assert is_refused_token(WhoamiError("Missing access token", "M_MISSING_TOKEN"))
    assert not is_refused_token(SyncError("Too many requests", "M_LIMIT_EXCEEDED"))
    assert not is_refused_token(ConnectionError("refused"))
    assert refusal_detail(revoked) == "M_UNKNOWN_TOKEN: Invalid access token passed."


def test_the_refusal_says_what_happened_and_what_to_do() -> None:
    message = str(AccessTokenRefused(BOT, "M_UNKNOWN_TOKEN: Invalid access token passed."))
    assert "refuses the access token of @bot:hs" in message
    assert "revoked, has expired, or its device was logged out" in message
    assert "mas-cli manage issue-compatibility-token" in message
    assert "CPTS_ACCESS_TOKEN" in message
    assert "does not retry" in message
    assert "\n" not in message


def test_a_mas_reset_names_the_page_to_approve() -> None:
    challenge = {
        "session": "abc",
        "flows": [{"stages": ["org.matrix.cross_signing_reset"]}],
        "params": {
            "org.matrix.cross_signing_reset": {
                "url": "https://auth.example.org/account/?action=org.matrix.cross_signing_reset"
            }
        },
    }
    message = approval_message(BOT, challenge)
    assert "open https://auth.example.org/account/?action=org.matrix.cross_signing_reset" in message
    assert "signed in as @bot:hs" in message and "restart the bot within 10 minutes" in message


def test_the_spec_oauth_stage_is_read_the_same_way() -> None:
    challenge = {
        "session": "abc",
        "flows": [{"stages": ["m.oauth"]}],
        "params": {"m.oauth": {"url": "https://account.example.org/reset"}},
    }
    assert "open https://account.example.org/reset" in approval_message(BOT, challenge)


def test_a_password_challenge_asks_for_the_password_or_the_recovery_key() -> None:
    challenge = {"session": "abc", "flows": [{"stages": ["m.login.password"]}], "params": {}}
    message = approval_message(BOT, challenge)
    assert "set CPTS_PASSWORD for one start" in message
    assert "cpts-bot restore-cross-signing" in message


def test_a_send_refused_for_the_token_keeps_its_outbox_row() -> None:
    """Not a permanent failure of the row: it is sent after the restart with a new token."""
    assert error_of(RoomSendError("Invalid access token", "M_UNKNOWN_TOKEN"), "send").transient
    assert not error_of(RoomSendError("Not allowed", "M_FORBIDDEN"), "send").transient
