"""A professional on duty asks for cover: find the duty meant, ask the free colleagues.

Who is asked: the members of the duty's profession (the directory's active members who
gave a Matrix ID, and everyone the rota lists for that profession from the day before to
the day after) who are free for the whole duty — not the requester, not on leave at any
time of it, not on duty (any profession) at an overlapping time, and known to the
directory as of that profession (taking the duty would refuse anyone else: those the
rota lists without such a card are left out, and the requester is told how many and
why). Each gets the offer in their direct chat, correlated
``swap:<id>:offer:<user>`` so that a reply or a 👍 to it leads back to the request.
"""

from __future__ import annotations

from datetime import timedelta

from cpts_bot.core.messages import Reply
from cpts_bot.core.times import PARIS
from cpts_bot.features.cover import repository as repo
from cpts_bot.features.cover.models import (
    AlreadyStarted,
    NoDuty,
    SeveralDuties,
    ShiftSwap,
    SwapRequest,
    SwapWhen,
    default_deadline,
    free_colleagues,
    pick_duty,
    rota_members,
)
from cpts_bot.features.cover.phrases import ERROR_NEED_DATE
from cpts_bot.features.cover.texts_service import (
    KIND_OFFER,
    correlation,
    duty_text,
    offer_text,
    swap_duty,
    tell_coordination,
    when_text,
)
from cpts_bot.features.rota.checks_service import directory_of
from cpts_bot.features.rota.duty_rota import Duty, duties_of
from cpts_bot.features.rota.repository import load_rota
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

MARGIN = timedelta(days=1)


async def find_duty(
    deps: Context, asker: str, user_id: str, when: SwapWhen, *, started_ok: bool = False
) -> Duty | str:
    """``user_id``'s one duty ``when`` means, or the text (in ``asker``'s language)
    saying why there is none."""
    rota = await load_rota(
        deps.db, when.start - MARGIN, when.end + MARGIN, deps.config.territory.holiday_calendar()
    )
    duties = duties_of(rota, user_id, when.start - MARGIN, when.end + MARGIN)
    choice = pick_duty(duties, when, deps.now)
    if isinstance(choice, AlreadyStarted) and started_ok:
        return choice.duty
    translator = await deps.translator_for(asker)
    _ = translator.gettext
    said = when_text(when, translator)
    if isinstance(choice, NoDuty):
        if asker == user_id:
            return _("You have no duty {when} in the rota.", when=said)
        name = await deps.display_name(user_id)
        return _("{name} has no duty {when} in the rota.", name=name, when=said)
    if isinstance(choice, SeveralDuties):
        listed = "; ".join(
            duty_text(deps, d.profession, sorted(d.communes), d.start, d.end, translator)
            for d in choice.duties
        )
        first = choice.duties[0].start.astimezone(PARIS)
        return _(
            "Several duties {when}: {duties}. Say which with its hour, e.g. “{example}”.",
            when=said,
            duties=listed,
            example=first.strftime("%d/%m %Hh%M"),
        )
    if isinstance(choice, AlreadyStarted):
        return _("This duty has already started: ask the coordination.")
    return choice


async def colleagues_free(deps: Context, duty: Duty, requester: str) -> tuple[list[str], int, int]:
    """The members of ``duty``'s profession free for all of it whom the directory knows
    as of that profession, and how many free ones of the rota were left out: unknown to
    the directory, or of another profession there (see the module)."""
    rota = await load_rota(
        deps.db, duty.start - MARGIN, duty.end + MARGIN, deps.config.territory.holiday_calendar()
    )
    members = await deps.directory.members(deps.db, duty.profession, None)
    candidates = [m.matrix_id for m in members if m.active and m.matrix_id]
    candidates += rota_members(rota, duty.profession)
    free = free_colleagues(rota, candidates, duty.start, duty.end, requester)
    known = await directory_of(deps, free)
    other = [u for u in free if known.get(u) not in (None, duty.profession)]
    unknown = [u for u in free if u not in known]
    return [u for u in free if u not in other and u not in unknown], len(unknown), len(other)


async def request_cover(
    deps: Context, requester: str, room_id: str, when: SwapWhen | None
) -> ShiftSwap | None:
    """Offer ``requester``'s duty ``when`` to the free colleagues; answer the requester
    in every case. The request, or None when nothing was sent."""
    translator = await deps.translator_for(requester)
    _ = translator.gettext
    if when is None:
        await deps.outbox.reply(Reply(_(ERROR_NEED_DATE)))
        return None
    duty = await find_duty(deps, requester, requester, when)
    if isinstance(duty, str):
        await deps.outbox.reply(Reply(duty))
        return None
    existing = await repo.open_for_duty(deps.db, requester, duty.profession, duty.start)
    if existing is not None:
        await deps.outbox.reply(
            Reply(_("A request for cover of this duty is already open (no. {id}).", id=existing.id))
        )
        return None
    free, unknown, other = await colleagues_free(deps, duty, requester)
    left_out = _left_out(unknown, other, translator)
    if not free:
        await _nobody_free(deps, requester, duty, left_out)
        return None
    swap = await repo.create(
        deps.db,
        SwapRequest(
            requester,
            room_id,
            duty.profession,
            tuple(sorted(duty.communes)),
            duty.start,
            duty.end,
            default_deadline(duty.start, deps.now, deps.config.swaps.expire_after),
        ),
        deps.now,
    )
    added = await repo.add_recipients(deps.db, swap.id, free, deps.now)
    await send_offers(deps, swap, added)
    await deps.outbox.reply(
        Reply(
            translator.ngettext(
                "Request for cover no. {id} sent to {count} free colleague: {duty}.",
                "Request for cover no. {id} sent to {count} free colleagues: {duty}.",
                len(added),
                id=swap.id,
                duty=swap_duty(deps, swap, translator),
            )
            + "\n"
            + _("I will tell you who takes it. “annuler remplacement {id}” to cancel.", id=swap.id)
            + left_out
        )
    )
    return swap


def _left_out(unknown: int, other: int, translator: Translator) -> str:
    """The line telling the requester how many free colleagues of the rota were not
    asked, and why (nothing when none)."""
    said = [_unknown(unknown, translator)] if unknown else []
    if other:
        said.append(
            translator.ngettext(
                "{count} colleague of the rota was not asked: their directory card gives"
                " another profession.",
                "{count} colleagues of the rota were not asked: their directory cards give"
                " another profession.",
                other,
            )
        )
    return "\n" + " ".join(said) if said else ""


def _unknown(unknown: int, translator: Translator) -> str:
    return translator.ngettext(
        "{count} colleague of the rota was not asked: the CPTS directory does not know"
        " them (the coordination can add their card).",
        "{count} colleagues of the rota were not asked: the CPTS directory does not know"
        " them (the coordination can add their cards).",
        unknown,
    )


async def _nobody_free(deps: Context, requester: str, duty: Duty, left_out: str) -> None:
    translator = await deps.translator_for(requester)
    communes = sorted(duty.communes)
    await deps.outbox.reply(
        Reply(
            translator.gettext(
                "Nobody of your profession is free for {duty}: the coordination is told.",
                duty=duty_text(deps, duty.profession, communes, duty.start, duty.end, translator),
            )
            + left_out
        )
    )
    territory = Translator(deps.config.language)
    await tell_coordination(
        deps,
        N_("{name} is looking for cover for {duty}, but nobody is free then."),
        name=await deps.display_name(requester),
        duty=duty_text(deps, duty.profession, communes, duty.start, duty.end, territory),
    )


async def send_offers(deps: Context, swap: ShiftSwap, user_ids: list[str]) -> None:
    for user_id in user_ids:
        translator = await deps.translator_for(user_id)
        await deps.outbox.send_direct(
            user_id,
            Reply(await offer_text(deps, swap, translator), mentions=(user_id,)),
            notice=False,
            correlation=correlation(swap.id, KIND_OFFER, user_id),
        )
