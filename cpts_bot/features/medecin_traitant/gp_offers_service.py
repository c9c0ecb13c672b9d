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
from typing import Any

import aiosqlite

from cpts_bot.core.messages import Reply
from cpts_bot.core.offers import TAKEN, Outcome
from cpts_bot.features.dispatch.context_service import format_moment
from cpts_bot.features.medecin_traitant import gp_room_repository as rooms_repo
from cpts_bot.features.medecin_traitant import repository as repo
from cpts_bot.features.medecin_traitant.context_service import (
    KIND_DETAILS,
    KIND_OFFER,
    correlation,
    describe,
    parse_correlation,
    policy_of,
    proximity_of,
    sync_new_patients_modality,
)
from cpts_bot.features.medecin_traitant.gp_matching import FreeGp, plan_offers
from cpts_bot.features.medecin_traitant.models import PatientRequest, places_left
from cpts_bot.features.medecin_traitant.states import OFFER, RequestEvent, RequestState
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import offer_service
from cpts_bot.services.context import Context
from cpts_bot.services.offer_kind import OfferKind, OfferTexts
from cpts_bot.services.offer_service import record_sent, tell
from cpts_bot.services.responding import respond_with

log = logging.getLogger(__name__)


async def free_gps(deps: Context) -> list[FreeGp]:
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


async def match_and_offer(deps: Context) -> int:
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
    deps: Context, request: PatientRequest, user_id: str, places: int, expires: datetime
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


class GpOffers(OfferKind[PatientRequest]):
    """A patient's request as an offer to GPs with room: only a GP with a place left may
    win; the others offered are told and freed, then offered the next patient."""

    rules = OFFER
    tables = repo.TABLES
    texts = OfferTexts(
        unknown=N_("Request no. {id} was not offered to you."),
        not_offered=N_("Request no. {id} was not offered to you."),
        already_yours=N_("Request no. {id} is already yours."),
        too_late=N_("Request no. {id} has already been accepted by a colleague. Thank you!"),
        closed=N_("Request no. {id} is no longer waiting."),
        declined=N_("Noted, thank you (request no. {id})."),
        states={
            RequestState.WAITING: N_("waiting"),
            RequestState.PLACED: N_("placed"),
            RequestState.CANCELLED: N_("cancelled"),
        },
    )
    offer_messages = (KIND_OFFER,)

    async def load(self, deps: Context, subject_id: int) -> PatientRequest | None:
        return await repo.get_request(deps.db, subject_id)

    async def take(
        self, deps: Context, subject: PatientRequest, user_id: str
    ) -> PatientRequest | None:
        placed = {"placed_with": user_id, "placed_at": deps.now}
        return await self.apply(deps, subject, RequestEvent.ACCEPT, user_id, **placed)

    async def apply(
        self, deps: Context, subject: PatientRequest, event: StrEnum, actor: str, **fields: Any
    ) -> PatientRequest | None:
        assert isinstance(event, RequestEvent)
        return await repo.apply_transition(deps.db, subject, event, actor, deps.now, **fields)

    def holder(self, subject: PatientRequest) -> str | None:
        return subject.placed_with

    async def offer_body(
        self, deps: Context, subject: PatientRequest, translator: Translator
    ) -> str:
        return describe(subject, deps, translator)

    async def may_take(self, deps: Context, subject: PatientRequest, user_id: str) -> bool:
        if await _places_left(deps, user_id) > 0:
            return True
        await respond_with(
            deps,
            user_id,
            N_(
                "You have no place declared any more: write “je peux prendre 1 nouveau "
                "patient” first, then accept again."
            ),
        )
        return False

    async def won(self, deps: Context, subject: PatientRequest, user_id: str) -> None:
        """``user_id`` is the patient's GP: details to them, news to the referrer and to
        the other GPs offered the patient, the card's modality updated, the freed GPs
        offered the next patient."""
        log.info("medecin traitant request placed", extra={"request_id": subject.id})
        await _tell_winner(deps, subject, user_id)
        await _tell_referrer(deps, subject, user_id)
        await offer_service.edit_offers(self, deps, subject, N_("[Request no. {id}: placed]"))
        await offer_service.close_pending(
            self,
            deps,
            subject,
            TAKEN,
            notice=N_("Request no. {id} has been accepted by a colleague. Thank you!"),
        )
        await sync_new_patients_modality(deps, user_id)
        await match_and_offer(deps)

    async def declined(self, deps: Context, subject: PatientRequest, user_id: str) -> None:
        await match_and_offer(deps)

    async def lost(self, deps: Context, subject: PatientRequest, user_id: str) -> None:
        await match_and_offer(deps)

    async def hand_back(self, deps: Context, subject: PatientRequest, user_id: str) -> Outcome:
        await respond_with(
            deps,
            user_id,
            N_("Request no. {id}: ask the coordination if you can no longer take this patient."),
            id=subject.id,
        )
        return Outcome.CLOSED


GP_OFFERS = GpOffers()


async def _places_left(deps: Context, user_id: str) -> int:
    room = await rooms_repo.get_room(deps.db, user_id)
    placed = (await rooms_repo.placements(deps.db)).get(user_id, [])
    return places_left(room, placed, deps.now) if room else 0


async def _tell_winner(deps: Context, request: PatientRequest, user_id: str) -> None:
    translator = await deps.translator_for(user_id)
    _ = translator.gettext
    left = await _places_left(deps, user_id)
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


async def _tell_referrer(deps: Context, request: PatientRequest, user_id: str) -> None:
    await tell(
        deps,
        request.referrer,
        N_("Médecin traitant request no. {id}: {contact} accepts to be the patient's GP."),
        ring=True,
        id=request.id,
        contact=await deps.contact(user_id),
    )


async def withdraw_offers(deps: Context, request: PatientRequest, status: str) -> None:
    """Close every pending offer of ``request`` (cancelled) and mark the messages."""
    await offer_service.edit_offers(GP_OFFERS, deps, request, status)
    await offer_service.close_pending(GP_OFFERS, deps, request, "withdrawn")


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
    if parsed[1] == KIND_DETAILS:
        await repo.erase_private(db, parsed[0])
    await record_sent(repo.TABLES, db, parsed, room_id, event_id, now or datetime.now(UTC))
    return True
