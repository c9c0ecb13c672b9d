"""Requests for cover (swaps), as the bot registers them: the commands, the answers to
the offers, the expiry job, and the outbox telling which event an offer became
(correlated ``swap:``)."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest
from cpts_bot.features.cover.chat import ShiftSwapFeature
from cpts_bot.features.cover.models import CORRELATION_PREFIX
from cpts_bot.features.cover.texts_service import on_sent
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob


def manifest(setup: FeatureSetup) -> FeatureManifest:
    swaps = ShiftSwapFeature(setup.lookup)
    every = setup.config.swaps.check_every_seconds
    return FeatureManifest(
        "cover",
        commands=tuple(swaps.commands()),
        follow_ups=(swaps.follow_up(),),
        jobs=(PeriodicJob("swap-deadlines", every, swaps.run_due),),
        on_sent=((CORRELATION_PREFIX, on_sent),),
        correlation_prefixes=(CORRELATION_PREFIX,),
    )
