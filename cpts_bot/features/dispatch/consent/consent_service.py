"""The patient's consent in a dispatch request (L1110-4): the question asked when the
CPTS wants it said, and what a refusal changes: the details are not kept, only the
anonymous request (commune, care, time) is sent."""

from __future__ import annotations

from cpts_bot.features.dispatch.consent.consent_repository import record_consent
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


def without_consent(fields: RequestFields) -> bool:
    """Drop the details of a request the patient did not agree to share; True if so."""
    if fields.consent is not False:
        return False
    fields.details = ""
    return True


async def remember_consent(
    context: Context, dispatch_id: int, consent: bool | None, requester: str
) -> None:
    """Record with the request what was said of the patient's consent."""
    await record_consent(context.db, dispatch_id, consent, requester, context.now)
