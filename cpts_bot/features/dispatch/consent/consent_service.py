"""The patient's consent in a dispatch request (L1110-4): the question asked when a
request does not say it (unless the CPTS turned it off), and what the answer changes:

- refused: the details are not kept, only the anonymous request (commune, care, time)
  is sent;
- an urgent request does not wait for the answer: it is sent anonymised at once, its
  details wait in the requester's draft; « oui » gives them to the dispatch (and to the
  one who took it meanwhile), « non » or no answer drops them.
"""

from __future__ import annotations

from cpts_bot.core.messages import Reply
from cpts_bot.features.dispatch import drafts_service as drafts
from cpts_bot.features.dispatch.broadcast_service import KIND_DETAILS, correlation
from cpts_bot.features.dispatch.consent.consent_repository import add_details, record_consent
from cpts_bot.features.dispatch.phrases import RequestFields
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

CONSENT_QUESTION = N_(
    "Is the patient informed and in agreement with sharing their care with the professionals "
    "asked? (oui / non)"
)
REFUSED_NOTE = N_(
    "Without the patient's agreement, only the anonymous request (commune, care, time) was "
    "sent and no patient details were kept: give them yourself to whoever takes it, once "
    "the patient agrees."
)
URGENT_SENT_NOTE = N_(
    "Urgent: the anonymous request (commune, care, time) went out at once. The patient's "
    "details go to whoever takes it only once you answer: is the patient informed and in "
    "agreement with sharing their care? (oui / non)"
)
AGREED_NOTE = N_("Noted: the patient agrees. The details go to whoever takes dispatch no. {id}.")
AGREED_NO_DETAILS_NOTE = N_("Noted: the patient agrees (dispatch no. {id}).")
AGREED_TAKEN_NOTE = N_("Noted: the patient agrees. The details were sent to {name}.")
AGREED_ENDED_NOTE = N_("Noted: the patient agrees. Dispatch no. {id} is over: no details kept.")
REFUSED_SENT_NOTE = N_(
    "Noted: without the patient's agreement, dispatch no. {id} stays anonymous and its "
    "details were not kept: give them yourself to whoever takes it, once the patient agrees."
)
DETAILS_LATER = N_("Dispatch no. {id}: the patient agreed to share. Details: {details}")


def without_consent(fields: RequestFields) -> bool:
    """Drop the details of a request the patient did not agree to share; True if so."""
    if fields.consent is not False:
        return False
    fields.details = ""
    return True


def sends_before_consent(fields: RequestFields, missing: list[str]) -> bool:
    """An urgent request whose only missing piece is the consent goes out at once."""
    return fields.urgent and missing == ["consent"]


async def remember_consent(
    context: Context, dispatch_id: int, consent: bool | None, requester: str
) -> None:
    """Record with the request what was said of the patient's consent."""
    await record_consent(context.db, dispatch_id, consent, requester, context.now)


async def consent_after_sending(context: Context, fields: RequestFields, requester: str) -> str:
    """The requester answered the consent question of an urgent dispatch already sent
    (``fields.sent_as``): record it, share or drop the held details; what to reply."""
    dispatch_id = fields.sent_as
    assert dispatch_id is not None and fields.consent is not None
    await remember_consent(context, dispatch_id, fields.consent, requester)
    if not fields.consent:
        return context._(REFUSED_SENT_NOTE, id=dispatch_id)
    if not fields.details:
        return context._(AGREED_NO_DETAILS_NOTE, id=dispatch_id)
    if not await add_details(context.db, dispatch_id, fields.details):
        return context._(AGREED_ENDED_NOTE, id=dispatch_id)
    dispatch = await drafts.dispatch(context, dispatch_id)
    if dispatch is None or dispatch.taken_by is None:
        return context._(AGREED_NOTE, id=dispatch_id)
    translator = await context.translator_for(dispatch.taken_by)
    text = translator.gettext(DETAILS_LATER, id=dispatch_id, details=fields.details)
    await context.outbox.send_direct(
        dispatch.taken_by,
        Reply(text),
        correlation=correlation(dispatch_id, KIND_DETAILS, dispatch.taken_by),
    )
    name = await context.contact(dispatch.taken_by, context.translator)
    return context._(AGREED_TAKEN_NOTE, name=name)
