"""Reports, as the bot registers them: the report commands and the monthly report."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest
from cpts_bot.features.reports.chat import REPORT_COMMANDS
from cpts_bot.reporting.publish_monthly_report import publish_monthly_report_if_due
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob

MONTHLY_REPORT_EVERY_SECONDS = 300


def manifest(_setup: FeatureSetup) -> FeatureManifest:
    return FeatureManifest(
        "reports",
        commands=REPORT_COMMANDS,
        jobs=(
            PeriodicJob(
                "monthly-report", MONTHLY_REPORT_EVERY_SECONDS, publish_monthly_report_if_due
            ),
        ),
    )
