"""A coordinator replaces someone on a duty by chat: « garde du 24/12 nuit : Mme Martin
remplace M. Durand » (or with Matrix IDs). The rota is updated (a handover, like a swap
taken), both people are told, and an open request for cover of that duty ends.

People may be named: the one replaced among those on duty then, the replacement among
the members of the duty's profession (directory and rota), by whole words of their name.
"""

from __future__ import annotations

from dataclasses import dataclass

from cpts_bot.core.messages import Reply
from cpts_bot.features.cover import repository as repo
from cpts_bot.features.cover.answers_service import COVER
from cpts_bot.features.cover.models import match_name, rota_members
from cpts_bot.features.cover.phrases import SwapOverride, is_matrix_id
from cpts_bot.features.cover.request_service import MARGIN, find_duty
from cpts_bot.features.cover.states import SwapEvent
from cpts_bot.features.cover.texts_service import STATUS_CANCELLED, duty_text
from cpts_bot.features.dispatch.context_service import profession_name
from cpts_bot.features.rota.checks_service import conflicts_if_taken, refusal_text
from cpts_bot.features.rota.duty_rota import Duty, duties_between
from cpts_bot.features.rota.repository import load_rota
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import offer_service
from cpts_bot.services.context import Context
from cpts_bot.services.offer_service import tell

NOBODY_ON_DUTY = N_(
    "I find nobody called “{name}” among those on duty then: give their Matrix ID (@name:server)."
)
NOBODY_OF_PROFESSION = N_(
    "I find nobody called “{name}” ({profession}) in the directory or the rota: give "
    "their Matrix ID (@name:server)."
)


async def _resolve(
    deps: Context,
    typed: str,
    among: list[str],
    translator: Translator,
    nobody: str,
    **values: str,
) -> str | Refusal:
    """The user id ``typed`` names among ``among`` (a Matrix ID is taken as is), or the
    text saying why it names nobody (the msgid ``nobody`` with {name} and ``values``), or
    several people."""
    if is_matrix_id(typed):
        return typed
    names = {user_id: await deps.display_name(user_id) for user_id in dict.fromkeys(among)}
    found = match_name(typed, names)
    if len(found) == 1:
        return found[0]
    if not found:
        return Refusal(translator.gettext(nobody, name=typed, **values))
    return Refusal(
        translator.gettext(
            "Several people match “{name}”: {names}. Give their Matrix ID.",
            name=typed,
            names=", ".join(f"{names[user_id]} ({user_id})" for user_id in found),
        )
    )


@dataclass(frozen=True)
class Refusal:
    """Why an override cannot be applied: the text to answer."""

    text: str


async def override_duty(deps: Context, coordinator: str, override: SwapOverride) -> bool:
    """Apply ``override``; answer the coordinator in every case. True when done."""
    translator = await deps.translator_for(coordinator)
    when = override.when
    rota = await load_rota(
        deps.db, when.start - MARGIN, when.end + MARGIN, deps.config.territory.holiday_calendar()
    )
    on_duty = [d.user_id for d in duties_between(rota, when.start, when.end)]
    replaced = await _resolve(deps, override.replaced, on_duty, translator, NOBODY_ON_DUTY)
    if isinstance(replaced, Refusal):
        return await _refuse(deps, replaced.text)
    duty = await find_duty(deps, coordinator, replaced, when, started_ok=True)
    if isinstance(duty, str):
        return await _refuse(deps, duty)
    members = [m.matrix_id for m in await deps.directory.members(deps.db, duty.profession, None)]
    among = [m for m in members if m] + rota_members(rota, duty.profession)
    what = profession_name(duty.profession, translator)
    replacement = await _resolve(
        deps, override.replacement, among, translator, NOBODY_OF_PROFESSION, profession=what
    )
    if isinstance(replacement, Refusal):
        return await _refuse(deps, replacement.text)
    if replacement not in among:
        # A mistyped ID, or someone of another profession: nobody is told anything wrong.
        return await _refuse(
            deps,
            translator.gettext(
                "{name} is not a {profession} of the directory or of the rota: check the "
                "Matrix ID; nothing was changed.",
                name=await deps.display_name(replacement),
                profession=what,
            ),
        )
    if replacement == replaced:
        await deps.outbox.reply(
            Reply(translator.gettext("The replacement must be someone else than the one replaced."))
        )
        return False
    conflicts = await conflicts_if_taken(deps, duty, replacement)
    if conflicts:  # on leave then, on duty then, another profession: nothing is written
        return await _refuse(deps, await refusal_text(deps, conflicts, translator))
    await repo.add_handover(
        deps.db, replaced, replacement, duty.profession, duty.start, duty.end, coordinator, deps.now
    )
    await _end_open_request(deps, replaced, duty, coordinator)
    await _tell_both(deps, replaced, replacement, duty)
    lines = [
        translator.gettext(
            "Rota updated: {replacement} replaces {replaced} — {duty}.",
            replacement=await deps.display_name(replacement),
            replaced=await deps.display_name(replaced),
            duty=_duty(deps, duty, translator),
        )
    ]
    await deps.outbox.reply(Reply("\n".join(lines)))
    return True


async def _refuse(deps: Context, text: str) -> bool:
    await deps.outbox.reply(Reply(text))
    return False


def _duty(deps: Context, duty: Duty, translator: Translator) -> str:
    return duty_text(deps, duty.profession, sorted(duty.communes), duty.start, duty.end, translator)


async def _tell_both(deps: Context, replaced: str, replacement: str, duty: Duty) -> None:
    to_replacement = await deps.translator_for(replacement)
    await tell(
        deps,
        replacement,
        N_("The coordination gives you {name}'s duty: {duty}."),
        ring=True,
        name=await deps.display_name(replaced),
        duty=_duty(deps, duty, to_replacement),
    )
    to_replaced = await deps.translator_for(replaced)
    await tell(
        deps,
        replaced,
        N_("The coordination gives your duty {duty} to {contact}."),
        ring=True,
        contact=await deps.contact(replacement, to_replaced),
        duty=_duty(deps, duty, to_replaced),
    )


async def _end_open_request(deps: Context, replaced: str, duty: Duty, actor: str) -> None:
    """The duty is settled: an open request for cover of it ends, its offers say so."""
    swap = await repo.open_for_duty(deps.db, replaced, duty.profession, duty.start)
    if swap is None:
        return
    await offer_service.end(COVER, deps, swap, SwapEvent.CANCEL, actor, STATUS_CANCELLED)
