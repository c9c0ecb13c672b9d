"""The médecin-traitant desk, as the bot registers it: the commands, the answers to the
offers and registrations, the desk's job, and the outbox telling which event a message
became (correlated ``medtrait:``)."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest, answered_feature
from cpts_bot.features.medecin_traitant.chat import MedecinTraitantFeature
from cpts_bot.features.medecin_traitant.gp_offers_service import on_sent
from cpts_bot.features.medecin_traitant.models import CORRELATION_PREFIX
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob


def manifest(setup: FeatureSetup) -> FeatureManifest:
    desk = MedecinTraitantFeature(setup.lookup, on_card_changed=setup.directory_index.mark_dirty)
    every = setup.config.medecin_traitant.check_every_seconds
    job = PeriodicJob("medecin-traitant", every, desk.run_due)
    return answered_feature("medecin_traitant", desk, CORRELATION_PREFIX, on_sent, job)
