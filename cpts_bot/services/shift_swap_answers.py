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

from cpts_bot.domain.dispatch_phrases import Answer
from cpts_bot.domain.messages import Reply
from cpts_bot.domain.shift_swap_models import ShiftSwap
from cpts_bot.domain.shift_swap_state_machine import SwapEvent, SwapState
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.dispatch_context import DispatchDeps, respond, respond_with
from cpts_bot.services.shift_swap_texts import (
    STATUS_CANCELLED,
    STATUS_EXPIRED,
    STATUS_TAKEN,
    STATUS_YOURS,
    edit_offers,
    swap_duty,
    tell,
    tell_coordination,
)
from cpts_bot.storage import shift_swap_repository as repo

SYSTEM_ACTOR = "system"


class SwapOutcome(StrEnum):
    WON = "won"
    ALREADY_YOURS = "already_yours"
    TAKEN_BY_OTHER = "taken_by_other"
    CLOSED = "closed"
    NOT_ASKED = "not_asked"
    DECLINED = "declined"
    UNKNOWN = "unknown"
    NOT_ALLOWED = "not_allowed"
    CANCELLED = "cancelled"


def state_name(state: SwapState, translator: Translator) -> str:
    _ = translator.gettext
    return {
        SwapState.OPEN: _("open"),
        SwapState.TAKEN: _("taken"),
        SwapState.EXPIRED: _("expired"),
        SwapState.CANCELLED: _("cancelled"),
    }[state]


async def answer_swap(
    deps: DispatchDeps, swap_id: int, user_id: str, answer: Answer
) -> SwapOutcome:
    """Apply ``user_id``'s answer (accept or decline) to request ``swap_id``."""
    swap = await repo.get(deps.db, swap_id)
    if swap is None:
        await respond_with(deps, user_id, N_("There is no request for cover no. {id}."), id=swap_id)
        return SwapOutcome.UNKNOWN
    if await repo.recipient(deps.db, swap.id, user_id) is None:
        await respond_with(deps, user_id, N_("Cover no. {id} was not offered to you."), id=swap.id)
        return SwapOutcome.NOT_ASKED
    if answer is Answer.DECLINE:
        return await _decline(deps, swap, user_id)
    if answer is Answer.ACCEPT:
        return await _accept(deps, swap, user_id)
    return SwapOutcome.UNKNOWN


async def _accept(deps: DispatchDeps, swap: ShiftSwap, user_id: str) -> SwapOutcome:
    if swap.state is SwapState.OPEN:
        won = await repo.take(deps.db, swap, user_id, deps.now)
        if won is not None:
            await repo.set_answer(deps.db, swap.id, user_id, "accepted", deps.now)
            await _tell_taken(deps, won, user_id)
            return SwapOutcome.WON
        refreshed = await repo.get(deps.db, swap.id)
        assert refreshed is not None
        swap = refreshed
    if swap.state is SwapState.TAKEN:
        if swap.taken_by == user_id:
            await respond_with(deps, user_id, N_("Cover no. {id} is already yours."), id=swap.id)
            return SwapOutcome.ALREADY_YOURS
        await repo.set_answer(deps.db, swap.id, user_id, "late", deps.now)
        await respond_with(
            deps,
            user_id,
            N_("This duty was already taken by {name} (cover no. {id}). Thank you!"),
            name=await deps.display_name(str(swap.taken_by)),
            id=swap.id,
        )
        return SwapOutcome.TAKEN_BY_OTHER
    translator = await deps.translator_for(user_id)
    await respond(
        deps,
        user_id,
        Reply(
            translator.gettext(
                "Cover no. {id} is no longer open ({state}).",
                id=swap.id,
                state=state_name(swap.state, translator),
            )
        ),
    )
    return SwapOutcome.CLOSED


async def _tell_taken(deps: DispatchDeps, swap: ShiftSwap, winner: str) -> None:
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
    requester_translator = await deps.translator_for(swap.requester)
    await tell(
        deps,
        swap.requester,
        N_("{contact} takes your duty {duty} (cover no. {id}). The rota is updated."),
        ring=True,
        contact=await deps.contact(winner, requester_translator),
        duty=swap_duty(deps, swap, requester_translator),
        id=swap.id,
    )
    await edit_offers(deps, swap, STATUS_TAKEN, STATUS_YOURS)
    await tell_coordination(
        deps,
        N_("Cover no. {id}: {winner} replaces {requester} — {duty}. The rota is updated."),
        id=swap.id,
        winner=await deps.display_name(winner),
        requester=await deps.display_name(swap.requester),
        duty=swap_duty(deps, swap, Translator(deps.config.language)),
    )


async def _decline(deps: DispatchDeps, swap: ShiftSwap, user_id: str) -> SwapOutcome:
    if swap.state is SwapState.OPEN:
        await repo.set_answer(deps.db, swap.id, user_id, "declined", deps.now)
        await repo.record_transition(
            deps.db, swap.id, SwapEvent.DECLINE, swap.state, swap.state, user_id, deps.now
        )
    await respond_with(deps, user_id, N_("Noted, thank you (cover no. {id})."), id=swap.id)
    if swap.state is SwapState.OPEN:
        rows = await repo.recipients(deps.db, swap.id)
        if rows and all(row["answer"] == "declined" for row in rows):
            # Everyone asked said no: no need to wait for the deadline.
            await expire(deps, swap)
    return SwapOutcome.DECLINED


async def cancel_swap(deps: DispatchDeps, swap_id: int | None, user_id: str) -> SwapOutcome:
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
            return SwapOutcome.UNKNOWN
        swap_id = mine[0].id
    swap = await repo.get(deps.db, swap_id)
    if swap is None:
        await respond_with(deps, user_id, N_("There is no request for cover no. {id}."), id=swap_id)
        return SwapOutcome.UNKNOWN
    if user_id != swap.requester and not deps.config.is_coordinator(user_id):
        await respond_with(
            deps, user_id, N_("Only the one who asked (or a coordinator) can cancel it.")
        )
        return SwapOutcome.NOT_ALLOWED
    if swap.state is SwapState.TAKEN:
        await respond_with(
            deps,
            user_id,
            N_("Cover no. {id} was already taken by {name}: ask the coordination to change it."),
            id=swap.id,
            name=await deps.display_name(str(swap.taken_by)),
        )
        return SwapOutcome.CLOSED
    cancelled = await _end(deps, swap, SwapEvent.CANCEL, user_id)
    if cancelled is None:
        translator = await deps.translator_for(user_id)
        await respond_with(
            deps,
            user_id,
            N_("Cover no. {id} is no longer open ({state})."),
            id=swap.id,
            state=state_name(swap.state, translator),
        )
        return SwapOutcome.CLOSED
    await respond_with(
        deps,
        user_id,
        N_("Request for cover no. {id} cancelled: the duty stays as it was."),
        id=swap.id,
    )
    return SwapOutcome.CANCELLED


async def _end(
    deps: DispatchDeps, swap: ShiftSwap, event: SwapEvent, actor: str
) -> ShiftSwap | None:
    ended = await repo.apply_transition(deps.db, swap, event, actor, deps.now)
    if ended is not None:
        status = STATUS_CANCELLED if event is SwapEvent.CANCEL else STATUS_EXPIRED
        await edit_offers(deps, ended, status)
    return ended


async def expire(deps: DispatchDeps, swap: ShiftSwap) -> bool:
    """Nobody took ``swap`` in time (or everyone declined): it ends, the requester and the
    coordination are told. False if it had ended meanwhile."""
    ended = await _end(deps, swap, SwapEvent.EXPIRE, SYSTEM_ACTOR)
    if ended is None:
        return False
    translator = await deps.translator_for(swap.requester)
    await tell(
        deps,
        swap.requester,
        N_(
            "Nobody took your duty {duty} (cover no. {id}): it is still yours; ask the coordination."
        ),
        ring=True,
        duty=swap_duty(deps, swap, translator),
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


async def expire_due(deps: DispatchDeps) -> list[int]:
    """End every open request whose deadline has passed; return their numbers."""
    ended = []
    for swap in await repo.due(deps.db, deps.now):
        if await expire(deps, swap):
            ended.append(swap.id)
    return ended
