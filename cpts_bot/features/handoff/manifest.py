"""The hand-off to the coordination, as the bot registers it: « parler à la
coordination », the coordinators' answers in the post's thread, and the outbox telling
which event a post became (correlated ``handoff:``)."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest, answered_feature
from cpts_bot.features.handoff.chat import HandoffFeature
from cpts_bot.features.handoff.models import CORRELATION_PREFIX
from cpts_bot.features.handoff.service import on_sent
from cpts_bot.services.feature_setup import FeatureSetup


def manifest(setup: FeatureSetup) -> FeatureManifest:
    handoff = HandoffFeature(setup.recent_questions)
    return answered_feature("handoff", handoff, CORRELATION_PREFIX, on_sent)
