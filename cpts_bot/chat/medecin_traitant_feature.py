"""The médecin-traitant desk by chat: a thin layer from messages to the services.

- GPs, in their direct chat (or mentioning the bot): « je peux prendre 3 nouveaux
  patients ce mois-ci », « je ne prends plus de nouveaux patients », « priorité ALD et
  plus de 70 ans », « je confirme », « mes places », « stop rappels »;
- any professional: « patient sans médecin traitant, 78 ans, ALD diabète, Vénissieux, vu
  à la pharmacie », then the contact details in reply (or « coordonnées 12 : … »);
- GPs offered a patient: reply « je prends » / « non », or react 👍 / ❌;
- coordinators: « liste d'attente », « patients prioritaires en attente depuis plus de 30
  jours », « annuler patient 12 ».

Two objects are registered: :class:`MedecinTraitantFeature` before the dispatch feature
(it only takes what is unmistakably its own) and :class:`PlainOfferAnswers` after it (a
bare « ok » in a direct chat goes to a pending dispatch first).
"""

from __future__ import annotations

from collections.abc import Callable

from cpts_bot.chat.commands import ADDRESSED, Audience, CommandCall, MessageParser, Parser, Topic
from cpts_bot.chat.commands import Command as DeclaredCommand
from cpts_bot.chat.feature import HandlerContext
from cpts_bot.chat.follow_ups import FollowUp
from cpts_bot.chat.incoming import IncomingMessage, IncomingReaction, Reply
from cpts_bot.domain.dispatch_phrases import Answer, classify_answer, classify_reaction
from cpts_bot.domain.medecin_traitant_phrases import (
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
    is_registration,
    parse_coordination_command,
    parse_details,
    parse_gp_command,
    parse_registration,
)
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import gp_room
from cpts_bot.services.dispatch_context import DispatchDeps, NoDirectory, ProfessionalLookup
from cpts_bot.services.gp_offers import answer_offer
from cpts_bot.services.medecin_traitant_context import (
    KIND_OFFER,
    KIND_REGISTERED,
    KIND_REMINDER,
    is_gp,
    policy_of,
)
from cpts_bot.services.medecin_traitant_jobs import run_medecin_traitant_due
from cpts_bot.services.patient_registration import add_details, cancel_request, register_patient
from cpts_bot.services.waiting_list import waiting_list_text
from cpts_bot.storage import medecin_traitant_repository as repo


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

    def help_lines(self, translator: Translator, is_coordinator: bool) -> list[str]:
        _ = translator.gettext
        lines = [
            _(
                "“patient sans médecin traitant, 78 ans, ALD, Vénissieux”: find a GP for a "
                "patient (contact details only in reply, for the GP who accepts)."
            ),
            _(
                "GPs: “je peux prendre 3 nouveaux patients ce mois-ci”, “je ne prends plus de "
                "nouveaux patients”, “priorité ALD et plus de 70 ans”, “mes places”."
            ),
        ]
        if is_coordinator:
            lines.append(
                _(
                    "“liste d'attente”, “patients prioritaires en attente depuis plus de 30 "
                    "jours”, “annuler patient 12”: the médecin-traitant waiting list."
                )
            )
        return lines

    def follow_up(self) -> FollowUp:
        """Answers to the offers, registrations and reminders (correlated ``medtrait:``)."""

        async def on_message(message: IncomingMessage, context: HandlerContext, _c: str) -> bool:
            return bool(message.reply_to) and await self._reply(message, context)

        async def on_reaction(reaction: IncomingReaction, context: HandlerContext, _c: str) -> bool:
            return await self.handle_reaction(reaction, context)

        return FollowUp("medtrait:", on_message, on_reaction)

    def commands(self) -> list[DeclaredCommand]:
        """A GP's room for new patients, declared (before the card: a GP's « je ne prends
        plus de nouveaux patients » is about the médecin-traitant desk; the handler
        declines for other professions, and the card takes it)."""

        def read(message: IncomingMessage, context: HandlerContext) -> Command | None:
            return parse_gp_command(_without_mention(message.body, context.bot_user_id))

        async def handle(call: CommandCall) -> bool:
            return await self._gp(call.value, call.message, call.context)

        def read_waiting(text: str, context: HandlerContext) -> WaitingList | None:
            command = parse_coordination_command(text)
            return command if isinstance(command, WaitingList) else None

        async def waiting(call: CommandCall) -> None:
            await self._coordination(call.value, call.message, call.context)

        return [
            DeclaredCommand(
                name="liste d'attente",
                phrase=Parser(read_waiting, specificity=14),
                handler=waiting,
                help=N_("the médecin-traitant waiting list"),
                examples=(
                    N_("liste d'attente"),
                    N_("patients prioritaires en attente depuis plus de 30 jours"),
                ),
                topic=Topic.COORDINATION,
                audience=Audience.COORDINATOR,
                priority=73,
                published=False,
            ),
            DeclaredCommand(
                name="mes-places",
                phrase=MessageParser(read, specificity=12),
                handler=handle,
                help=N_("GPs: your room for new patients as médecin traitant"),
                examples=(
                    N_("mes places"),
                    N_("je peux prendre 3 nouveaux patients ce mois-ci"),
                    N_("priorité ALD et plus de 70 ans"),
                ),
                topic=Topic.DIRECTORY,
                heard=ADDRESSED,
                priority=45,
            ),
        ]

    def deps(self, context: HandlerContext) -> DispatchDeps:
        return DispatchDeps(
            context.db,
            context.now,
            context.outbox,
            context.config,
            self.directory,
            context.bot_user_id,
        )

    async def run_due(self, context: HandlerContext) -> None:
        """The periodic job (the database is the truth; this only wakes it up)."""
        await run_medecin_traitant_due(self.deps(context))

    async def handle_reaction(self, reaction: IncomingReaction, context: HandlerContext) -> bool:
        row = await repo.message(context.db, reaction.reacts_to)
        if row is None or row["kind"] != KIND_OFFER:
            return False
        answer = classify_reaction(reaction.key)
        if answer is None:
            return False
        await answer_offer(self.deps(context), row["request_id"], reaction.sender, answer)
        return True

    async def handle_message(self, message: IncomingMessage, context: HandlerContext) -> bool:
        if message.reply_to and await self._reply(message, context):
            return True
        details = parse_details(message.body)
        if details is not None:
            request_id, text = details
            await add_details(
                self.deps(context), request_id, message.sender, text, context.translator
            )
            return True
        if is_registration(message.body):
            await self._register(message, context)
            return True
        coordination = parse_coordination_command(message.body)
        if isinstance(coordination, CancelRequest):  # the waiting list is declared
            await self._coordination(coordination, message, context)
            return True
        if not (message.is_direct or message.mentions_bot):
            return False
        command = parse_gp_command(_without_mention(message.body, context.bot_user_id))
        if command is None:
            return False
        return await self._gp(command, message, context)

    async def _reply(self, message: IncomingMessage, context: HandlerContext) -> bool:
        row = await repo.message(context.db, str(message.reply_to))
        if row is None:
            return False
        if row["kind"] == KIND_OFFER:
            answer = classify_answer(message.body)
            if answer is None:
                return False
            await answer_offer(self.deps(context), row["request_id"], message.sender, answer)
            return True
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

    async def _register(self, message: IncomingMessage, context: HandlerContext) -> None:
        deps = self.deps(context)
        parsed = parse_registration(
            message.body, deps.gazetteer, policy_of(context.config).priority_age
        )
        if isinstance(parsed, RegisterError):
            example = context.config.territory.communes[0].name
            await context.outbox.reply(
                Reply(parsed.render(context.translator, example=example))
            )
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
        context: HandlerContext,
    ) -> None:
        deps = self.deps(context)
        if isinstance(command, CancelRequest):
            await cancel_request(deps, command.request_id, message.sender, context.translator)
            return
        # The waiting list is declared for coordinators: the router refused the others.
        await context.outbox.reply(
            Reply(await waiting_list_text(deps, command, context.translator))
        )

    async def _gp(
        self, command: Command, message: IncomingMessage, context: HandlerContext
    ) -> bool:
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
        self, command: Command, sender: str, deps: DispatchDeps, translator: Translator
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


class PlainOfferAnswers:
    """A bare « ok » / « non » in a direct chat, when one médecin-traitant offer waits for
    this GP (registered after the dispatch feature, which has the first word on it)."""

    name = "medecin_traitant_answers"

    def __init__(self, feature: MedecinTraitantFeature) -> None:
        self._feature = feature

    def help_lines(self, translator: Translator, is_coordinator: bool) -> list[str]:
        return []

    async def handle_reaction(self, reaction: IncomingReaction, context: HandlerContext) -> bool:
        return False

    async def handle_message(self, message: IncomingMessage, context: HandlerContext) -> bool:
        if not message.is_direct:
            return False
        answer = classify_answer(message.body)
        if answer not in (Answer.ACCEPT, Answer.DECLINE):
            return False
        pending = await repo.pending_offers_of(context.db, message.sender)
        if len(pending) != 1:
            return False
        deps = self._feature.deps(context)
        await answer_offer(deps, pending[0]["request_id"], message.sender, answer)
        return True


def _without_mention(body: str, bot_user_id: str) -> str:
    """The text without a leading mention of the bot ("cpts-bot: je confirme")."""
    localpart = bot_user_id.lstrip("@").split(":", 1)[0]
    for prefix in (bot_user_id, "@" + localpart, localpart):
        if prefix and body.lower().startswith(prefix.lower()):
            rest = body[len(prefix) :]
            if not rest or rest[0] in ":, \t\n":
                return rest.lstrip(":, \t\n")
    return body
