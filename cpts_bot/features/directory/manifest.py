"""The directory, as the bot registers it: its questions and the territory's communes;
the in-memory index rebuilt before an event after a card changed, and polled for changes
made behind the bot's back (an import from the command line)."""

from __future__ import annotations

from cpts_bot.chat.feature_manifest import FeatureManifest
from cpts_bot.features.directory.chat import DirectoryFeature
from cpts_bot.features.directory.commands import directory_commands
from cpts_bot.features.directory.territory_chat import TERRITORY_COMMANDS
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob

VERSION_CHECK_EVERY_SECONDS = 30


def manifest(setup: FeatureSetup) -> FeatureManifest:
    index = setup.directory_index
    directory = DirectoryFeature(index, setup.vocabulary, recent_questions=setup.recent_questions)

    async def check_version(_context: object) -> None:
        await index.check_version()

    return FeatureManifest(
        "directory",
        commands=(*TERRITORY_COMMANDS, *directory_commands(directory)),
        jobs=(PeriodicJob("directory-version", VERSION_CHECK_EVERY_SECONDS, check_version),),
        before_event=(index.refresh_if_dirty,),
    )
