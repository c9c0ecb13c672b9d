"""Requests for cover (swaps), as the bot registers them: the commands, the answers to
the offers, the expiry job, and the outbox telling which event an offer became
(correlated ``swap:``)."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest, answered_feature
from cpts_bot.features.cover.chat import ShiftSwapFeature
from cpts_bot.features.cover.models import CORRELATION_PREFIX
from cpts_bot.features.cover.texts_service import on_sent
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob


def manifest(setup: FeatureSetup) -> FeatureManifest:
    swaps = ShiftSwapFeature(setup.lookup)
    every = setup.config.swaps.check_every_seconds
    job = PeriodicJob("swap-deadlines", every, swaps.run_due)
    return answered_feature("cover", swaps, CORRELATION_PREFIX, on_sent, job)
