"""A person's choice about the reminders before their duties (« rappels de garde … »)."""

from __future__ import annotations

from cpts_bot.features.rota.reminders import duty_notice_repository as notices
from cpts_bot.features.rota.reminders.duty_reminder_policy import PersonalChoice
from cpts_bot.services.context import Context


async def choice_of(context: Context, user_id: str) -> PersonalChoice:
    return (await notices.choices(context.db)).get(user_id, PersonalChoice())


async def choose(context: Context, user_id: str, choice: PersonalChoice) -> None:
    await notices.set_choice(context.db, user_id, choice, context.now)
