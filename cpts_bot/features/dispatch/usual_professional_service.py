"""Who the usual professional named in a request is, before the dispatch is created.

The name (or Matrix ID, or RPPS number) is looked up among the directory's members of
the requested profession who can be reached (a Matrix ID on their card). Unknown or
ambiguous: the requester is told in plain words and asked again, the request kept.
The requester themself, or someone on leave, is not asked first: the request goes to
everyone, and the requester is told why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from cpts_bot.core.times import from_iso
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.dispatch.context_service import format_duration, place_names, profession_name
from cpts_bot.features.dispatch.phrases import RequestFields
from cpts_bot.features.dispatch.usual_professional import resolve_usual
from cpts_bot.features.rota.duty_rota import is_on_leave
from cpts_bot.features.rota.repository import load_rota
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

MAX_LISTED = 5


@dataclass(frozen=True)
class UsualChoice:
    """``user_id``: ask them first (None: everyone at once); ``problem``: what to tell the
    requester before going on (they answer with a name or « personne »); ``note``: a line
    for the confirmation."""

    user_id: str | None = None
    problem: str | None = None
    note: str | None = None


async def choose_usual(
    deps: Context, fields: RequestFields, requester: str, translator: Translator
) -> UsualChoice:
    """Resolve ``fields.usual`` (as typed) for a complete request."""
    typed = (fields.usual or "").strip()
    if not typed or fields.profession is None:
        return UsualChoice()
    _ = translator.gettext
    profession = profession_name(fields.profession, translator)
    members = await deps.directory.members(deps.db, fields.profession, None)
    found = resolve_usual(typed, [p for p in members if p.matrix_id])
    if not found:
        return UsualChoice(
            problem=_(
                "I cannot find “{typed}” in the directory ({profession}, reachable here). Reply "
                "with their name, Matrix ID or RPPS number, or “personne” to ask everyone.",
                typed=typed,
                profession=profession,
            )
        )
    if len(found) > 1:
        names = ", ".join(_listed(p, deps, translator) for p in found[:MAX_LISTED])
        return UsualChoice(
            problem=_(
                "“{typed}” may be several people ({profession}): {names}. Reply with the first "
                "and last name (or the Matrix ID), or “personne” to ask everyone.",
                typed=typed,
                profession=profession,
                names=names,
            )
        )
    return await _chosen(deps, fields, requester, found[0], translator)


async def _chosen(
    deps: Context,
    fields: RequestFields,
    requester: str,
    person: Professional,
    translator: Translator,
) -> UsualChoice:
    _ = translator.gettext
    user_id = str(person.matrix_id)
    name = person.display_name or user_id
    if user_id == requester:
        return UsualChoice(note=_("You are the usual professional: everyone is asked."))
    needed_at = from_iso(str(fields.needed_at))
    rota = await load_rota(
        deps.db,
        min(needed_at, deps.now) - timedelta(days=1),
        max(needed_at, deps.now) + timedelta(days=1),
    )
    if is_on_leave(rota.leaves, user_id, deps.now) or is_on_leave(rota.leaves, user_id, needed_at):
        return UsualChoice(note=_("{name} is on leave: everyone is asked.", name=name))
    delay = deps.policy.usual_first_delay(urgent=fields.urgent)
    return UsualChoice(
        user_id=user_id,
        note=_(
            "Asked first: {name}, the usual professional; the others in {delay} "
            "if it is not taken by then.",
            name=name,
            delay=format_duration(delay, translator),
        ),
    )


def _listed(person: Professional, deps: Context, translator: Translator) -> str:
    places = place_names(sorted(person.communes), deps.places, translator)
    return f"{person.display_name} ({places})" if person.communes else person.display_name


USUAL_QUESTION = N_(
    "Who is the patient's usual professional? Their name, Matrix ID or RPPS number, or “personne”."
)
