"""Answers to a dispatch (accept, decline, hand back) and the requester's actions.

The first accept wins because the database says so: :func:`repo.apply_transition` moves
the dispatch from ``open`` to ``taken`` with one conditional update, and only the
handler whose update changed the row goes on as the winner. The winner gets the details
and the requester's contact in a direct message; the requester is told who took it;
every other professional's message is edited to say it is taken (the winner's says
« you took it »); one who answers too late is told so then.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from functools import partial
from typing import Any

import aiosqlite

from cpts_bot.core.messages import Reply
from cpts_bot.core.offers import Answer, Outcome
from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.broadcast_service import (
    KIND_BROADCAST,
    KIND_DETAILS,
    KIND_REQUESTER,
    KIND_ROOM,
    broadcast_text,
    correlation,
    duty_room_for,
    send_to,
)
from cpts_bot.features.dispatch.context_service import (
    format_moment,
    format_time,
    place_names,
    profession_name,
)
from cpts_bot.features.dispatch.models import Dispatch
from cpts_bot.features.dispatch.states import OFFER, DispatchEvent, DispatchState
from cpts_bot.features.dispatch.states import DispatchState as S
from cpts_bot.features.dispatch.usual_first_service import widen_from_usual
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import offer_service
from cpts_bot.services.context import Context
from cpts_bot.services.offer_kind import OfferKind, OfferTexts
from cpts_bot.services.offer_service import tell
from cpts_bot.services.responding import respond, respond_with


class DispatchOffers(OfferKind[Dispatch]):
    """A dispatch as an offer: escalation and the usual professional first on a decline;
    details to the winner, the requester told, the broadcasts edited on a win."""

    rules = OFFER
    tables = repo.TABLES
    texts = OfferTexts(
        unknown=N_("There is no dispatch no. {id}."),
        not_offered=N_("Dispatch no. {id} was not offered to you."),
        already_yours=N_("Dispatch no. {id} is already yours."),
        too_late=N_("Already taken by {name} (dispatch no. {id}). Thank you!"),
        closed=N_("Dispatch no. {id} is no longer open ({state})."),
        declined=N_("Noted, thank you (dispatch no. {id})."),
        states={
            S.OPEN: N_("open"),
            S.TAKEN: N_("taken"),
            S.EXPIRED: N_("expired"),
            S.CANCELLED: N_("cancelled"),
            S.COMPLETED: N_("completed"),
        },
    )
    offer_messages = (KIND_BROADCAST, KIND_ROOM)

    async def load(self, deps: Context, subject_id: int) -> Dispatch | None:
        return await repo.get(deps.db, subject_id)

    async def take(self, deps: Context, subject: Dispatch, user_id: str) -> Dispatch | None:
        taker = {"taken_by": user_id, "taken_at": deps.now}
        event = DispatchEvent.ACCEPT
        return await self.apply(
            deps, subject, event, user_id, **taker, next_step_at=None, reminder_step=0
        )

    async def apply(
        self, deps: Context, subject: Dispatch, event: StrEnum, actor: str, **fields: Any
    ) -> Dispatch | None:
        assert isinstance(event, DispatchEvent)
        return await repo.apply_transition(deps.db, subject, event, actor, deps.now, **fields)

    def holder(self, subject: Dispatch) -> str | None:
        return subject.taken_by

    async def offer_body(self, deps: Context, subject: Dispatch, translator: Translator) -> str:
        return broadcast_text(subject, deps, translator, answerable=False)

    async def won(self, deps: Context, subject: Dispatch, user_id: str) -> None:
        await _tell_winner(deps, subject, user_id)
        await _tell_requester_taken(deps, subject, user_id)
        await _tell_others_taken(deps, subject, user_id)

    async def declined(self, deps: Context, subject: Dispatch, user_id: str) -> None:
        if subject.usual_phase and user_id == subject.usual_professional:
            # The usual professional cannot: the others are asked now.
            await widen_from_usual(deps, subject)
        elif await offer_service.everyone_declined(self, deps.db, subject):
            # Everyone asked said no: escalate at the next tick instead of waiting.
            await repo.bring_next_step_forward(deps.db, subject.id, deps.now)

    async def hand_back(self, deps: Context, subject: Dispatch, user_id: str) -> Outcome:
        return await hand_back(deps, subject, user_id)

    async def waiting_for(self, db: aiosqlite.Connection, user_id: str, given: Answer) -> list[int]:
        """« je ne peux plus » is for the dispatches one holds; the other answers for
        those one was asked about."""
        if given is Answer.HAND_BACK:
            return await repo.taken_by(db, user_id)
        return await super().waiting_for(db, user_id, given)


DISPATCH = DispatchOffers()


async def _tell_winner(deps: Context, dispatch: Dispatch, user_id: str) -> None:
    translator = await deps.translator_for(user_id)
    _ = translator.gettext
    lines = [
        _("Dispatch no. {id} is yours. Thank you!", id=dispatch.id),
        profession_name(dispatch.profession, translator)
        + " — "
        + place_names(dispatch.all_communes, deps.places, translator)
        + " — "
        + format_moment(dispatch.needed_at, dispatch.needed_precision, translator),
        dispatch.what,
    ]
    if dispatch.details:
        lines.append(_("Details: {details}", details=dispatch.details))
    elif dispatch.details_erased:
        lines.append(
            _("The patient's details were erased when the request ended: ask the requester.")
        )
    lines.append(
        _("Requested by: {contact}", contact=await deps.contact(dispatch.requester, translator))
    )
    lines.append(_("If you can no longer go, reply “je ne peux plus”."))
    await deps.outbox.send_direct(
        user_id,
        Reply("\n".join(lines)),
        correlation=correlation(dispatch.id, KIND_DETAILS, user_id),
    )


async def _tell_requester_taken(deps: Context, dispatch: Dispatch, user_id: str) -> None:
    await tell(
        deps,
        dispatch.requester,
        N_("Dispatch no. {id} taken by {contact}."),
        ring=True,
        correlation=correlation(dispatch.id, KIND_REQUESTER, dispatch.requester),
        id=dispatch.id,
        contact=partial(deps.contact, user_id),
    )


async def edit_broadcasts(
    deps: Context, dispatch: Dispatch, status: str, taker_status: str | None = None
) -> None:
    """Put ``status`` (a msgid with {id} and {name}) on top of every broadcast message;
    the taker's own message gets ``taker_status`` instead, when given."""
    await offer_service.edit_offers(DISPATCH, deps, dispatch, status, taker_status or "")


async def _tell_others_taken(deps: Context, dispatch: Dispatch, winner: str) -> None:
    """One message per fact: each broadcast is edited (the winner's says they took it);
    nobody else gets a notice of their own — the one who answered too late is told so
    when their answer comes. A duty room gets one line in reply to its broadcast."""
    await edit_broadcasts(deps, dispatch, N_("[Taken by {name}]"), N_("[You took it]"))
    room = duty_room_for(deps, dispatch.profession)
    if room is None:
        return
    translator = Translator(deps.config.language)
    rooms = await repo.messages(deps.db, dispatch.id, (KIND_ROOM,))
    await deps.outbox.send(
        room,
        Reply(
            translator.gettext(
                "Dispatch no. {id} taken by {name}. Thank you all!",
                id=dispatch.id,
                name=await deps.display_name(winner),
            )
        ),
        in_reply_to=rooms[0]["event_id"] if rooms else None,
    )


async def hand_back(deps: Context, dispatch: Dispatch, user_id: str) -> Outcome:
    """The professional who took ``dispatch`` can no longer go: it is open again and
    offered again to the others asked."""
    if dispatch.state is not DispatchState.TAKEN or dispatch.taken_by != user_id:
        await respond_with(
            deps, user_id, N_("Dispatch no. {id} is not yours to hand back."), id=dispatch.id
        )
        return Outcome.NOT_ALLOWED
    policy = deps.policy
    step = policy.step(
        dispatch.step_index, usual=dispatch.usual_professional is not None, urgent=dispatch.urgent
    )
    # Handed back while only the usual professional was asked: the others are asked at
    # the next look at deadlines.
    delay = timedelta(0) if dispatch.usual_phase else step.delay if step else None
    reopened = await repo.apply_transition(
        deps.db,
        dispatch,
        DispatchEvent.HAND_BACK,
        user_id,
        deps.now,
        taken_by=None,
        taken_at=None,
        next_step_at=deps.now + delay if delay is not None else None,
        expires_at=max(dispatch.expires_at, deps.now + policy.expire_after),
    )
    if reopened is None:
        await respond_with(
            deps, user_id, N_("Dispatch no. {id} is not yours to hand back."), id=dispatch.id
        )
        return Outcome.NOT_ALLOWED
    await repo.set_answer(deps.db, dispatch.id, user_id, "handed_back", deps.now)
    await repo.reset_answers(deps.db, dispatch.id, keep=user_id)
    await respond_with(
        deps, user_id, N_("Understood: dispatch no. {id} is offered again."), id=dispatch.id
    )
    await tell(
        deps,
        dispatch.requester,
        N_("{name} can no longer take dispatch no. {id}: it is offered again."),
        ring=True,
        name=await deps.display_name(user_id),
        id=dispatch.id,
    )
    others = [
        row["user_id"]
        for row in await repo.recipients(deps.db, dispatch.id)
        if row["user_id"] != user_id
    ]
    await send_to(deps, reopened, others)
    return Outcome.HANDED_BACK


def may_manage(deps: Context, dispatch: Dispatch, user_id: str) -> bool:
    return user_id == dispatch.requester or deps.config.is_coordinator(user_id)


async def _managed(
    deps: Context, dispatch_id: int, user_id: str, *, taker_too: bool = False
) -> Dispatch | Outcome:
    """Dispatch ``dispatch_id`` if ``user_id`` may act on it (its requester, a coordinator,
    with ``taker_too`` its taker); else what they were told."""
    dispatch = await repo.get(deps.db, dispatch_id)
    if dispatch is None:
        await respond_with(deps, user_id, DISPATCH.texts.unknown, id=dispatch_id)
        return Outcome.UNKNOWN
    if not (taker_too and user_id == dispatch.taken_by) and not may_manage(deps, dispatch, user_id):
        await respond_with(deps, user_id, N_("Only the requester or a coordinator can do that."))
        return Outcome.NOT_ALLOWED
    return dispatch


async def cancel_dispatch(deps: Context, dispatch_id: int, user_id: str) -> Outcome:
    """The requester (or a coordinator) cancels: the taker, if any, is told."""
    dispatch = await _managed(deps, dispatch_id, user_id)
    if isinstance(dispatch, Outcome):
        return dispatch
    if dispatch.state not in (DispatchState.OPEN, DispatchState.TAKEN):
        return await _not_open(deps, dispatch, user_id)
    cancelled = await offer_service.end(
        DISPATCH,
        deps,
        dispatch,
        DispatchEvent.CANCEL,
        user_id,
        N_("[Cancelled]"),
        next_step_at=None,
    )
    if cancelled is None:
        return await _not_open(deps, dispatch, user_id)
    if dispatch.taken_by:
        await tell(
            deps,
            dispatch.taken_by,
            N_("Dispatch no. {id} is cancelled: no need to go."),
            ring=True,
            id=dispatch.id,
        )
    await respond_with(deps, user_id, N_("Dispatch no. {id} cancelled."), id=dispatch.id)
    return Outcome.CANCELLED


async def complete_dispatch(deps: Context, dispatch_id: int, user_id: str) -> Outcome:
    """The taker (or the requester, a coordinator) says the care was given."""
    dispatch = await _managed(deps, dispatch_id, user_id, taker_too=True)
    if isinstance(dispatch, Outcome):
        return dispatch
    if dispatch.state is not DispatchState.TAKEN:
        return await _not_open(deps, dispatch, user_id)
    done = await repo.apply_transition(deps.db, dispatch, DispatchEvent.COMPLETE, user_id, deps.now)
    if done is None:
        return await _not_open(deps, dispatch, user_id)
    await respond_with(
        deps, user_id, N_("Dispatch no. {id} marked as done. Thank you!"), id=dispatch.id
    )
    return Outcome.COMPLETED


async def relaunch_dispatch(deps: Context, dispatch_id: int, user_id: str) -> Outcome:
    """An expired dispatch is offered again, from the start of the escalation chain."""
    dispatch = await _managed(deps, dispatch_id, user_id)
    if isinstance(dispatch, Outcome):
        return dispatch
    if dispatch.state is DispatchState.OPEN:
        return await _still_asked(deps, dispatch, user_id)
    if dispatch.state is not DispatchState.EXPIRED:
        return await _not_open(deps, dispatch, user_id)
    policy = deps.policy
    # Everyone asked before is asked again at once: a usual professional's turn is over.
    usual, urgent = dispatch.usual_professional is not None, dispatch.urgent
    start = 1 if usual and dispatch.step_index >= 1 else 0
    first = policy.step(start, usual=usual, urgent=urgent)
    reopened = await repo.apply_transition(
        deps.db,
        dispatch,
        DispatchEvent.RELAUNCH,
        user_id,
        deps.now,
        step_index=start,
        next_step_at=deps.now + first.delay if first else None,
        expires_at=deps.now + policy.expire_after,
    )
    if reopened is None:
        return await _not_open(deps, dispatch, user_id)
    await repo.reset_answers(deps.db, dispatch.id, keep="")
    rows = await repo.recipients(deps.db, dispatch.id)
    await send_to(deps, reopened, [row["user_id"] for row in rows])
    translator = await deps.translator_for(user_id)
    text = translator.ngettext(
        "Dispatch no. {id} is offered again to {count} professional.",
        "Dispatch no. {id} is offered again to {count} professionals.",
        len(rows),
        id=dispatch.id,
    )
    await respond(deps, user_id, Reply(text))
    return Outcome.RELAUNCHED


async def _still_asked(deps: Context, dispatch: Dispatch, user_id: str) -> Outcome:
    """« relancer » while still asked: until when, rather than « en attente : rien à faire »."""
    await respond_with(
        deps,
        user_id,
        N_(
            "Dispatch no. {id} is still waiting for an answer (until {time}); "
            "“relancer” asks everyone again once it has expired."
        ),
        id=dispatch.id,
        time=format_time(dispatch.expires_at, await deps.translator_for(user_id)),
    )
    return Outcome.CLOSED


async def _not_open(deps: Context, dispatch: Dispatch, user_id: str) -> Outcome:
    translator = await deps.translator_for(user_id)
    await respond(
        deps,
        user_id,
        Reply(
            translator.gettext(
                "Dispatch no. {id} is {state}: nothing to do.",
                id=dispatch.id,
                state=DISPATCH.state_name(dispatch.state, translator),
            )
        ),
    )
    return Outcome.CLOSED
