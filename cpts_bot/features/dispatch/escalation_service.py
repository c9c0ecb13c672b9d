"""Deadlines of open dispatches, run by the scheduler; and what the outbox learns on send.

The database is the truth: :func:`run_due_dispatch_steps` re-reads the open dispatches,
asks the pure :func:`due_steps` what is owed at ``now``, and performs each step in its own
transaction with a conditional update, so a step is never done twice (across restarts,
or if an accept lands in between). The scheduler only wakes it up every few seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from cpts_bot.core.messages import Reply
from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.accept_service import DISPATCH
from cpts_bot.features.dispatch.broadcast_service import broadcast, parse_correlation
from cpts_bot.features.dispatch.context_service import (
    format_duration,
    format_moment,
    place_names,
    profession_name,
)
from cpts_bot.features.dispatch.models import Dispatch, DueKind, DueStep, due_steps
from cpts_bot.features.dispatch.policy import EscalationAction
from cpts_bot.features.dispatch.states import DispatchEvent
from cpts_bot.features.dispatch.usual_first_service import widen_from_usual
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import offer_service
from cpts_bot.services.context import Context, ProfessionalLookup
from cpts_bot.services.offer_service import tell, tell_coordination
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

SYSTEM_ACTOR = repo.SYSTEM_ACTOR


async def run_due_dispatch_steps(
    database: Database,
    config: RoomsConfig,
    directory: ProfessionalLookup,
    now: datetime,
    bot_user_id: str = "",
) -> list[DueStep]:
    """Perform every escalation and expiry due at ``now``, each in its own transaction;
    return those performed (the periodic job runner, which hands each job one
    transaction, calls :func:`run_due_steps_in`)."""
    async with database.transaction() as db:
        candidates = await repo.due_candidates(db, now)
    performed = []
    for step in due_steps(candidates, now):
        async with database.transaction() as db:
            outbox = OutboxWriter(db, now)
            deps = Context(db, now, outbox, config, directory, bot_user_id)
            if await perform_step(deps, step):
                performed.append(step)
    return performed


async def run_due_steps_in(deps: Context) -> list[DueStep]:
    """Perform every step due at ``deps.now`` inside the caller's transaction (for the
    periodic job runner, which hands each job one transaction and an outbox)."""
    performed = []
    for step in due_steps(await repo.due_candidates(deps.db, deps.now), deps.now):
        if await perform_step(deps, step):
            performed.append(step)
    return performed


async def perform_step(deps: Context, step: DueStep) -> bool:
    """Do ``step`` if it is still due (re-read in this transaction); True if done."""
    dispatch = await repo.get(deps.db, step.dispatch_id)
    if dispatch is None:
        return False
    still_due = [s for s in due_steps([dispatch], deps.now) if s.kind is step.kind]
    if not still_due or still_due[0].step_index != step.step_index:
        return False
    if step.kind is DueKind.EXPIRE:
        return await _expire(deps, dispatch)
    return await _escalate(deps, dispatch)


async def _expire(deps: Context, dispatch: Dispatch) -> bool:
    expired = await offer_service.end(
        DISPATCH,
        deps,
        dispatch,
        DispatchEvent.EXPIRE,
        SYSTEM_ACTOR,
        N_("[Expired]"),
        next_step_at=None,
    )
    if expired is None:
        return False
    await tell(
        deps,
        dispatch.requester,
        N_(
            "Dispatch no. {id} expired: nobody accepted it. Send “relancer {id}” to offer it again."
        ),
        ring=True,
        id=dispatch.id,
    )
    return True


async def _escalate(deps: Context, dispatch: Dispatch) -> bool:
    policy = deps.policy
    usual, urgent = dispatch.usual_professional is not None, dispatch.urgent
    step = policy.step(dispatch.step_index, usual=usual, urgent=urgent)
    if step is not None and step.action is EscalationAction.WIDEN_FROM_USUAL:
        return await widen_from_usual(deps, dispatch) is not None
    following = policy.step(dispatch.step_index + 1, usual=usual, urgent=urgent)
    next_at = deps.now + following.delay if following else None
    widened = dispatch.widened_communes
    new_communes: tuple[str, ...] = ()
    if step is not None and step.action is EscalationAction.WIDEN_TO_NEIGHBOURS:
        around = deps.places.neighbours(dispatch.all_communes)
        new_communes = tuple(sorted(around))
        widened = widened + new_communes
    note = step.action.value if step else "no step configured"
    moved = await repo.apply_transition(
        deps.db,
        dispatch,
        DispatchEvent.ESCALATE,
        SYSTEM_ACTOR,
        deps.now,
        note=note,
        step_index=dispatch.step_index + 1,
        next_step_at=next_at,
        widened_communes=widened,
    )
    if moved is None or step is None:
        return moved is not None
    if step.action is EscalationAction.WIDEN_TO_NEIGHBOURS:
        if new_communes:
            await broadcast(deps, moved, new_communes)
    elif step.action is EscalationAction.ALL_PROFESSION:
        await broadcast(deps, moved, None, use_rota=False)
    else:
        await _notify_coordination(deps, moved)
    return True


async def _notify_coordination(deps: Context, dispatch: Dispatch) -> None:
    translator = Translator(deps.config.language)
    asked = len(await repo.recipients(deps.db, dispatch.id))
    text = translator.ngettext(
        "Nobody has accepted dispatch no. {id} after {duration} ({count} person asked): "
        "{profession}, {places}, {when}.",
        "Nobody has accepted dispatch no. {id} after {duration} ({count} people asked): "
        "{profession}, {places}, {when}.",
        asked,
        id=dispatch.id,
        duration=format_duration(deps.now - dispatch.created_at, translator),
        profession=profession_name(dispatch.profession, translator),
        places=place_names(dispatch.all_communes, deps.places, translator),
        when=format_moment(dispatch.needed_at, dispatch.needed_precision, translator),
    )
    await tell_coordination(deps, Reply(text, room_mention=dispatch.urgent))


async def on_sent(
    db: aiosqlite.Connection,
    correlation: str,
    room_id: str,
    event_id: str,
    now: datetime | None = None,
) -> bool:
    """Remember that the outbox row ``correlation`` ("dispatch:42:broadcast:@u:hs") was
    sent as ``event_id`` in ``room_id``, so replies and reactions to it resolve to the
    dispatch. Call it in the transaction that marks the row sent. False if the
    correlation is not a dispatch's."""
    parsed = parse_correlation(correlation)
    if parsed is None:
        return False
    dispatch_id, kind, target = parsed
    await repo.record_message(
        db, event_id, room_id, dispatch_id, kind, target, now or datetime.now(UTC)
    )
    return True
