"""Quiet hours (21:00–08:00 by default) hold back every reminder but an urgent one: here
the alerts' reminders (the duty and dispatch reminders are tested with them)."""

from __future__ import annotations

from datetime import time, timedelta

from cpts_bot.features.rota.quiet_hours import QuietHours
from tests.unit.test_alerts_feature import Chat, chat, paris  # noqa: F401


def reminders(rows: list[dict]) -> list[dict]:
    return [row for row in rows if row["action"] == "direct_message"]


async def post(chat: Chat, level: str) -> None:  # noqa: F811
    evening = paris(2026, 11, 23, 20, 40)
    await chat.say(
        f"alerte {level}: Fermeture | quand: maintenant | pour: tous | rappel: 30 min", at=evening
    )
    await chat.say("oui", at=evening)
    summary, _rows = await chat.tick(evening + timedelta(minutes=1))
    assert len(summary.posted) == 1
    await chat.send_all()


async def test_an_important_alert_reminds_after_the_quiet_hours(chat: Chat) -> None:  # noqa: F811
    await post(chat, "important")
    _summary, rows = await chat.tick(paris(2026, 11, 23, 21, 15))
    assert reminders(rows) == []
    _summary, rows = await chat.tick(paris(2026, 11, 24, 7, 59))
    assert reminders(rows) == []
    _summary, rows = await chat.tick(paris(2026, 11, 24, 8, 0))
    assert reminders(rows) != []


async def test_an_urgent_alert_reminds_in_the_quiet_hours(chat: Chat) -> None:  # noqa: F811
    await post(chat, "urgent")
    _summary, rows = await chat.tick(paris(2026, 11, 23, 21, 15))
    assert reminders(rows) != []


def test_quiet_hours_settings() -> None:
    quiet = QuietHours()
    assert quiet.contains(paris(2026, 11, 23, 21, 0)) and quiet.contains(paris(2026, 11, 24, 7, 59))
    assert not quiet.contains(paris(2026, 11, 24, 8, 0))
    assert not QuietHours(start=time(0), end=time(0)).contains(paris(2026, 11, 24, 3, 0))
    try:
        QuietHours.model_validate({"start": 1260})  # YAML's reading of an unquoted 21:00
    except ValueError as error:
        assert 'in quotes, such as "21:00"' in str(error)
    else:
        raise AssertionError("an unquoted time must be refused")
