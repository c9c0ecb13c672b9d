"""A coordinator fills a duty with nobody: « garde du 24/12 nuit IDE Hyères : Mme Martin ».

The duty meant is the one of that profession (and commune) then whose professional is on
leave: it is handed over, as an override would. When the rota has no duty of that
profession then, a one-off duty is added for that time. A duty someone does is not
taken from them here: the answer gives the override's phrase instead.
"""

from __future__ import annotations

from cpts_bot.core.messages import Reply
from cpts_bot.features.cover import repository as swap_repo
from cpts_bot.features.cover.models import (
    PRECISION_DAY,
    DutyChoice,
    NoDuty,
    SeveralDuties,
    match_name,
    pick_duty,
    rota_members,
)
from cpts_bot.features.cover.request_service import MARGIN
from cpts_bot.features.dispatch.context_service import profession_name
from cpts_bot.features.rota import repository as rota_repo
from cpts_bot.features.rota.checks_service import conflicts_if_taken, refusal_text
from cpts_bot.features.rota.duty_fill_phrases import DutyFill
from cpts_bot.features.rota.duty_rota import (
    Duty,
    OneOffShift,
    Rota,
    duties_between,
    on_leave_during,
)
from cpts_bot.features.rota.reminders.duty_notice_texts_service import day_word, hours
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context


async def fill_duty(deps: Context, coordinator: str, fill: DutyFill) -> bool:
    """Apply ``fill``; answer the coordinator in every case. True when the rota changed."""
    translator = await deps.translator_for(coordinator)
    when = fill.when
    calendar = deps.config.territory.holiday_calendar()
    rota = await rota_repo.load_rota(deps.db, when.start - MARGIN, when.end + MARGIN, calendar)
    communes = tuple(found.code for found in deps.places.find(fill.where))
    duties = _duties_of(rota, fill, communes)
    members = [m.matrix_id for m in await deps.directory.members(deps.db, fill.profession, None)]
    among = [m for m in members if m] + rota_members(rota, fill.profession)
    who = await _resolve(deps, fill.who, among)
    if who is None:
        return await _say(deps, _nobody_called(fill, translator))
    uncovered = [d for d in duties if on_leave_during(rota.leaves, d.user_id, d.start, d.end)]
    choice: DutyChoice = pick_duty(uncovered, when, deps.now)
    if isinstance(choice, Duty):
        refused = await _conflicts(deps, choice, who, translator)
        if refused:
            return await _say(deps, refused)
        await swap_repo.add_handover(
            deps.db,
            choice.user_id,
            who,
            choice.profession,
            choice.start,
            choice.end,
            coordinator,
            deps.now,
        )
        return await _done(deps, who, choice, translator)
    if isinstance(choice, SeveralDuties):
        return await _say(deps, translator.gettext(SEVERAL))
    if not isinstance(choice, NoDuty):  # already begun
        return await _say(deps, translator.gettext(BEGUN))
    return await _fill_empty(deps, coordinator, fill, who, duties, communes, translator)


async def _fill_empty(
    deps: Context,
    coordinator: str,
    fill: DutyFill,
    who: str,
    duties: list[Duty],
    communes: tuple[str, ...],
    translator: Translator,
) -> bool:
    """No duty with nobody then: a new one-off duty, unless someone does that duty."""
    when = fill.when
    covered = pick_duty(duties, when, deps.now)
    if isinstance(covered, Duty):
        return await _say(deps, await _covered_text(deps, covered, translator))
    if when.precision == PRECISION_DAY:
        return await _say(deps, translator.gettext(NEED_HOURS))
    duty = Duty(who, fill.profession, frozenset(communes), when.start, when.end)
    refused = await _conflicts(deps, duty, who, translator)
    if refused:
        return await _say(deps, refused)
    shift = OneOffShift(who, fill.profession, frozenset(communes), when.start, when.end)
    await rota_repo.add_shift(deps.db, shift, rota_repo.SOURCE_CHAT, coordinator, deps.now)
    return await _done(deps, who, duty, translator)


def _nobody_called(fill: DutyFill, translator: Translator) -> str:
    return translator.gettext(
        "I find nobody called “{name}” ({profession}) in the directory or the rota: "
        "give their Matrix ID (@name:server).",
        name=fill.who,
        profession=profession_name(fill.profession, translator),
    )


def _duties_of(rota: Rota, fill: DutyFill, communes: tuple[str, ...]) -> list[Duty]:
    """The duties of the profession (and commune) around the time named."""
    return [
        duty
        for duty in duties_between(rota, fill.when.start - MARGIN, fill.when.end + MARGIN)
        if duty.profession == fill.profession
        and (not communes or any(duty.covers_commune(code) for code in communes))
    ]


SEVERAL = N_(
    "Several duties with nobody then: give the hour, e.g. “garde du 24/12 20h IDE : name”."
)
BEGUN = N_("That duty has already begun: nothing was changed.")
NEED_HOURS = N_(
    "The rota has no such duty that day: give the part of the day or the hour it starts, "
    "e.g. “garde du 24/12 nuit IDE Hyères : name”."
)


async def _resolve(deps: Context, typed: str, among: list[str]) -> str | None:
    if typed.startswith("@"):
        return typed if typed in among else None
    names = {user_id: await deps.display_name(user_id) for user_id in dict.fromkeys(among)}
    found = match_name(typed, names)
    return found[0] if len(found) == 1 else None


async def _covered_text(deps: Context, duty: Duty, translator: Translator) -> str:
    name = await deps.display_name(duty.user_id)
    return translator.gettext(
        "{name} does that duty: to put someone else on it, “garde du {date} : name "
        "remplace {name}”.",
        name=name,
        date=translator.format_datetime(duty.start, "dd/MM"),
    )


async def _conflicts(deps: Context, duty: Duty, who: str, translator: Translator) -> str:
    """Why ``who`` cannot do ``duty`` (on leave then, on duty then, another profession),
    or "" when they can."""
    conflicts = await conflicts_if_taken(deps, duty, who)
    return await refusal_text(deps, conflicts, translator) if conflicts else ""


async def _done(deps: Context, who: str, duty: Duty, translator: Translator) -> bool:
    places = ", ".join(deps.places.name(code) for code in sorted(duty.communes))

    def summary(translator: Translator) -> str:
        what = profession_name(duty.profession, translator)
        return what + (f", {places}" if places else "")

    lines = [
        translator.gettext(
            "Rota updated: {name} is on duty {day} {hours} ({what}).",
            name=await deps.display_name(who),
            day=day_word(duty.start, deps.now, translator),
            hours=hours(duty, translator),
            what=summary(translator),
        )
    ]
    await deps.outbox.reply(Reply("\n".join(lines)))
    told = await deps.translator_for(who)
    await deps.outbox.send_direct(
        who,
        Reply(
            told.gettext(
                "The coordination puts you on duty {day} {hours} ({what}).",
                day=day_word(duty.start, deps.now, told),
                hours=hours(duty, told),
                what=summary(told),
            )
        ),
        notice=False,
    )
    return True


async def _say(deps: Context, text: str) -> bool:
    await deps.outbox.reply(Reply(text))
    return False
