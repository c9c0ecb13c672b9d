"""The duty rota, as the bot registers it: rota questions and changes, filling a duty,
the reminders' choices, and the job sending the reminders before each duty."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest
from cpts_bot.features.rota.chat import RotaFeature
from cpts_bot.features.rota.duty_fill_commands import duty_fill_commands
from cpts_bot.features.rota.reminders.duty_reminder_commands import DUTY_REMINDER_COMMANDS
from cpts_bot.features.rota.reminders.duty_reminders_service import DutyReminders
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob


def manifest(setup: FeatureSetup) -> FeatureManifest:
    rota = RotaFeature(setup.lookup)
    every = setup.config.duty_reminders.check_every_seconds
    return FeatureManifest(
        "rota",
        commands=(
            *rota.commands(),
            *duty_fill_commands(setup.lookup),
            *DUTY_REMINDER_COMMANDS,
        ),
        jobs=(PeriodicJob("duty-reminders", every, DutyReminders(setup.lookup).run_due),),
    )
