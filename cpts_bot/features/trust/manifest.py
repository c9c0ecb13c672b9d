"""Device trust, as the bot registers it: the coordination's trust commands."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest
from cpts_bot.features.trust.chat import TRUST_COMMANDS
from cpts_bot.services.feature_setup import FeatureSetup


def manifest(_setup: FeatureSetup) -> FeatureManifest:
    return FeatureManifest("trust", commands=TRUST_COMMANDS)
