from __future__ import annotations

from cpts_bot.core.room_powers import Power, missing_powers

BOT = "@bot:hs"


def test_default_member_lacks_everything() -> None:
    levels = {"users": {"@admin:hs": 100}, "users_default": 0}
    assert missing_powers(levels, BOT) == [Power.ROOM_MENTION, Power.PIN, Power.REDACT]


def test_moderator_has_everything_with_spec_defaults() -> None:
    assert missing_powers({"users": {BOT: 50}}, BOT) == []


def test_room_specific_levels() -> None:
    levels = {
        "users": {BOT: 20},
        "notifications": {"room": 10},
        "events": {"m.room.pinned_events": 20},
        "state_default": 50,
        "redact": 50,
    }
    assert missing_powers(levels, BOT) == [Power.REDACT]
    assert missing_powers({**levels, "redact": "20"}, BOT) == []


def test_users_default_applies_and_bad_values_fall_back() -> None:
    assert missing_powers({"users_default": 100}, BOT) == []
    assert missing_powers({"users": {BOT: "x"}, "users_default": 50}, BOT) == []
