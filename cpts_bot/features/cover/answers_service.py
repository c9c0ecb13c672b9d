"""Answers to a request for cover, its cancellation and its deadline.

The first accept wins because the database says so: :func:`repo.take` moves the request
from ``open`` to ``taken`` with one conditional update and, in the same transaction,
hands the duty over in the rota. Only the handler whose update changed the row goes on
as the winner: the winner and the requester are told, every other offer is edited to
say the duty is taken, and the coordination sees it. One who answers too late is told
so then.
"""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from typing import Any

from cpts_bot.core.messages import Reply
from cpts_bot.core.offers import Outcome
from cpts_bot.features.cover import repository as repo
from cpts_bot.features.cover.models import ShiftSwap, swap_as_duty
from cpts_bot.features.cover.states import OFFER, SwapEvent, SwapState
from cpts_bot.features.cover.texts_service import (
    KIND_OFFER,
    STATUS_CANCELLED,
    STATUS_EXPIRED,
    STATUS_TAKEN,
    STATUS_YOURS,
    offer_text,
    swap_duty,
    taker_refusal,
    tell_coordination,
)
from cpts_bot.features.rota.checks_service import conflicts_if_taken
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import offer_service
from cpts_bot.services.context import Context
from cpts_bot.services.offer_kind import OfferKind, OfferTexts
from cpts_bot.services.offer_service import tell
from cpts_bot.services.responding import respond, respond_with

SYSTEM_ACTOR = "system"


class CoverOffers(OfferKind[ShiftSwap]):
    """A request for cover as an offer: the duty handed over with the win; when everyone
    declined, it ends at once."""

    rules = OFFER
    tables = repo.TABLES
    texts = OfferTexts(
        unknown=N_("There is no request for cover no. {id}."),
        not_offered=N_("Cover no. {id} was not offered to you."),
        already_yours=N_("Cover no. {id} is already yours."),
        too_late=N_("This duty was already taken by {name} (cover no. {id}). Thank you!"),
        closed=N_("Cover no. {id} is no longer open ({state})."),
        declined=N_("Noted, thank you (cover no. {id})."),
        states={
            SwapState.OPEN: N_("open"),
            SwapState.TAKEN: N_("taken"),
            SwapState.EXPIRED: N_("expired"),
            SwapState.CANCELLED: N_("cancelled"),
        },
    )
    offer_messages = (KIND_OFFER,)

    async def load(self, deps: Context, subject_id: int) -> ShiftSwap | None:
        return await repo.get(deps.db, subject_id)

    async def take(self, deps: Context, subject: ShiftSwap, user_id: str) -> ShiftSwap | None:
        # The conditional update and the handover of the duty, in one transaction.
        return await repo.take(deps.db, subject, user_id, deps.now)

    async def apply(
        self, deps: Context, subject: ShiftSwap, event: StrEnum, actor: str, **fields: Any
    ) -> ShiftSwap | None:
        assert isinstance(event, SwapEvent) and not fields
        return await repo.apply_transition(deps.db, subject, event, actor, deps.now)

    def holder(self, subject: ShiftSwap) -> str | None:
        return subject.taken_by

    async def may_take(self, deps: Context, subject: ShiftSwap, user_id: str) -> bool:
        """Nobody takes a duty that would clash for them (on leave then, on duty then,
        unknown to the directory, another profession): they are told why, nothing is
        written and the request stays open to the others."""
        conflicts = await conflicts_if_taken(deps, swap_as_duty(subject), user_id)
        if not conflicts:
            return True
        translator = await deps.translator_for(user_id)
        text = taker_refusal(deps, subject, conflicts[0], translator)
        await respond(deps, user_id, Reply(text))
        return False

    async def offer_body(self, deps: Context, subject: ShiftSwap, translator: Translator) -> str:
        return await offer_text(deps, subject, translator, answerable=False)

    async def won(self, deps: Context, subject: ShiftSwap, user_id: str) -> None:
        await _tell_taken(deps, subject, user_id)

    async def declined(self, deps: Context, subject: ShiftSwap, user_id: str) -> None:
        if await offer_service.everyone_declined(self, deps.db, subject):
            # Everyone asked said no: no need to wait for the deadline.
            await expire(deps, subject)


COVER = CoverOffers()


async def _tell_taken(deps: Context, swap: ShiftSwap, winner: str) -> None:
    """One message per fact: the winner is thanked, the requester told (a message that
    rings), every offer edited, the coordination told."""
    translator = await deps.translator_for(winner)
    await respond(
        deps,
        winner,
        Reply(
            translator.gettext(
                "This duty is yours: {duty} (cover no. {id}). The rota is updated. Thank you!",
                duty=swap_duty(deps, swap, translator),
                id=swap.id,
            )
        ),
    )
    await tell(
        deps,
        swap.requester,
        N_("{contact} takes your duty {duty} (cover no. {id}). The rota is updated."),
        ring=True,
        contact=partial(deps.contact, winner),
        duty=partial(swap_duty, deps, swap),
        id=swap.id,
    )
    await offer_service.edit_offers(COVER, deps, swap, STATUS_TAKEN, STATUS_YOURS)
    await tell_coordination(
        deps,
        N_("Cover no. {id}: {winner} replaces {requester} — {duty}. The rota is updated."),
        id=swap.id,
        winner=await deps.display_name(winner),
        requester=await deps.display_name(swap.requester),
        duty=swap_duty(deps, swap, Translator(deps.config.language)),
    )


async def cancel_swap(deps: Context, swap_id: int | None, user_id: str) -> Outcome:
    """The requester (or a coordinator) withdraws a request; ``swap_id`` None means the
    requester's only open one."""
    if swap_id is None:
        mine = await repo.open_of(deps.db, user_id)
        if len(mine) != 1:
            message = (
                N_("You have no open request for cover.")
                if not mine
                else N_(
                    "You have several open requests for cover ({ids}): say which, e.g. “annuler remplacement {id}”."
                )
            )
            ids = ", ".join(str(swap.id) for swap in mine)
            await respond_with(deps, user_id, message, ids=ids, id=mine[0].id if mine else 0)
            return Outcome.UNKNOWN
        swap_id = mine[0].id
    swap = await repo.get(deps.db, swap_id)
    if swap is None:
        await respond_with(deps, user_id, N_("There is no request for cover no. {id}."), id=swap_id)
        return Outcome.UNKNOWN
    if user_id != swap.requester and not deps.config.is_coordinator(user_id):
        await respond_with(
            deps, user_id, N_("Only the one who asked (or a coordinator) can cancel it.")
        )
        return Outcome.NOT_ALLOWED
    if swap.state is SwapState.TAKEN:
        await respond_with(
            deps,
            user_id,
            N_("Cover no. {id} was already taken by {name}: ask the coordination to change it."),
            id=swap.id,
            name=await deps.display_name(str(swap.taken_by)),
        )
        return Outcome.CLOSED
    cancelled = await _end(deps, swap, SwapEvent.CANCEL, user_id)
    if cancelled is None:
        translator = await deps.translator_for(user_id)
        await respond_with(
            deps,
            user_id,
            N_("Cover no. {id} is no longer open ({state})."),
            id=swap.id,
            state=COVER.state_name(swap.state, translator),
        )
        return Outcome.CLOSED
    await respond_with(
        deps,
        user_id,
        N_("Request for cover no. {id} cancelled: the duty stays as it was."),
        id=swap.id,
    )
    return Outcome.CANCELLED


async def _end(deps: Context, swap: ShiftSwap, event: SwapEvent, actor: str) -> ShiftSwap | None:
    status = STATUS_CANCELLED if event is SwapEvent.CANCEL else STATUS_EXPIRED
    return await offer_service.end(COVER, deps, swap, event, actor, status)


async def expire(deps: Context, swap: ShiftSwap) -> bool:
    """Nobody took ``swap`` in time (or everyone declined): it ends, the requester and the
    coordination are told. False if it had ended meanwhile."""
    ended = await _end(deps, swap, SwapEvent.EXPIRE, SYSTEM_ACTOR)
    if ended is None:
        return False
    await tell(
        deps,
        swap.requester,
        N_(
            "Nobody took your duty {duty} (cover no. {id}): it is still yours; ask the coordination."
        ),
        ring=True,
        duty=partial(swap_duty, deps, swap),
        id=swap.id,
    )
    await tell_coordination(
        deps,
        N_("Cover no. {id}: nobody took {name}'s duty {duty}; it is still theirs."),
        id=swap.id,
        name=await deps.display_name(swap.requester),
        duty=swap_duty(deps, swap, Translator(deps.config.language)),
    )
    return True


async def expire_due(deps: Context) -> list[int]:
    """End every open request whose deadline has passed; return their numbers."""
    ended = []
    for swap in await repo.due(deps.db, deps.now):
        if await expire(deps, swap):
            ended.append(swap.id)
    return ended
