"""Dispatch requests, as the bot registers them: the commands, the answers to the
dispatch messages, the deadlines' job, and the outbox telling which event an offer
became (correlated ``dispatch:``)."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest, answered_feature
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.escalation_service import on_sent
from cpts_bot.features.dispatch.models import CORRELATION_PREFIX
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob


def manifest(setup: FeatureSetup) -> FeatureManifest:
    dispatch = DispatchFeature(setup.lookup)
    every = setup.config.dispatch.check_every_seconds
    job = PeriodicJob("dispatch-deadlines", every, dispatch.run_due_steps)
    return answered_feature("dispatch", dispatch, CORRELATION_PREFIX, on_sent, job)
