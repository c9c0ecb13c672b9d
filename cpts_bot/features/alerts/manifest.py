"""Territorial alerts, as the bot registers them: the coordination's commands, the
answers to the posts, reminders and drafts, the job posting what is due, the outbox
telling which event a post became, and a pin that failed."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from cpts_bot.chat.feature_manifest import FeatureManifest
from cpts_bot.features.alerts.acknowledgement_service import on_sent
from cpts_bot.features.alerts.chat import DRAFT_CORRELATION_PREFIX, AlertsFeature
from cpts_bot.features.alerts.pins_service import PIN_CORRELATION_PREFIX, on_pin_failed
from cpts_bot.features.alerts.posting_service import CORRELATION_PREFIX, run_due_alerts
from cpts_bot.features.alerts.reminders_service import REMINDER_CORRELATION_PREFIX
from cpts_bot.features.alerts.run_service import AlertSettings
from cpts_bot.services.context import Context
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob


def manifest(setup: FeatureSetup) -> FeatureManifest:
    config = setup.config.alerts
    settings = AlertSettings(
        grace=timedelta(minutes=config.grace_minutes),
        default_in_force=timedelta(hours=config.default_in_force_hours),
        check_every=timedelta(seconds=config.check_seconds),
        snooze=timedelta(minutes=config.snooze_minutes),
    )
    alerts = AlertsFeature(members=setup.members, settings=settings)

    async def post_due(context: Context) -> None:
        await run_due_alerts(
            context,
            context.now,
            members=setup.members,
            settings=settings,
            bot_user_id=context.bot_user_id,
        )

    pin_failed = partial(on_pin_failed, default_language=setup.config.language)
    return FeatureManifest(
        "alerts",
        commands=tuple(alerts.commands()),
        follow_ups=tuple(alerts.follow_ups()),
        jobs=(PeriodicJob("alerts", config.check_seconds, post_due),),
        on_sent=((CORRELATION_PREFIX, on_sent),),
        on_failed=((PIN_CORRELATION_PREFIX, pin_failed),),
        correlation_prefixes=(
            CORRELATION_PREFIX,
            REMINDER_CORRELATION_PREFIX,
            DRAFT_CORRELATION_PREFIX,
            PIN_CORRELATION_PREFIX,
        ),
    )
