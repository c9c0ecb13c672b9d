"""A professional registers a patient without a GP; the referrer's follow-ups; cancelling.

What is stored for all to see is the commune, the age band and the priority criteria.
What the referrer typed (with any contact details, given now or in a follow-up) is kept
apart and goes only to the GP who accepts; once sent, it is erased (see
:func:`cpts_bot.features.medecin_traitant.gp_offers_service.on_sent`).
"""

from __future__ import annotations

from cpts_bot.core.messages import Reply
from cpts_bot.features.medecin_traitant import repository as repo
from cpts_bot.features.medecin_traitant.context_service import (
    KIND_DETAILS,
    KIND_REGISTERED,
    correlation,
    describe,
)
from cpts_bot.features.medecin_traitant.gp_offers_service import match_and_offer, withdraw_offers
from cpts_bot.features.medecin_traitant.models import PatientRequest, age_band
from cpts_bot.features.medecin_traitant.phrases import RegisterPatient
from cpts_bot.features.medecin_traitant.states import RequestEvent, RequestState
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context


async def register_patient(
    deps: Context,
    referrer: str,
    room_id: str,
    command: RegisterPatient,
    translator: Translator,
    *,
    is_direct: bool,
) -> PatientRequest:
    """Record the request, offer it at once to the GPs who fit, and answer the referrer
    (in the message being handled)."""
    request = await repo.create_request(
        deps.db,
        repo.NewRequest(
            commune=command.commune,
            age_band=age_band(command.age),
            priorities=command.priorities,
            referrer=referrer,
            referrer_room=room_id,
            private=command.private,
        ),
        deps.now,
    )
    offered = await match_and_offer(deps)
    _ = translator.gettext
    lines = [
        _(
            "Médecin traitant request no. {id} registered: {description}.",
            id=request.id,
            description=describe(request, deps, translator),
        ),
        translator.ngettext(
            "Offered now to {count} GP with room; I will tell you who accepts.",
            "Offered now to {count} GPs with room; I will tell you who accepts.",
            offered,
        )
        if offered
        else _("No GP with room yet: it waits in the list, and I will tell you who accepts."),
    ]
    if is_direct:
        lines.append(
            _(
                "Reply to this message with the patient's contact details: only the GP who "
                "accepts will get them."
            )
        )
    else:
        lines.append(
            _(
                "No contact details here: write them to me in our direct chat as "
                "“coordonnées {id} : …”; only the GP who accepts will get them.",
                id=request.id,
            )
        )
    await deps.outbox.reply(
        Reply("\n".join(lines)), correlation=correlation(request.id, KIND_REGISTERED, referrer)
    )
    return request


async def add_details(
    deps: Context, request_id: int, user_id: str, text: str, translator: Translator
) -> None:
    """The referrer's follow-up with contact details: kept for the GP who will accept, or
    sent at once to the GP who already did."""
    _ = translator.gettext
    request = await repo.get_request(deps.db, request_id)
    if request is None or request.referrer != user_id:
        await deps.outbox.reply(Reply(_("You have no request no. {id}.", id=request_id)))
        return
    if request.state is RequestState.WAITING:
        await repo.add_private(deps.db, request.id, text, deps.now)
        await deps.outbox.reply(
            Reply(_("Noted: the GP who accepts request no. {id} will get it.", id=request.id))
        )
        return
    if request.state is RequestState.PLACED and request.placed_with:
        gp_translator = await deps.translator_for(request.placed_with)
        await deps.outbox.send_direct(
            request.placed_with,
            Reply(
                gp_translator.gettext(
                    "Request no. {id}, more from the referrer: {text}", id=request.id, text=text
                )
            ),
            correlation=correlation(request.id, KIND_DETAILS, request.placed_with),
        )
        await deps.outbox.reply(
            Reply(_("Sent to the GP who accepted request no. {id}.", id=request.id))
        )
        return
    await deps.outbox.reply(Reply(_("Request no. {id} is cancelled.", id=request.id)))


async def cancel_request(
    deps: Context, request_id: int, user_id: str, translator: Translator
) -> bool:
    """The referrer or a coordinator cancels a waiting request (its private text is erased,
    the GPs it was offered to are told)."""
    _ = translator.gettext
    request = await repo.get_request(deps.db, request_id)
    if request is None or (request.referrer != user_id and not deps.config.is_coordinator(user_id)):
        await deps.outbox.reply(Reply(_("You have no request no. {id}.", id=request_id)))
        return False
    if request.state is not RequestState.WAITING:
        await deps.outbox.reply(Reply(_("Request no. {id} is no longer waiting.", id=request.id)))
        return False
    cancelled = await repo.apply_transition(
        deps.db, request, RequestEvent.CANCEL, user_id, deps.now, cancelled_at=deps.now
    )
    if cancelled is None:
        await deps.outbox.reply(Reply(_("Request no. {id} is no longer waiting.", id=request.id)))
        return False
    await withdraw_offers(deps, cancelled, N_("[Request no. {id}: cancelled]"))
    await repo.erase_private(deps.db, request.id)
    await deps.outbox.reply(Reply(_("Request no. {id} cancelled.", id=request.id)))
    await match_and_offer(deps)
    return True
