"""A professional's card, as the bot registers it: show and update one's card (the
directory's index is marked dirty after a change)."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest
from cpts_bot.features.card.chat import CardFeature
from cpts_bot.services.feature_setup import FeatureSetup


def manifest(setup: FeatureSetup) -> FeatureManifest:
    card = CardFeature(
        vocabulary=setup.vocabulary, on_card_changed=setup.directory_index.mark_dirty
    )
    return FeatureManifest("card", commands=tuple(card.commands()))
