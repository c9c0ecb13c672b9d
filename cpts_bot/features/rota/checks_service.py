"""The rota's conflicts in words (a duty during leave, two overlapping duties, someone
the directory does not know, a profession that is not the person's), for a coordinator
setting a duty by chat and for the weekly « trous dans le planning » summary."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from cpts_bot.features.dispatch.context_service import profession_name
from cpts_bot.features.rota.conflicts import (
    HANDOVER_MARGIN,
    Conflict,
    ConflictKind,
    Directory,
    first_of_each,
    handover_conflicts,
    rota_conflicts,
)
from cpts_bot.features.rota.duty_rota import Duty
from cpts_bot.features.rota.reminders.duty_notice_texts_service import clock, hours, what_and_where
from cpts_bot.features.rota.repository import load_rota
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context


async def directory_of(deps: Context, user_ids: Iterable[str]) -> dict[str, str | None]:
    """What the directory says of each of ``user_ids`` it knows: their profession code."""
    known: dict[str, str | None] = {}
    for user_id in dict.fromkeys(user_ids):
        professional = await deps.directory.by_matrix_id(deps.db, user_id)
        if professional is not None:
            known[user_id] = professional.profession_code or None
    return known


def duty_when(duty: Duty, translator: Translator) -> str:
    """« jeu. 24 déc. 20 h – 8 h »."""
    return f"{translator.format_datetime(duty.start, 'EEE d MMM')} {hours(duty, translator)}"


async def conflict_text(deps: Context, conflict: Conflict, translator: Translator) -> str:
    duty = conflict.duty
    values = {
        "name": await deps.display_name(duty.user_id),
        "when": duty_when(duty, translator),
        "what": what_and_where(duty, deps, translator),
    }
    _ = translator.gettext
    if conflict.kind is ConflictKind.ON_LEAVE:
        return _("{name}: duty {when} ({what}) during their leave", **values)
    if conflict.kind is ConflictKind.OVERLAP and conflict.other is not None:
        other = conflict.other
        return _(
            "{name}: duty {when} ({what}) overlaps their duty {other}",
            other=f"{translator.format_datetime(other.start, 'EEE d MMM')} {clock(other.start, translator)}",
            **values,
        )
    if conflict.kind is ConflictKind.UNKNOWN_PERSON:
        return _("{name}: duty {when} ({what}), unknown to the directory", **values)
    return _(
        "{name}: duty {when} ({what}), but {profession} in the directory",
        profession=profession_name(conflict.profession or "", translator),
        **values,
    )


async def conflicts_if_taken(deps: Context, duty: Duty, to_user: str) -> list[Conflict]:
    """What would be wrong if ``to_user`` did ``duty`` (see ``handover_conflicts``)."""
    calendar = deps.config.territory.holiday_calendar()
    start, end = duty.start - HANDOVER_MARGIN, duty.end + HANDOVER_MARGIN
    rota = await load_rota(deps.db, start, end, calendar)
    return handover_conflicts(duty, to_user, rota, await directory_of(deps, [to_user]))


async def refusal_text(deps: Context, conflicts: list[Conflict], translator: Translator) -> str:
    """« Refusé : … ; rien n'a été changé. », each conflict named."""
    named = [await conflict_text(deps, conflict, translator) for conflict in conflicts]
    return translator.gettext(
        "Refused: {conflicts}. Nothing was changed.", conflicts="; ".join(named)
    )


async def conflicts_between(
    deps: Context, start: datetime, end: datetime, user_id: str | None = None
) -> list[Conflict]:
    """The conflicts of duties starting in [start, end) (``user_id``'s only, when given)."""
    calendar = deps.config.territory.holiday_calendar()
    rota = await load_rota(deps.db, start, end, calendar)
    people = [item.user_id for item in (*rota.slots, *rota.shifts)] + [
        handover.to_user for handover in rota.handovers
    ]
    directory: Directory = await directory_of(deps, people)
    found = rota_conflicts(rota, start, end, directory)
    return [c for c in found if user_id is None or c.duty.user_id == user_id]


async def warnings_for(
    deps: Context, user_id: str, start: datetime, end: datetime, translator: Translator
) -> list[str]:
    """« Attention : … » for each kind of conflict ``user_id``'s duties in [start, end)
    have (the first of each: a weekly slot repeats them)."""
    found = first_of_each(await conflicts_between(deps, start, end, user_id))
    return [
        translator.gettext(
            "Careful: {conflict}.", conflict=await conflict_text(deps, c, translator)
        )
        for c in found
    ]
