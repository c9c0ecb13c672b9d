"""The directory's cards as a person reads and edits them by chat (« ma fiche », « fiche
de Mme Martin : téléphone … »): whose card a phrase names (and whether the sender may
work on it), the card, its changes saved and counted in the request tracking."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cpts_bot.core.messages import IncomingMessage
from cpts_bot.features.card.update_parser import CardTarget
from cpts_bot.features.directory.card import Card, FieldChange
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.reports.request_tracking_service import track_card_update
from cpts_bot.services.context import Context

SEVERAL_LISTED = 8  # cards named when a name matches several


class NoCard(StrEnum):
    """Why a phrase gives no card to work on."""

    NOT_IN_DIRECTORY = "not_in_directory"  # one's own card: no card has one's Matrix ID
    NOT_ALLOWED = "not_allowed"  # another's card, and one is not a coordinator
    NOT_FOUND = "not_found"
    SEVERAL = "several"


@dataclass(frozen=True)
class CardChoice:
    """The card a phrase names (``key``), or why there is none (``refusal``; the first
    cards that match when several do)."""

    key: str | None = None
    refusal: NoCard | None = None
    several: list[Professional] = field(default_factory=list)


class Cards:
    """The cards of the directory, in the handler's transaction."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._repository = DirectoryRepository(context.db)

    async def choose(self, target: CardTarget | None, sender: str) -> CardChoice:
        """The card ``sender`` means: their own (``target`` None) or the one ``target``
        names, which only a coordinator may see or change unless it is their own."""
        own_key = await self._repository.find_key_by_matrix_id(sender)
        if target is None:
            if own_key is None:
                return CardChoice(refusal=NoCard.NOT_IN_DIRECTORY)
            return CardChoice(key=own_key)
        keys = await self.keys_for(target)
        if keys != [own_key] and not self._context.is_coordinator(sender):
            return CardChoice(refusal=NoCard.NOT_ALLOWED)
        if not keys:
            return CardChoice(refusal=NoCard.NOT_FOUND)
        if len(keys) > 1:
            found = [await self.professional(key) for key in keys[:SEVERAL_LISTED]]
            return CardChoice(refusal=NoCard.SEVERAL, several=[p for p in found if p])
        return CardChoice(key=keys[0])

    async def keys_for(self, target: CardTarget) -> list[str]:
        """The cards ``target`` names: by Matrix ID, RPPS number, or name (« Martin
        Claire » as well as « Claire Martin »)."""
        repository = self._repository
        if target.matrix_id:
            key = await repository.find_key_by_matrix_id(target.matrix_id)
            return [key] if key else []
        if target.rpps:
            key = "8" + target.rpps
            return [key] if await repository.exists(key) else []
        name = (target.name or "").strip()
        keys = await repository.find_keys_by_name(name)
        words = name.split()
        if not keys and len(words) > 1:
            keys = sorted(
                set(await repository.find_keys_by_name(words[-1], " ".join(words[:-1])))
                | set(await repository.find_keys_by_name(words[0], " ".join(words[1:])))
            )
        return keys

    async def professional(self, key: str) -> Professional | None:
        return await self._repository.get_professional(key)

    async def card(self, key: str) -> Card:
        return await self._repository.load_card(key)

    async def profession_label(self, key: str) -> str:
        return await self._repository.profession_label(key)

    async def save(
        self, key: str, card: Card, message: IncomingMessage, *, own: bool
    ) -> list[FieldChange]:
        """Store ``card`` as ``key``'s, each changed field logged with who changed it,
        and count the update in the request tracking; the changes."""
        context = self._context
        changes = await self._repository.save_card(key, card, message.sender, context.now)
        await track_card_update(
            context.db,
            message,
            context.now,
            own=own,
            changed_fields=sorted({change.field for change in changes}),
        )
        return changes
