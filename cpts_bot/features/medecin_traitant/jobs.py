"""What the médecin-traitant desk owes over time, run by the scheduler.

The database is the truth: each run re-reads the pending offers, the waiting requests
and the GPs' room, and acts on what is due — offers that lapsed, requests waiting too
long (brought to the coordination room, once), the monthly reminders, a card edit that
says « no new patients », the cards' « nouveaux patients » modality (a month's room ends
with the month), and new offers.
Every step is a conditional update, so a restart or a second run does nothing twice.
"""

from __future__ import annotations

from cpts_bot.core.messages import Reply
from cpts_bot.features.medecin_traitant import gp_room_repository as rooms_repo
from cpts_bot.features.medecin_traitant import repository as repo
from cpts_bot.features.medecin_traitant.context_service import (
    SYSTEM_ACTOR,
    describe,
    policy_of,
    sync_new_patients_modality,
)
from cpts_bot.features.medecin_traitant.gp_matching import due_escalations
from cpts_bot.features.medecin_traitant.gp_offers_service import GP_OFFERS, match_and_offer
from cpts_bot.features.medecin_traitant.gp_room_service import follow_card_edit, send_due_reminders
from cpts_bot.features.medecin_traitant.states import RequestEvent, RequestState
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context
from cpts_bot.services.offer_service import edit_offers, tell_coordination


async def lapse_offers(deps: Context) -> int:
    """Close the offers nobody answered in time; the GP is free for another one."""
    lapsed = 0
    for row in await repo.lapsed_offers(deps.db, deps.now):
        request_id, user_id = row["request_id"], row["user_id"]
        if not await repo.answer_offer(deps.db, request_id, user_id, "expired", deps.now):
            continue
        request = await repo.get_request(deps.db, request_id)
        if request is not None and request.state is RequestState.WAITING:
            await repo.record_transition(
                deps.db,
                request_id,
                RequestEvent.OFFER_EXPIRE,
                request.state,
                request.state,
                user_id,
                deps.now,
            )
            lapsed_status = N_("[Request no. {id}: offer lapsed]")
            await edit_offers(GP_OFFERS, deps, request, lapsed_status, only_to=user_id)
        lapsed += 1
    return lapsed


async def escalate_long_waits(deps: Context) -> int:
    """Tell the coordination room (else each coordinator) about requests waiting longer
    than ``notify_coordination_after``: commune, age band, priorities; no identity."""
    policy = policy_of(deps.config)
    told = 0
    for request in due_escalations(await repo.waiting_requests(deps.db), deps.now, policy):
        if not await repo.mark_escalated(deps.db, request, SYSTEM_ACTOR, deps.now):
            continue
        translator = Translator(deps.config.language)
        offers = len([p for p in await repo.closed_pairs(deps.db) if p[0] == request.id])
        text = translator.ngettext(
            "Médecin traitant request no. {id} still waiting after {count} day: "
            "{description}. GPs it was offered to: {offers}, nobody accepted.",
            "Médecin traitant request no. {id} still waiting after {count} days: "
            "{description}. GPs it was offered to: {offers}, nobody accepted.",
            int(request.waited_days(deps.now)),
            id=request.id,
            description=describe(request, deps, translator),
            offers=offers,
        )
        await tell_coordination(deps, Reply(text))
        told += 1
    return told


async def run_medecin_traitant_due(deps: Context) -> None:
    """One run of the periodic job, in the caller's transaction."""
    await lapse_offers(deps)
    await escalate_long_waits(deps)
    await send_due_reminders(deps)
    for room in await rooms_repo.rooms(deps.db):
        await follow_card_edit(deps, room)
        await sync_new_patients_modality(deps, room.user_id)
    await match_and_offer(deps)
