"""The médecin-traitant desk by chat: a thin layer from messages to the services.

- GPs, in their direct chat (or mentioning the bot): « je peux prendre 3 nouveaux
  patients ce mois-ci », « je ne prends plus de nouveaux patients », « priorité ALD et
  plus de 70 ans », « je confirme », « mes places », « stop rappels »;
- any professional: « patient sans médecin traitant, 78 ans, ALD diabète, Vénissieux, vu
  à la pharmacie », then the contact details in reply (or « coordonnées 12 : … »);
- GPs offered a patient: reply « je prends » / « non », or react 👍 / ❌;
- coordinators: « liste d'attente », « patients prioritaires en attente depuis plus de 30
  jours », « annuler patient 12 ».

Everything is declared (the commands in ``medecin_traitant_commands.py``, a follow-up for
the answers to its messages); a bare « ok » / « non » in a direct chat, replying to nothing, goes to the one offer that
waits for this GP (when a dispatch waits too, the GP is asked which one they answer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cpts_bot.chat.commands import Command as DeclaredCommand
from cpts_bot.chat.commands import CommandCall, Topic
from cpts_bot.chat.follow_ups import FollowUp
from cpts_bot.chat.offer_follow_ups import OfferChat, offer_follow_up, on_reaction
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.core.offers import Answer, classify_answer
from cpts_bot.features.medecin_traitant import gp_room_service as gp_room
from cpts_bot.features.medecin_traitant.commands import medecin_traitant_commands
from cpts_bot.features.medecin_traitant.context_service import (
    KIND_REGISTERED,
    KIND_REMINDER,
    PREFIX,
    is_gp,
    policy_of,
)
from cpts_bot.features.medecin_traitant.gp_offers_service import GP_OFFERS
from cpts_bot.features.medecin_traitant.jobs import run_medecin_traitant_due
from cpts_bot.features.medecin_traitant.patient_registration_service import (
    add_details,
    cancel_request,
    register_patient,
)
from cpts_bot.features.medecin_traitant.phrases import (
    BadPlaces,
    CancelRequest,
    Command,
    ConfirmRoom,
    DeclareRoom,
    PrioritiesNotUnderstood,
    RegisterError,
    RegisterPatient,
    SetPriorities,
    SetReminders,
    ShowRoom,
    StopTaking,
    WaitingList,
    parse_gp_command,
    parse_registration,
)
from cpts_bot.features.medecin_traitant.waiting_list_service import waiting_list_text
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context, NoDirectory, ProfessionalLookup


class MedecinTraitantFeature:
    """The ChatFeature of the médecin-traitant desk."""

    name = "medecin_traitant"
    help_topic = Topic.COORDINATION

    def __init__(
        self,
        directory: ProfessionalLookup | None = None,
        on_card_changed: Callable[[str], None] | None = None,
    ) -> None:
        self.directory: ProfessionalLookup = directory or NoDirectory()
        self._on_card_changed = on_card_changed

    def offer_chat(self) -> OfferChat:
        return OfferChat(
            GP_OFFERS,
            PREFIX,
            frozenset({Answer.ACCEPT, Answer.DECLINE}),
            label=lambda translator, ids: translator.gettext(
                "médecin-traitant request no. {number}", number=ids[0]
            ),
            several=N_(
                "Several médecin-traitant requests wait for your answer ({ids}): reply to "
                "the message of the one you mean."
            ),
            deps=self.deps,
            other_reply=self._other_reply,
        )

    def follow_up(self) -> FollowUp:
        """Answers to the offers, registrations and reminders (correlated ``medtrait:``)."""
        return offer_follow_up(self.offer_chat())

    def commands(self) -> list[DeclaredCommand]:
        """The desk's declared commands (``features/medecin_traitant/commands.py``)."""
        return medecin_traitant_commands(self)

    def deps(self, context: Context) -> Context:
        return context.with_directory(self.directory)

    async def run_due(self, context: Context) -> None:
        """The periodic job (the database is the truth; this only wakes it up)."""
        await run_medecin_traitant_due(self.deps(context))

    async def handle_reaction(self, reaction: IncomingReaction, context: Context) -> bool:
        return await on_reaction(self.offer_chat(), reaction, context)

    async def details(self, call: CommandCall) -> None:
        """« coordonnées 12 : … »: the contact details of a registered patient."""
        request_id, text = call.value
        deps = self.deps(call.context)
        await add_details(deps, request_id, call.message.sender, text, call.context.translator)

    async def coordination(self, call: CommandCall) -> None:
        """« liste d'attente … », « annuler patient 12 »."""
        await self._coordination(call.value, call.message, call.context)

    async def register(self, call: CommandCall) -> None:
        """« patient sans médecin traitant, … »."""
        await self._register(call.message, call.context)

    async def gp(self, call: CommandCall) -> bool:
        """A GP's room for new patients; False for another profession (the card's)."""
        return await self._gp(call.value, call.message, call.context)

    async def _other_reply(self, message: IncomingMessage, row: Any, context: Context) -> bool:
        """A reply to one's registration (the contact details) or to the monthly reminder."""
        if row["kind"] == KIND_REGISTERED and row["target"] == message.sender:
            await add_details(
                self.deps(context),
                row["request_id"],
                message.sender,
                message.body,
                context.translator,
            )
            return True
        if row["kind"] == KIND_REMINDER and row["target"] == message.sender:
            command: Command | None = parse_gp_command(message.body)
            answer = classify_answer(message.body)
            if command is None and answer is Answer.ACCEPT:
                command = ConfirmRoom()
            elif command is None and answer is Answer.DECLINE:
                command = StopTaking()
            if command is not None:
                return await self._gp(command, message, context)
        return False

    async def _register(self, message: IncomingMessage, context: Context) -> None:
        deps = self.deps(context)
        parsed = parse_registration(
            message.body, deps.places, policy_of(context.config).priority_age
        )
        if isinstance(parsed, RegisterError):
            example = context.config.territory.communes[0].name
            await context.outbox.reply(Reply(parsed.render(context.translator, example=example)))
            return
        assert isinstance(parsed, RegisterPatient)
        await register_patient(
            deps,
            message.sender,
            message.room_id,
            parsed,
            context.translator,
            is_direct=message.is_direct,
        )

    async def _coordination(
        self,
        command: WaitingList | CancelRequest,
        message: IncomingMessage,
        context: Context,
    ) -> None:
        deps = self.deps(context)
        if isinstance(command, CancelRequest):
            await cancel_request(deps, command.request_id, message.sender, context.translator)
            return
        # The waiting list is declared for coordinators: the router refused the others.
        await context.outbox.reply(
            Reply(await waiting_list_text(deps, command, context.translator))
        )

    async def _gp(self, command: Command, message: IncomingMessage, context: Context) -> bool:
        deps, _ = self.deps(context), context._
        gp = await is_gp(deps, message.sender)
        if gp is False and isinstance(command, StopTaking):
            return False  # another profession: the directory card feature handles it
        if gp is None:
            await context.outbox.reply(
                Reply(
                    _(
                        "You are not in the CPTS directory: no card is linked to {user}. Ask the "
                        "coordination to add your Matrix ID to your card.",
                        user=message.sender,
                    )
                )
            )
            return True
        if not gp:
            await context.outbox.reply(
                Reply(_("Only doctors declare room for new patients as médecin traitant."))
            )
            return True
        text = await self._gp_text(command, message.sender, deps, context.translator)
        if self._on_card_changed is not None:
            self._on_card_changed(message.sender)
        await context.outbox.reply(Reply(text))
        return True

    async def _gp_text(
        self, command: Command, sender: str, deps: Context, translator: Translator
    ) -> str:
        _ = translator.gettext
        match command:
            case DeclareRoom(count, scope):
                return await gp_room.declare_room(deps, sender, count, scope, translator)
            case StopTaking():
                return await gp_room.stop_taking(deps, sender, translator)
            case SetPriorities(priorities):
                return await gp_room.set_priorities(deps, sender, priorities, translator)
            case ConfirmRoom():
                return await gp_room.confirm_room(deps, sender, translator)
            case ShowRoom():
                return await gp_room.show_room(deps, sender, translator)
            case SetReminders(enabled):
                return await gp_room.set_reminders(deps, sender, enabled, translator)
            case PrioritiesNotUnderstood(text):
                return _(
                    "Priority not understood: “{text}”. Criteria: ALD, plus de 70 ans, C2S, "
                    "grossesse, handicap, sortie d'hospitalisation.",
                    text=text,
                )
            case BadPlaces(count):
                return _("{count} places? Write a number between 1 and 500.", count=count)
        return _("I did not understand. Write « aide » to see what I can do.")
