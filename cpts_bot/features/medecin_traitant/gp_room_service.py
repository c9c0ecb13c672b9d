"""GPs declare their room for new patients; the monthly reminder to confirm it.

A declaration is stored with its date, kept in the history (monthly figures), reflected
in the « nouveaux patients » modality of the GP's directory card, and followed at once
by offers of waiting patients when there is room.
"""

from __future__ import annotations

from dataclasses import replace

from cpts_bot.core.messages import Reply
from cpts_bot.features.directory.models import Modality
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.medecin_traitant import gp_room_repository as rooms_repo
from cpts_bot.features.medecin_traitant import repository as repo
from cpts_bot.features.medecin_traitant.context_service import (
    KIND_REMINDER,
    correlation,
    policy_of,
    priority_text,
    sync_new_patients_modality,
)
from cpts_bot.features.medecin_traitant.gp_offers_service import match_and_offer
from cpts_bot.features.medecin_traitant.models import (
    CapacityScope,
    GpRoom,
    Priority,
    confirmed,
    needs_reminder,
    places_left,
    reminder_moment,
)
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context


def _new_room(user_id: str, deps: Context, previous: GpRoom | None) -> GpRoom:
    """A blank declaration dated now that keeps the GP's priorities and reminder choice."""
    return GpRoom(
        user_id=user_id,
        capacity=0,
        scope=CapacityScope.ONCE,
        accepting=False,
        declared_at=deps.now,
        priorities=previous.priorities if previous else frozenset(),
        reminders=previous.reminders if previous else True,
        last_reminded_at=previous.last_reminded_at if previous else None,
    )


async def _places(deps: Context, room: GpRoom) -> int:
    placed = (await rooms_repo.placements(deps.db)).get(room.user_id, [])
    return places_left(room, placed, deps.now)


def scope_text(scope: CapacityScope, translator: Translator) -> str:
    _ = translator.gettext
    return {
        CapacityScope.ONCE: _("until they are taken"),
        CapacityScope.THIS_MONTH: _("this month"),
        CapacityScope.EVERY_MONTH: _("every month"),
    }[scope]


async def declare_room(
    deps: Context, user_id: str, count: int, scope: CapacityScope, translator: Translator
) -> str:
    """« je peux prendre 3 nouveaux patients ce mois-ci »: store, update the card, offer."""
    previous = await rooms_repo.get_room(deps.db, user_id)
    room = replace(_new_room(user_id, deps, previous), capacity=count, scope=scope, accepting=True)
    await rooms_repo.save_room(deps.db, room)
    await sync_new_patients_modality(deps, user_id)
    offered = await match_and_offer(deps)
    _ = translator.gettext
    lines = [
        translator.ngettext(
            "Noted: {count} new patient, {scope}. Your card says you take new patients.",
            "Noted: {count} new patients, {scope}. Your card says you take new patients.",
            count,
            scope=scope_text(scope, translator),
        )
    ]
    if offered:
        lines.append(_("A waiting patient is offered to you in our direct chat."))
    return "\n".join(lines)


async def stop_taking(deps: Context, user_id: str, translator: Translator) -> str:
    """« je ne prends plus de nouveaux patients »: no room, no more offers."""
    previous = await rooms_repo.get_room(deps.db, user_id)
    await rooms_repo.save_room(deps.db, _new_room(user_id, deps, previous))
    await sync_new_patients_modality(deps, user_id)
    for row in await repo.pending_offers_of(deps.db, user_id):
        await repo.answer_offer(deps.db, row["request_id"], user_id, "withdrawn", deps.now)
    await match_and_offer(deps)
    return translator.gettext(
        "Noted: you take no new patients; your card says so, and no request will be offered to you."
    )


async def follow_card_edit(deps: Context, room: GpRoom) -> bool:
    """A card edit made after the GP's declaration that says « no new patients » (the GP
    through the card, or a coordinator: « fiche de @gp : je ne prends plus de nouveaux
    patients ») stops the room too; True if it did."""
    if not room.accepting or await _places(deps, room) <= 0:
        return False
    directory = DirectoryRepository(deps.db)
    key = await directory.find_key_by_matrix_id(room.user_id)
    if key is None:
        return False
    declaration = (await directory.load_card(key)).modalities.get(Modality.NEW_PATIENTS)
    if declaration is None or declaration.available:
        return False
    field = f"modality:{Modality.NEW_PATIENTS.value}"
    edits = [e for e in await directory.card_history(key) if e.field == field]
    if not edits or not room.declared_at < edits[-1].changed_at <= deps.now:
        # No edit since the declaration, or one made after this run's moment (the card
        # then reflects placements this run cannot see yet: not a stop).
        return False
    await rooms_repo.save_room(deps.db, _new_room(room.user_id, deps, room))
    for row in await repo.pending_offers_of(deps.db, room.user_id):
        await repo.answer_offer(deps.db, row["request_id"], room.user_id, "withdrawn", deps.now)
    return True


async def set_priorities(
    deps: Context, user_id: str, priorities: frozenset[Priority], translator: Translator
) -> str:
    """« priorité ALD et plus de 70 ans »: these patients are offered to this GP first."""
    previous = await rooms_repo.get_room(deps.db, user_id)
    room = previous or _new_room(user_id, deps, None)
    await rooms_repo.save_room(deps.db, replace(room, priorities=priorities))
    _ = translator.gettext
    if not priorities:
        return _("Noted: no priority of your own; priority patients still come first.")
    return _(
        "Noted: patients with {criteria} are offered to you first.",
        criteria=priority_text(priorities, translator),
    )


async def confirm_room(deps: Context, user_id: str, translator: Translator) -> str:
    """« je confirme »: the same room, dated today."""
    room = await rooms_repo.get_room(deps.db, user_id)
    _ = translator.gettext
    if room is None or not room.accepting:
        return _(
            "You have not declared any room. Write for example “je peux prendre 2 nouveaux "
            "patients ce mois-ci”."
        )
    placed = (await rooms_repo.placements(deps.db)).get(user_id, [])
    renewed = confirmed(room, placed, deps.now)
    await rooms_repo.save_room(deps.db, renewed)
    await sync_new_patients_modality(deps, user_id)
    await match_and_offer(deps)
    return room_text(renewed, await _places(deps, renewed), translator)


def room_text(room: GpRoom | None, places: int, translator: Translator) -> str:
    _ = translator.gettext
    if room is None or not room.accepting or places <= 0:
        return _("You have no place declared for new patients.")
    declared = translator.format_date(room.declared_at, "d MMMM yyyy")
    text = translator.ngettext(
        "{count} place left ({scope}, declared on {date}).",
        "{count} places left ({scope}, declared on {date}).",
        places,
        scope=scope_text(room.scope, translator),
        date=declared,
    )
    if room.priorities:
        text += " " + _(
            "Your priorities: {criteria}.", criteria=priority_text(room.priorities, translator)
        )
    return text


async def show_room(deps: Context, user_id: str, translator: Translator) -> str:
    room = await rooms_repo.get_room(deps.db, user_id)
    return room_text(room, await _places(deps, room) if room else 0, translator)


async def set_reminders(deps: Context, user_id: str, enabled: bool, translator: Translator) -> str:
    previous = await rooms_repo.get_room(deps.db, user_id)
    room = previous or _new_room(user_id, deps, None)
    await rooms_repo.save_room(deps.db, replace(room, reminders=enabled))
    _ = translator.gettext
    if enabled:
        return _("Noted: I will ask you once a month whether you still have room.")
    return _("Noted: no more monthly reminders. “reprendre les rappels” to have them again.")


async def send_due_reminders(deps: Context) -> int:
    """The monthly « do you still have room? », once per GP and month (recorded in the
    same transaction as the message); never in the quiet hours (one owed then, the bot
    having been down, goes when they end)."""
    policy = policy_of(deps.config)
    if deps.config.quiet_hours.contains(deps.now):
        return 0
    sent = 0
    for room in await rooms_repo.rooms(deps.db):
        if not needs_reminder(room, deps.now, policy.reminder_day, policy.reminder_hour):
            continue
        moment = reminder_moment(deps.now, policy.reminder_day, policy.reminder_hour)
        if not await rooms_repo.mark_reminded(deps.db, room.user_id, moment, deps.now):
            continue
        translator = await deps.translator_for(room.user_id)
        text = "\n".join(
            [
                translator.gettext("Médecin traitant: do you still have room for new patients?"),
                room_text(room, await _places(deps, room), translator),
                translator.gettext(
                    "Reply “je confirme”, “je peux prendre 2 nouveaux patients ce mois-ci” or "
                    "“je ne prends plus de nouveaux patients”. “stop rappels”: no more of "
                    "these messages."
                ),
            ]
        )
        await deps.outbox.send_direct(
            room.user_id,
            Reply(text),
            notice=False,
            correlation=correlation(0, KIND_REMINDER, room.user_id),
        )
        sent += 1
    return sent
