"""Create a dispatch and send it to the professionals who fit.

Who is asked: the professionals of that profession on duty at the needed time in the
area, when the rota has any; otherwise every active member of the profession practising
in the area. Never those on leave (now or at the needed time), never the requester.
Each is written to in their encrypted direct chat, or, when rooms.yaml names a duty room
for the profession, in that room with a mention of each. Each message carries the
correlation ``dispatch:<id>:<kind>:<target>`` so that, once sent, its event id is known
(see :func:`cpts_bot.features.dispatch.escalation_service.on_sent`) and replies or reactions to
it lead back to the dispatch.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime, time, timedelta
from functools import partial

from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.messages import Reply
from cpts_bot.core.offers import offer_correlation, parse_offer_correlation
from cpts_bot.core.profession_words import profession_code
from cpts_bot.core.times import PARIS, from_iso
from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.context_service import format_moment, place_names, profession_name
from cpts_bot.features.dispatch.fair_order import AskOrder, fair_choice
from cpts_bot.features.dispatch.fairness_repository import ask_history
from cpts_bot.features.dispatch.models import CORRELATION_PREFIX, Dispatch, DispatchRequest
from cpts_bot.features.dispatch.phrases import RequestFields
from cpts_bot.features.rota.duty_rota import is_on_leave, on_duty_at
from cpts_bot.features.rota.repository import load_rota
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context

KIND_BROADCAST = "broadcast"  # in a recipient's direct chat
KIND_ROOM = "room"  # in a duty room
KIND_DETAILS = "details"  # the details, to the one who accepted
KIND_REQUESTER = "requester"  # to the requester


# ``{prefix}{id}:{kind}:{target}``, e.g. ``dispatch:42:broadcast:@nurse:hs``
correlation = partial(offer_correlation, CORRELATION_PREFIX)
parse_correlation = partial(parse_offer_correlation, CORRELATION_PREFIX)


def duty_room_for(deps: Context, profession: str) -> str | None:
    """The duty room rooms.yaml names for ``profession`` (keys may be any profession word:
    "IDE", "infirmier", "60")."""
    for label, room in deps.config.rooms.duty.items():
        if profession_code(label) == profession:
            return room
    return None


async def select_recipients(
    deps: Context,
    profession: str,
    communes: Collection[str] | None,
    at: datetime,
    *,
    use_rota: bool = True,
    exclude: Iterable[str] = (),
) -> list[str]:
    """The Matrix ids to ask for ``profession`` in ``communes`` (None: anywhere) at ``at``."""
    excluded = set(exclude)
    window_start = min(at, deps.now) - timedelta(days=1)
    window_end = max(at, deps.now) + timedelta(days=1)
    rota = await load_rota(
        deps.db, window_start, window_end, deps.config.territory.holiday_calendar()
    )

    def available(user_id: str) -> bool:
        return (
            user_id not in excluded
            and not is_on_leave(rota.leaves, user_id, at)
            and not is_on_leave(rota.leaves, user_id, deps.now)
        )

    chosen: list[str] = []
    if use_rota:
        for commune in communes or [None]:
            for duty in on_duty_at(rota, at, profession, commune):
                if duty.user_id not in chosen and available(duty.user_id):
                    chosen.append(duty.user_id)
        if chosen:
            return chosen
    members = await deps.directory.members(
        deps.db, profession, list(communes) if communes else None
    )
    for member in members:
        if member.active and member.matrix_id and member.matrix_id not in chosen:
            if available(member.matrix_id):
                chosen.append(member.matrix_id)
    return chosen


async def create_dispatch(
    deps: Context,
    requester: str,
    request_room: str,
    fields: RequestFields,
    usual: str | None = None,
) -> Dispatch:
    """Record a complete request as an open dispatch (then send it); ``usual``: the
    patient's usual professional, asked alone first."""
    missing = fields.missing()
    if missing:
        raise ValueError(f"incomplete request: {missing}")
    policy = deps.policy
    first = policy.step(0, usual=usual is not None, urgent=fields.urgent)
    expire_after = policy.expire_after_for(usual=usual is not None, urgent=fields.urgent)
    new = DispatchRequest(
        requester=requester,
        request_room=request_room,
        profession=str(fields.profession),
        communes=tuple(fields.communes),
        needed_at=from_iso(str(fields.needed_at)),
        needed_precision=fields.precision or "time",
        what=str(fields.what),
        details=fields.details,
        urgent=fields.urgent,
        expires_at=deps.now + expire_after,
        next_step_at=deps.now + first.delay if first else None,
        usual_professional=usual,
    )
    return await repo.create(deps.db, new, deps.now)


def broadcast_text(
    dispatch: Dispatch, deps: Context, translator: Translator, *, answerable: bool = True
) -> str:
    """The request as its recipients read it; once closed (``answerable`` False: taken,
    cancelled, expired) without the line telling them how to take it."""
    _ = translator.gettext
    if dispatch.urgent:
        header = _("URGENT dispatch no. {id}", id=dispatch.id)
    else:
        header = _("Dispatch no. {id}", id=dispatch.id)
    lines = [
        header
        + " — "
        + profession_name(dispatch.profession, translator)
        + " — "
        + place_names(dispatch.all_communes, deps.places, translator),
        _(
            "{moment}: {what}",
            moment=format_moment(dispatch.needed_at, dispatch.needed_precision, translator),
            what=dispatch.what,
        ),
    ]
    if answerable:
        lines.append(
            _("Reply “je prends” to this message or react 👍 to take it; “pas dispo” or ❌ if not.")
        )
    return "\n".join(lines)


async def send_to(deps: Context, dispatch: Dispatch, user_ids: list[str]) -> None:
    """Send ``dispatch`` to ``user_ids`` (already recorded as recipients)."""
    if not user_ids:
        return
    room = duty_room_for(deps, dispatch.profession)
    if room is not None:
        translator = Translator(deps.config.language)
        names = [await deps.display_name(user_id) for user_id in user_ids]
        text = broadcast_text(dispatch, deps, translator) + "\n" + " ".join(user_ids)
        html = text.replace("\n", "<br>")
        for user_id, name in zip(user_ids, names, strict=True):
            html = html.replace(user_id, f'<a href="https://matrix.to/#/{user_id}">{name}</a>', 1)
        await deps.outbox.send(
            room,
            Reply(text, html, mentions=tuple(user_ids)),
            notice=False,
            correlation=correlation(dispatch.id, KIND_ROOM, room),
        )
        return
    texts: dict[str, str] = {}  # one text per language
    messages = []
    for user_id, translator in (await deps.translators_for(user_ids)).items():
        if translator.language not in texts:
            texts[translator.language] = broadcast_text(dispatch, deps, translator)
        reply = Reply(texts[translator.language], mentions=(user_id,))
        messages.append((user_id, reply, correlation(dispatch.id, KIND_BROADCAST, user_id)))
    await deps.outbox.send_direct_each(messages, notice=False)


async def fairly(deps: Context, chosen: list[str]) -> list[str]:
    """The ones of ``chosen`` asked now under ``dispatch.order`` (fair_order.py)."""
    policy = deps.policy
    if policy.order is AskOrder.ALL:
        return chosen
    local = deps.now.astimezone(PARIS)
    month_start = local_to_utc(local.date().replace(day=1), time(0, 0))
    history = await ask_history(deps.db, chosen, month_start)
    return fair_choice(chosen, history, policy.order, policy.ask_at_most)


async def broadcast(
    deps: Context,
    dispatch: Dispatch,
    communes: Collection[str] | None,
    *,
    use_rota: bool = True,
) -> list[str]:
    """Ask the professionals who fit and were not asked yet; return who was asked now."""
    asked = {row["user_id"] for row in await repo.recipients(deps.db, dispatch.id)}
    chosen = await select_recipients(
        deps,
        dispatch.profession,
        communes,
        dispatch.needed_at,
        use_rota=use_rota,
        exclude=asked | {dispatch.requester},
    )
    chosen = await fairly(deps, chosen)
    added = await repo.add_recipients(deps.db, dispatch.id, chosen, dispatch.step_index, deps.now)
    await send_to(deps, dispatch, added)
    return added
