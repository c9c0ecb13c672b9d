"""What the swap services share: how a duty is written, the offer's text, the
correlation of the bot's messages, telling the coordination, and what the outbox learns
when a message is sent."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import aiosqlite

from cpts_bot.core.messages import Reply
from cpts_bot.core.offers import offer_correlation, parse_offer_correlation
from cpts_bot.features.cover import repository as repo
from cpts_bot.features.cover.models import CORRELATION_PREFIX as PREFIX
from cpts_bot.features.cover.models import (
    PRECISION_DAY,
    PRECISION_TIME,
    ShiftSwap,
    SwapWhen,
)
from cpts_bot.features.dispatch.context_service import (
    format_moment,
    format_span,
    place_names,
    profession_name,
)
from cpts_bot.features.rota.checks_service import duty_when
from cpts_bot.features.rota.conflicts import Conflict, ConflictKind
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import offer_service
from cpts_bot.services.context import Context
from cpts_bot.services.offer_service import record_sent

KIND_OFFER = "offer"  # in a colleague's direct chat


# ``{prefix}{id}:{kind}:{target}``, e.g. ``swap:3:offer:@nurse:hs``
correlation = partial(offer_correlation, PREFIX)
parse_correlation = partial(parse_offer_correlation, PREFIX)


def duty_text(
    deps: Context,
    profession: str,
    communes: tuple[str, ...] | list[str],
    start: datetime,
    end: datetime,
    translator: Translator,
) -> str:
    """« IDE, Hyères, jeu. 24 déc. 20:00–08:00 »."""
    day = translator.format_datetime(start, "EEE d MMM")
    return ", ".join(
        [
            profession_name(profession, translator),
            place_names(sorted(communes), deps.places, translator),
            f"{day} {format_span(start, end, translator)}",
        ]
    )


def when_text(when: SwapWhen, translator: Translator) -> str:
    """The time a phrase named, as the reader says it: « le jeu. 24 déc. », « le jeu.
    24 déc. 20:00 », « du jeu. 24 déc. 20:00 au ven. 25 déc. 08:00 »."""
    if when.precision == PRECISION_DAY:
        day = translator.format_datetime(when.start, "EEE d MMM")
        return translator.gettext("on {day}", day=day)
    if when.precision == PRECISION_TIME:
        return translator.gettext("on {day}", day=format_moment(when.start, "time", translator))
    return translator.gettext(
        "from {start} to {end}",
        start=format_moment(when.start, "time", translator),
        end=format_moment(when.end, "time", translator),
    )


def swap_duty(deps: Context, swap: ShiftSwap, translator: Translator) -> str:
    return duty_text(deps, swap.profession, swap.communes, swap.start, swap.end, translator)


async def offer_text(
    deps: Context, swap: ShiftSwap, translator: Translator, *, answerable: bool = True
) -> str:
    """The offer as colleagues read it; once closed (``answerable`` False) without the
    line telling them how to take it."""
    _ = translator.gettext
    lines = [
        _(
            "Cover no. {id} — {name} is looking for someone to take their duty: {duty}.",
            id=swap.id,
            name=await deps.display_name(swap.requester),
            duty=swap_duty(deps, swap, translator),
        )
    ]
    if answerable:
        lines.append(
            _(
                "Reply “je prends” to this message or react 👍 to take it (the rota is "
                "updated at once); “pas dispo” or ❌ if not."
            )
        )
    return "\n".join(lines)


async def tell_coordination(deps: Context, message: str, **values: object) -> None:
    """Post in the coordination room (else to each coordinator directly)."""
    text = Translator(deps.config.language).gettext(message, **values)
    await offer_service.tell_coordination(deps, Reply(text))


async def on_sent(
    db: aiosqlite.Connection,
    correlation_text: str,
    room_id: str,
    event_id: str,
    now: datetime | None = None,
) -> bool:
    """Remember that the outbox row ``swap:3:offer:@u:hs`` was sent as ``event_id``, so
    replies and reactions to it lead back to the request."""
    parsed = parse_correlation(correlation_text)
    if parsed is None:
        return False
    await record_sent(repo.TABLES, db, parsed, room_id, event_id, now or datetime.now(UTC))
    return True


STATUS_TAKEN = N_("[Duty taken by {name}]")
STATUS_YOURS = N_("[You took this duty]")
STATUS_CANCELLED = N_("[Request cancelled]")
STATUS_EXPIRED = N_("[Request expired]")


def taker_refusal(
    deps: Context, swap: ShiftSwap, conflict: Conflict, translator: Translator
) -> str:
    """Why the one who answered « je prends » cannot take ``swap``: the conflict it would
    make for them (their leave, a duty at the same time, unknown to the directory,
    another profession); the request stays open to the others."""
    _ = translator.gettext
    if conflict.kind is ConflictKind.ON_LEAVE:
        reason = _("you are on leave then")
    elif conflict.kind is ConflictKind.OVERLAP and conflict.other is not None:
        reason = _(
            "you are already on duty then ({other})", other=duty_when(conflict.other, translator)
        )
    elif conflict.kind is ConflictKind.UNKNOWN_PERSON:
        reason = _("the CPTS directory does not know you: ask the coordination to add your card")
    else:
        reason = _(
            "you are {profession} in the directory",
            profession=profession_name(conflict.profession or "", translator),
        )
    return _(
        "You cannot take cover no. {id} ({duty}): {reason}. Nothing was changed; the "
        "request stays open to your colleagues.",
        id=swap.id,
        duty=swap_duty(deps, swap, translator),
        reason=reason,
    )
