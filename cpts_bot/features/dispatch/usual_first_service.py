"""The patient's usual professional is asked alone first, then the others.

A dispatch that names a usual professional (``usual_professional``) is sent to them
alone, in their direct chat, told that they are asked first. Its escalation chain starts with ``widen_from_usual``
(see :meth:`~cpts_bot.features.dispatch.policy.DispatchPolicy.chain`): after
``usual_first_minutes`` (shorter when urgent), or at once when they decline or hand it
back, the request goes to the professionals it fits, as any request would. If they take
it first, nobody else is asked.
"""

from __future__ import annotations

from cpts_bot.core.messages import Reply
from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.broadcast_service import (
    KIND_BROADCAST,
    broadcast,
    broadcast_text,
    correlation,
)
from cpts_bot.features.dispatch.context_service import format_duration
from cpts_bot.features.dispatch.models import Dispatch
from cpts_bot.features.dispatch.policy import EscalationAction
from cpts_bot.features.dispatch.states import DispatchEvent
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

FIRST_NOTE = N_(
    "You are the patient's usual professional: you are asked first; "
    "the others in {delay} if it is not taken by then."
)


async def ask_first(deps: Context, dispatch: Dispatch) -> list[str]:
    """The first sending of a new dispatch: the usual professional alone when there is
    one, else everyone it fits. Return who was asked."""
    usual = dispatch.usual_professional
    if usual is None:
        return await broadcast(deps, dispatch, dispatch.communes)
    added = await repo.add_recipients(deps.db, dispatch.id, [usual], 0, deps.now)
    if added:
        translator = await deps.translator_for(usual)
        delay = deps.policy.usual_first_delay(urgent=dispatch.urgent)
        note = translator.gettext(FIRST_NOTE, delay=format_duration(delay, translator))
        await deps.outbox.send_direct(
            usual,
            Reply(broadcast_text(dispatch, deps, translator) + "\n" + note, mentions=(usual,)),
            notice=False,
            correlation=correlation(dispatch.id, KIND_BROADCAST, usual),
        )
    return added


async def widen_from_usual(deps: Context, dispatch: Dispatch) -> Dispatch | None:
    """The usual professional did not take ``dispatch`` (in its first phase): ask the
    others now. None when the dispatch moved meanwhile (taken, widened already)."""
    if not dispatch.usual_phase:
        return None
    following = deps.policy.step(1, usual=True, urgent=dispatch.urgent)
    moved = await repo.apply_transition(
        deps.db,
        dispatch,
        DispatchEvent.ESCALATE,
        repo.SYSTEM_ACTOR,
        deps.now,
        note=EscalationAction.WIDEN_FROM_USUAL.value,
        step_index=1,
        next_step_at=deps.now + following.delay if following else None,
    )
    if moved is not None:
        await broadcast(deps, moved, moved.communes)
    return moved
