"""Offers of waiting patients to GPs with room, and the GPs' answers.

The first accept wins because the database says so: :func:`repo.apply_transition` moves
the request from ``waiting`` to ``placed`` with one conditional update, and only the
handler whose update changed the row goes on as the winner. The winner gets the
referrer's words (with any contact details) and the referrer's contact; the referrer is
told who accepted, with the GP's phone; the other GPs offered the same request are told
and become free for the next one. The private text is erased once it has been sent.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from enum import StrEnum

import aiosqlite

from cpts_bot.domain.dispatch_phrases import Answer
from cpts_bot.domain.gp_matching import FreeGp, plan_offers
from cpts_bot.domain.medecin_traitant_models import PatientRequest, places_left
from cpts_bot.domain.medecin_traitant_state_machine import RequestEvent, RequestState
from cpts_bot.domain.messages import Reply
from cpts_bot.i18n.translator import N_
from cpts_bot.services.accept_dispatch import direct_notice
from cpts_bot.services.dispatch_context import DispatchDeps, format_moment, respond_with
from cpts_bot.services.medecin_traitant_context import (
    KIND_DETAILS,
    KIND_OFFER,
    correlation,
    describe,
    parse_correlation,
    policy_of,
    proximity_of,
    sync_new_patients_modality,
)
from cpts_bot.storage import gp_room_repository as rooms_repo
from cpts_bot.storage import medecin_traitant_repository as repo

log = logging.getLogger(__name__)


class OfferOutcome(StrEnum):
    WON = "won"
    ALREADY_YOURS = "already_yours"
    TAKEN_BY_OTHER = "taken_by_other"
    CLOSED = "closed"
    NOT_OFFERED = "not_offered"
    NO_ROOM = "no_room"
    DECLINED = "declined"
    UNKNOWN = "unknown"


async def free_gps(deps: DispatchDeps) -> list[FreeGp]:
    """GPs with a declaration, where they practise, their places left, and whether an
    offer to them is pending."""
    placed = await rooms_repo.placements(deps.db)
    busy = await repo.busy_users(deps.db)
    found = []
    for room in await rooms_repo.rooms(deps.db):
        places = places_left(room, placed.get(room.user_id, []), deps.now)
        if places <= 0:
            continue
        professional = await deps.directory.by_matrix_id(deps.db, room.user_id)
        if professional is None or not professional.communes:
            continue
        found.append(
            FreeGp(
                room.user_id, professional.communes, places, room.priorities, room.user_id in busy
            )
        )
    return found


async def match_and_offer(deps: DispatchDeps) -> int:
    """Offer the best waiting request to each GP with room and nothing pending; return
    how many offers were made."""
    requests = await repo.waiting_requests(deps.db)
    if not requests:
        return 0
    gps = await free_gps(deps)
    policy = policy_of(deps.config)
    offers = plan_offers(
        requests, gps, await repo.closed_pairs(deps.db), deps.now, policy, proximity_of(deps.config)
    )
    by_id = {request.id: request for request in requests}
    places = {gp.user_id: gp.places for gp in gps}
    made = 0
    for offer in offers:
        expires = deps.now + policy.offer_expire_after
        if not await repo.add_offer(
            deps.db, offer.request_id, offer.user_id, int(offer.tier), deps.now, expires
        ):
            continue
        request = by_id[offer.request_id]
        await repo.record_transition(
            deps.db,
            request.id,
            RequestEvent.OFFER,
            request.state,
            request.state,
            offer.user_id,
            deps.now,
            note=f"tier {int(offer.tier)}",
        )
        await _send_offer(deps, request, offer.user_id, places[offer.user_id], expires)
        made += 1
    return made


async def _send_offer(
    deps: DispatchDeps, request: PatientRequest, user_id: str, places: int, expires: datetime
) -> None:
    translator = await deps.translator_for(user_id)
    _ = translator.gettext
    text = "\n".join(
        [
            _(
                "Médecin traitant — request no. {id}: a patient without a GP, {description}.",
                id=request.id,
                description=describe(request, deps, translator),
            ),
            translator.ngettext(
                "You have {count} place declared.", "You have {count} places declared.", places
            ),
            _(
                "Reply “je prends” to this message or react 👍 to become their GP; "
                "“non” or ❌ if not. This offer lapses on {when}.",
                when=format_moment(expires, "time", translator),
            ),
        ]
    )
    await deps.outbox.send_direct(
        user_id,
        Reply(text, mentions=(user_id,)),
        notice=False,
        correlation=correlation(request.id, KIND_OFFER, user_id),
    )


async def answer_offer(
    deps: DispatchDeps, request_id: int, user_id: str, answer: Answer
) -> OfferOutcome:
    """Apply ``user_id``'s answer to the offer of request ``request_id``."""
    request = await repo.get_request(deps.db, request_id)
    offered = await repo.offer(deps.db, request_id, user_id)
    if request is None or offered is None:
        await respond_with(
            deps, user_id, N_("Request no. {id} was not offered to you."), id=request_id
        )
        return OfferOutcome.NOT_OFFERED
    if answer is Answer.DECLINE:
        return await _decline(deps, request, user_id)
    if answer is Answer.HAND_BACK:
        await respond_with(
            deps,
            user_id,
            N_("Request no. {id}: ask the coordination if you can no longer take this patient."),
            id=request_id,
        )
        return OfferOutcome.CLOSED
    return await _accept(deps, request, user_id)


async def _accept(deps: DispatchDeps, request: PatientRequest, user_id: str) -> OfferOutcome:
    if request.state is RequestState.WAITING:
        room = await rooms_repo.get_room(deps.db, user_id)
        placed = (await rooms_repo.placements(deps.db)).get(user_id, [])
        if room is None or places_left(room, placed, deps.now) <= 0:
            await respond_with(
                deps,
                user_id,
                N_(
                    "You have no place declared any more: write “je peux prendre 1 nouveau "
                    "patient” first, then accept again."
                ),
            )
            return OfferOutcome.NO_ROOM
        won = await repo.apply_transition(
            deps.db,
            request,
            RequestEvent.ACCEPT,
            user_id,
            deps.now,
            placed_with=user_id,
            placed_at=deps.now,
        )
        if won is not None:
            await _won(deps, won, user_id)
            return OfferOutcome.WON
        refreshed = await repo.get_request(deps.db, request.id)
        assert refreshed is not None
        request = refreshed
    return await _too_late(deps, request, user_id)


async def _won(deps: DispatchDeps, request: PatientRequest, user_id: str) -> None:
    """``user_id`` is the patient's GP: details to them, news to the referrer and to the
    other GPs offered the patient, the card's modality updated, the freed GPs offered
    the next patient."""
    await repo.answer_offer(deps.db, request.id, user_id, "accepted", deps.now)
    log.info("medecin traitant request placed", extra={"request_id": request.id})
    await _tell_winner(deps, request, user_id)
    await _tell_referrer(deps, request, user_id)
    await _tell_others(deps, request, user_id)
    await sync_new_patients_modality(deps, user_id)
    await match_and_offer(deps)


async def _too_late(deps: DispatchDeps, request: PatientRequest, user_id: str) -> OfferOutcome:
    """An accept of a request that is no longer waiting."""
    if request.state is RequestState.PLACED:
        if request.placed_with == user_id:
            await respond_with(
                deps, user_id, N_("Request no. {id} is already yours."), id=request.id
            )
            return OfferOutcome.ALREADY_YOURS
        await repo.answer_offer(deps.db, request.id, user_id, "taken", deps.now)
        await respond_with(
            deps,
            user_id,
            N_("Request no. {id} has already been accepted by a colleague. Thank you!"),
            id=request.id,
        )
        await match_and_offer(deps)
        return OfferOutcome.TAKEN_BY_OTHER
    await respond_with(deps, user_id, N_("Request no. {id} is no longer waiting."), id=request.id)
    return OfferOutcome.CLOSED


async def _decline(deps: DispatchDeps, request: PatientRequest, user_id: str) -> OfferOutcome:
    if await repo.answer_offer(deps.db, request.id, user_id, "declined", deps.now):
        if request.state is RequestState.WAITING:
            await repo.record_transition(
                deps.db,
                request.id,
                RequestEvent.DECLINE,
                request.state,
                request.state,
                user_id,
                deps.now,
            )
    await respond_with(deps, user_id, N_("Noted, thank you (request no. {id})."), id=request.id)
    await match_and_offer(deps)
    return OfferOutcome.DECLINED


async def _tell_winner(deps: DispatchDeps, request: PatientRequest, user_id: str) -> None:
    translator = await deps.translator_for(user_id)
    _ = translator.gettext
    placed = (await rooms_repo.placements(deps.db)).get(user_id, [])
    room = await rooms_repo.get_room(deps.db, user_id)
    left = places_left(room, placed, deps.now) if room else 0
    lines = [
        _(
            "Request no. {id}: you are the GP of this patient. Thank you!",
            id=request.id,
        ),
        describe(request, deps, translator),
    ]
    private = await repo.private_text(deps.db, request.id)
    if private:
        lines.append(_("From the referrer: {text}", text=private))
    else:
        lines.append(_("No contact details were given: ask the referrer."))
    lines.append(_("Referred by: {contact}", contact=await deps.contact(request.referrer)))
    lines.append(
        translator.ngettext("You have {count} place left.", "You have {count} places left.", left)
    )
    await deps.outbox.send_direct(
        user_id,
        Reply("\n".join(lines)),
        correlation=correlation(request.id, KIND_DETAILS, user_id),
    )


async def _tell_referrer(deps: DispatchDeps, request: PatientRequest, user_id: str) -> None:
    await direct_notice(
        deps,
        request.referrer,
        N_("Médecin traitant request no. {id}: {contact} accepts to be the patient's GP."),
        notify=True,
        id=request.id,
        contact=await deps.contact(user_id),
    )


async def edit_offers(deps: DispatchDeps, request: PatientRequest, status: str) -> None:
    """Put ``status`` (a msgid with {id}) on top of every offer message of ``request``."""
    for row in await repo.offer_messages(deps.db, request.id):
        translator = await deps.translator_for(row["target"])
        text = (
            translator.gettext(status, id=request.id) + "\n" + describe(request, deps, translator)
        )
        await deps.outbox.edit(row["room_id"], row["event_id"], Reply(text))


async def _tell_others(deps: DispatchDeps, request: PatientRequest, winner: str) -> None:
    await edit_offers(deps, request, N_("[Request no. {id}: placed]"))
    for row in await repo.pending_offers_for(deps.db, request.id):
        if row["user_id"] == winner:
            continue
        if await repo.answer_offer(deps.db, request.id, row["user_id"], "taken", deps.now):
            await direct_notice(
                deps,
                row["user_id"],
                N_("Request no. {id} has been accepted by a colleague. Thank you!"),
                id=request.id,
            )


async def withdraw_offers(deps: DispatchDeps, request: PatientRequest, status: str) -> None:
    """Close every pending offer of ``request`` (cancelled) and mark the messages."""
    await edit_offers(deps, request, status)
    for row in await repo.pending_offers_for(deps.db, request.id):
        await repo.answer_offer(deps.db, request.id, row["user_id"], "withdrawn", deps.now)


async def on_sent(
    db: aiosqlite.Connection,
    text: str,
    room_id: str,
    event_id: str,
    now: datetime | None = None,
) -> bool:
    """The outbox row ``text`` (a ``medtrait:`` correlation) was sent as ``event_id``:
    remember it (replies and reactions then resolve to the request); once the private
    text has reached the GP who accepted, erase it."""
    parsed = parse_correlation(text)
    if parsed is None:
        return False
    request_id, kind, target = parsed
    moment = now or datetime.now(UTC)
    if kind == KIND_DETAILS:
        await repo.erase_private(db, request_id)
    await repo.record_message(db, event_id, room_id, request_id or None, kind, target, moment)
    return True
