"""Test support for the médecin-traitant desk: a territory with short timers, GPs in the
directory tables, and a fake homeserver that reports ``medtrait:`` sends back."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.chat.command_dispatch import Routes, route_message, route_reaction
from cpts_bot.features.directory.card import Card
from cpts_bot.features.directory.models import PracticeSite
from cpts_bot.features.directory.repository import SOURCE_RPPS, DirectoryRepository, NationalRecord
from cpts_bot.features.dispatch.directory_service import DirectoryProfessionalLookup
from cpts_bot.features.medecin_traitant.chat import MedecinTraitantFeature
from cpts_bot.features.medecin_traitant.gp_offers_service import on_sent
from cpts_bot.features.medecin_traitant.policy import MedecinTraitantPolicy
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import FakeHomeserver, Sent, context_for, make_config, message

PHARMACIST = "@pharma:cpts.test"
GP_A = "@dr.alpha:cpts.test"
GP_B = "@dr.bravo:cpts.test"
NURSE = "@nurse:cpts.test"
COORDINATION_ROOM = "!coordination:cpts.test"


def mt_config(**policy: object) -> RoomsConfig:
    config = make_config(rooms={"coordination": COORDINATION_ROOM})
    return config.model_copy(update={"medecin_traitant": MedecinTraitantPolicy(**policy)})


async def add_professional(
    db: aiosqlite.Connection,
    user: str,
    commune: str,
    now: datetime,
    *,
    profession: str = "10",
    phone: str = "04 94 00 00 01",
) -> str:
    name = user.split(":")[0].lstrip("@").split(".")[-1].title()
    key = f"8{abs(hash(user)) % 10**11:011d}"
    repository = DirectoryRepository(db)
    await repository.upsert_national(
        [
            NationalRecord(
                key=key,
                rpps=key[1:],
                title="Dr" if profession == "10" else "",
                last_name=name,
                first_name="Test",
                profession_code=profession,
                sites=(PracticeSite(commune, commune, phone=phone),),
            )
        ],
        SOURCE_RPPS,
        now,
    )
    await repository.save_card(key, Card(matrix_id=user), user, now)
    return key


class Desk:
    """The feature as app.py registers it, a database, and a fake homeserver."""

    def __init__(self, database: Database, config: RoomsConfig) -> None:
        self.database = database
        self.config = config
        self.feature = MedecinTraitantFeature(DirectoryProfessionalLookup())
        self.server = FakeHomeserver(database)

    async def say(
        self,
        sender: str,
        body: str,
        now: datetime,
        *,
        room: str | None = None,
        reply_to: str | None = None,
        direct: bool = True,
    ) -> bool:
        event = message(
            sender,
            body,
            now,
            room=room or f"!dm-{sender}",
            reply_to=reply_to,
            is_direct=direct,
        )
        async with self.database.transaction() as db:
            context = context_for(db, self.config, now, event)
            return await route_message(Routes.of(self.feature), event, context)

    async def react(self, sender: str, key: str, event_id: str, now: datetime) -> bool:
        from tests.unit.dispatch_support import reaction

        event = reaction(sender, key, event_id, now)
        async with self.database.transaction() as db:
            context = context_for(db, self.config, now, event)
            return await route_reaction(Routes.of(self.feature), event, context)

    async def tick(self, now: datetime) -> None:
        async with self.database.transaction() as db:
            await self.feature.run_due(context_for(db, self.config, now, None))

    async def flush(self, now: datetime) -> list[Sent]:
        sent = await self.server.flush(now)
        async with self.database.transaction() as db:
            for item in sent:
                if item.correlation and item.correlation.startswith("medtrait:"):
                    await on_sent(db, item.correlation, item.room_id, item.event_id, now)
        return sent


def to(sent: list[Sent], user: str) -> str:
    """What ``user`` got in their direct chat (replies there included), edits left out."""
    return "\n".join(
        s.text for s in sent if s.target in (user, f"!dm-{user}") and s.action != "edit"
    )


def offers_to(sent: list[Sent], user: str) -> list[Sent]:
    return [s for s in sent if s.correlation and s.correlation.endswith(f":offer:{user}")]
