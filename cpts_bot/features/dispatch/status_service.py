"""Where a dispatch stands ("statut 42") and a user's dispatches ("mes déclenchements")."""

from __future__ import annotations

from cpts_bot.core.times import from_iso
from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.accept_service import DISPATCH
from cpts_bot.features.dispatch.context_service import (
    format_moment,
    format_time,
    place_names,
    profession_name,
)
from cpts_bot.features.dispatch.models import Dispatch
from cpts_bot.features.dispatch.states import DispatchState
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

_EVENT_NAMES = {
    "create": N_("created"),
    "accept": N_("accepted"),
    "decline": N_("declined"),
    "escalate": N_("widened"),
    "expire": N_("expired"),
    "cancel": N_("cancelled"),
    "hand_back": N_("handed back"),
    "complete": N_("done"),
    "relaunch": N_("offered again"),
    "remind": N_("reminder sent"),
}


def summary_line(dispatch: Dispatch, deps: Context, translator: Translator) -> str:
    """ "n°42 — nurse — Hyères — Mon 23 Nov 20:00 — open"."""
    return " — ".join(
        [
            translator.gettext("no. {id}", id=dispatch.id),
            profession_name(dispatch.profession, translator),
            place_names(dispatch.all_communes, deps.places, translator),
            format_moment(dispatch.needed_at, dispatch.needed_precision, translator),
            DISPATCH.state_name(dispatch.state, translator),
        ]
    )


async def status_text(deps: Context, dispatch: Dispatch, translator: Translator) -> str:
    _ = translator.gettext
    lines = [
        await _state_line(deps, dispatch, translator),
        summary_line(dispatch, deps, translator),
        dispatch.what,
    ]
    if dispatch.usual_professional:
        name = await deps.display_name(dispatch.usual_professional)
        lines.append(_("Usual professional (asked first): {name}.", name=name))
    rows = await repo.recipients(deps.db, dispatch.id)
    declined = sum(1 for row in rows if row["answer"] == "declined")
    lines.append(_("Asked: {asked}, declined: {declined}.", asked=len(rows), declined=declined))
    for row in await repo.transitions(deps.db, dispatch.id):
        actor = row["actor"]
        who = await deps.display_name(actor) if actor.startswith("@") else ""
        event = _(_EVENT_NAMES.get(row["event"], row["event"]))
        line = f"{format_time(from_iso(row['at']), translator)} {event}"
        lines.append(f"{line} ({who})" if who else line)
    return "\n".join(lines)


async def _state_line(deps: Context, dispatch: Dispatch, translator: Translator) -> str:
    """The status first: who took it and when, until when it waits, or how it ended."""
    _ = translator.gettext
    if dispatch.state is DispatchState.TAKEN and dispatch.taken_by and dispatch.taken_at:
        return _(
            "Taken by {name} at {time}.",
            name=await deps.display_name(dispatch.taken_by),
            time=format_time(dispatch.taken_at, translator),
        )
    if dispatch.state is DispatchState.OPEN:
        return _(
            "Waiting for an answer until {time}.",
            time=format_time(dispatch.expires_at, translator),
        )
    return _(
        "Dispatch no. {id}: {state}.",
        id=dispatch.id,
        state=DISPATCH.state_name(dispatch.state, translator),
    )


async def my_dispatches_text(deps: Context, user_id: str, translator: Translator) -> str:
    dispatches = await repo.of_user(deps.db, user_id)
    if not dispatches:
        return translator.gettext("You have no dispatches.")
    lines = [translator.gettext("Your latest dispatches:")]
    for dispatch in dispatches:
        mark = "→ " if dispatch.taken_by == user_id else ""
        lines.append(mark + summary_line(dispatch, deps, translator))
    return "\n".join(lines)
