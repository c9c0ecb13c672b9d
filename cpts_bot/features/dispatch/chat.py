"""Dispatch requests by chat: create (in one message or a guided exchange), answer by
reply or reaction, cancel, hand back, follow.

- "déclenchement IDE domicile Hyères ce soir 20h pansement post-op" (coordinators, and
  the professionals rooms.yaml allows); missing pieces are asked for one at a time;
  « IDE habituelle : Mme Martin » asks the patient's usual professional alone first.
- Replying "je prends" / "ok" / "dispo" to the dispatch message, or reacting 👍 ✅,
  accepts; "pas dispo" / "non" / ❌ declines; "je ne peux plus" hands it back.
- "mes déclenchements", "statut 42", "annuler 42", "fait 42", "relancer 42".
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from cpts_bot.chat import offer_follow_ups
from cpts_bot.chat.commands import Audience, Command, CommandCall, Parameter, Parser, Topic
from cpts_bot.chat.follow_ups import WAITING_EXCHANGE, FollowUp, Waiting
from cpts_bot.chat.offer_follow_ups import OfferChat, offer_follow_up
from cpts_bot.chat.triggers import derived
from cpts_bot.core.french_datetime import MomentError
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.core.offers import Answer, classify_answer
from cpts_bot.features.dispatch import accept_service as accept_dispatch
from cpts_bot.features.dispatch import drafts_service as drafts
from cpts_bot.features.dispatch.accept_service import DISPATCH
from cpts_bot.features.dispatch.broadcast_service import create_dispatch
from cpts_bot.features.dispatch.command_phrases import (
    CommandKind,
    DispatchCommand,
    parse_command,
)
from cpts_bot.features.dispatch.commands import dispatch_commands
from cpts_bot.features.dispatch.consent.consent_service import (
    CONSENT_QUESTION,
    REFUSED_NOTE,
    URGENT_SENT_NOTE,
    consent_after_sending,
    remember_consent,
    sends_before_consent,
    without_consent,
)
from cpts_bot.features.dispatch.context_service import format_moment, place_names, profession_name
from cpts_bot.features.dispatch.escalation_service import run_due_steps_in
from cpts_bot.features.dispatch.models import CORRELATION_PREFIX, Dispatch
from cpts_bot.features.dispatch.phrases import (
    REQUEST_PATTERN,
    RequestFields,
    is_dispatch_request,
    parse_field_answer,
    parse_request,
)
from cpts_bot.features.dispatch.policy import policy_from_config
from cpts_bot.features.dispatch.reminders_service import run_due_reminders
from cpts_bot.features.dispatch.status_service import my_dispatches_text, status_text
from cpts_bot.features.dispatch.usual_first_service import ask_first
from cpts_bot.features.dispatch.usual_professional_service import USUAL_QUESTION, choose_usual
from cpts_bot.i18n.translator import N_
from cpts_bot.services import offer_service
from cpts_bot.services.context import Context, NoDirectory, ProfessionalLookup

QUESTIONS = {
    "profession": N_("Which profession? (e.g. IDE, kiné, médecin)"),
    "communes": N_("Where? A commune of the territory (e.g. {example})."),
    "when": N_("When? (e.g. “ce soir 20h”, “demain matin”, “maintenant”)"),
    "what": N_(
        "What care? No patient name here: write the details after “patient:”, "
        "only the professional who accepts will see them."
    ),
    "usual": USUAL_QUESTION,
    "consent": CONSENT_QUESTION,
}


class DispatchFeature:
    """The ChatFeature for dispatch requests."""

    name = "dispatch"
    help_topic = Topic.DUTY

    def __init__(self, directory: ProfessionalLookup | None = None) -> None:
        self.directory: ProfessionalLookup = directory or NoDirectory()

    async def run_due_steps(self, context: Context) -> None:
        """The periodic job: escalate, expire, remind what is due (the database is the
        truth)."""
        await run_due_steps_in(self._deps(context))
        await run_due_reminders(self._deps(context))

    def commands(self) -> list[Command]:
        """The declared dispatch commands: the request, « fait 42 », « relancer 42 », ..."""

        async def request(call: CommandCall) -> None:
            await self._request(call.message, self._deps(call.context), call.context)

        return [
            Command(
                name="declenchement",
                phrase=Parser(
                    lambda text, c: (
                        is_dispatch_request(text.strip(), c.translator.language) or None
                    ),
                    10,
                ),
                triggers=derived(REQUEST_PATTERN),
                handler=request,
                help=N_("ask the professionals on duty (missing details are asked for)"),
                examples=(
                    N_("déclenchement IDE domicile {commune} ce soir 20h pansement"),
                    N_(
                        "déclenchement IDE {commune} demain matin prise de sang, "
                        "IDE habituelle : Mme Martin"
                    ),
                ),
                topic=Topic.DUTY,
                # Who may send one is the dispatch policy's decision (rooms.yaml), checked
                # by the handler; the help shows it to coordinators.
                help_audience=Audience.COORDINATOR,
                priority=34,
                parameters=(Parameter("request", "string", N_("profession, place, when, care")),),
            ),
            *dispatch_commands(self),
        ]

    def deps_for(self, context: Context) -> Context:
        return self._deps(context)

    async def run_command(
        self,
        command: DispatchCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
    ) -> None:
        await self._command(command, message, deps, context)

    def _deps(self, context: Context) -> Context:
        return context.with_directory(self.directory)

    def offer_chat(self) -> OfferChat:
        return OfferChat(
            DISPATCH,
            CORRELATION_PREFIX,
            frozenset(Answer),
            label=lambda translator, ids: translator.ngettext(
                "dispatch no. {ids}",
                "dispatches no. {ids}",
                len(ids),
                ids=", ".join(map(str, ids)),
            ),
            several=N_(
                "Several dispatches are waiting ({ids}): reply to the message of the one you mean."
            ),
            deps=self._deps,
            other_reply=self._other_reply,
            help=N_("take a dispatch: reply to it, or react 👍 (❌ if not available)"),
            examples=(N_("je prends"), N_("pas dispo")),
            topic=Topic.DUTY,
            priority=35,
        )

    def follow_up(self) -> FollowUp:
        """Replies and reactions to the dispatch messages (correlated ``dispatch:``)."""
        follow_up = offer_follow_up(self.offer_chat())
        return dataclasses.replace(follow_up, waiting=self.waiting)

    async def handle_reaction(self, reaction: IncomingReaction, context: Context) -> bool:
        return await offer_follow_ups.on_reaction(self.offer_chat(), reaction, context)

    async def waiting(self, message: IncomingMessage, context: Context) -> Waiting | None:
        """What of dispatch waits for this person's answer here: the guided request they
        are writing in this room (« annuler » drops it), else, in a direct chat, a bare
        « ok » / « non » / « je ne peux plus » to the dispatches that wait for them."""
        deps = self._deps(context)
        draft = await drafts.draft_of(context, message.sender)
        label = context._("the dispatch request you are writing")
        command = parse_command(message.body.strip())
        if draft is not None and command is not None and command.kind is CommandKind.CANCEL_DRAFT:
            return Waiting(
                WAITING_EXCHANGE, label, lambda: self._command(command, message, deps, context)
            )
        if draft is not None and draft.room_id == message.room_id:
            policy = policy_from_config(context.config)
            if draft.updated_at + timedelta(minutes=policy.draft_minutes) >= context.now:
                return Waiting(
                    WAITING_EXCHANGE,
                    label,
                    lambda: self._continue_draft(message, draft, deps, context),
                )
        return await offer_follow_ups.waiting(self.offer_chat(), message, context)

    async def _other_reply(self, message: IncomingMessage, row: Any, context: Context) -> bool:
        """A reply to the details one got, or to « taken by … »."""
        answer = classify_answer(message.body)
        if answer is None:
            return False
        if answer is Answer.DECLINE and row["kind"] == "details":
            # "non" to the details of a dispatch one took: say how to hand it back.
            text = N_("To hand dispatch no. {id} back, reply “je ne peux plus”.")
            await context.outbox.reply(Reply(context._(text, id=row["dispatch_id"])))
            return True
        if answer is not Answer.HAND_BACK and row["kind"] == "requester":
            return True  # "ok" to "taken by …": nothing to do, and nothing else to take
        deps = self._deps(context)
        sender, sent_at = message.sender, message.timestamp
        await offer_service.answer(DISPATCH, deps, row["dispatch_id"], sender, answer, sent_at)
        return True

    # ----------------------------------------------------------------- commands

    async def _command(
        self,
        command: DispatchCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
    ) -> bool:
        _ = context._
        sender = message.sender
        kind, number = command.kind, command.dispatch_id
        if kind is CommandKind.CANCEL_DRAFT:
            if not await drafts.drop_draft(context, sender):
                return False
            await context.outbox.reply(Reply(_("Dispatch request dropped.")))
            return True
        if kind is CommandKind.MY_DISPATCHES:
            text = await my_dispatches_text(deps, sender, context.translator)
            await context.outbox.reply(Reply(text))
            return True
        assert number is not None
        if kind is CommandKind.STATUS:
            dispatch = await drafts.dispatch(context, number)
            if dispatch is None or not self._may_see(dispatch, sender, context):
                await context.outbox.reply(Reply(_("There is no dispatch no. {id}.", id=number)))
                return True
            await context.outbox.reply(Reply(await status_text(deps, dispatch, context.translator)))
            return True
        if kind is CommandKind.CANCEL:
            await accept_dispatch.cancel_dispatch(deps, number, sender)
        elif kind is CommandKind.HAND_BACK:
            await offer_service.answer(DISPATCH, deps, number, sender, Answer.HAND_BACK)
        elif kind is CommandKind.COMPLETE:
            await accept_dispatch.complete_dispatch(deps, number, sender)
        elif kind is CommandKind.RELAUNCH:
            await accept_dispatch.relaunch_dispatch(deps, number, sender)
        return True

    @staticmethod
    def _may_see(dispatch: Dispatch, user_id: str, context: Context) -> bool:
        return context.is_coordinator(user_id) or user_id in (dispatch.requester, dispatch.taken_by)

    # ------------------------------------------------------------------ requests

    def _may_request(self, user_id: str, context: Context) -> bool:
        policy = policy_from_config(context.config)
        if context.is_coordinator(user_id) or user_id in policy.requesters:
            return True
        return policy.any_member_may_request and context.config.is_allowed(user_id)

    async def _request(self, message: IncomingMessage, deps: Context, context: Context) -> None:
        if not self._may_request(message.sender, context):
            await context.outbox.reply(
                Reply(
                    context._(
                        "Only coordinators (and the professionals the CPTS allows) "
                        "can send dispatches."
                    )
                )
            )
            return
        language = context.translator.language
        fields = parse_request(message.body, context.now, deps.places, language)
        if fields.time_error:
            # « le 31/02 »: said, and the rest of the request kept while the time is asked.
            error = MomentError(*fields.time_error).render(context._)
            fields.time_error = None
            await drafts.keep_draft(context, message.sender, message.room_id, fields, "when")
            await context.outbox.reply(Reply(error + "\n" + self._question("when", deps, context)))
            return
        await self._proceed(message, fields, deps, context)

    async def _continue_draft(
        self,
        message: IncomingMessage,
        draft: drafts.Draft,
        deps: Context,
        context: Context,
    ) -> None:
        answer = parse_field_answer(
            draft.awaiting, message.body, context.now, deps.places, context.translator.language
        )
        if isinstance(answer, MomentError):
            await context.outbox.reply(
                Reply(answer.render(context._) + "\n" + self._question("when", deps, context))
            )
            return
        fields = RequestFields.from_json(draft.fields).merge(answer)
        await self._proceed(message, fields, deps, context)

    async def _proceed(
        self,
        message: IncomingMessage,
        fields: RequestFields,
        deps: Context,
        context: Context,
    ) -> None:
        fields.consent_needed = deps.policy.ask_consent
        missing = fields.missing()
        if fields.sent_as is not None and not missing:
            await drafts.drop_draft(context, message.sender)
            note = await consent_after_sending(deps, fields, message.sender)
            await context.outbox.reply(Reply(note))
            return
        urgent_first = fields.sent_as is None and sends_before_consent(fields, missing)
        if missing and not urgent_first:
            awaiting = missing[0]
            await drafts.keep_draft(context, message.sender, message.room_id, fields, awaiting)
            await context.outbox.reply(Reply(self._question(awaiting, deps, context)))
            return
        usual = await choose_usual(deps, fields, message.sender, context.translator)
        if usual.problem is not None:
            # Unknown or ambiguous: ask again, the request kept.
            fields.usual, fields.usual_needed = None, True
            await drafts.keep_draft(context, message.sender, message.room_id, fields, "usual")
            await context.outbox.reply(Reply(usual.problem))
            return
        await drafts.drop_draft(context, message.sender)
        refused = without_consent(fields)
        sent = dataclasses.replace(fields, details="", consent_needed=False)
        dispatch = await create_dispatch(
            deps,
            message.sender,
            message.room_id,
            sent if urgent_first else fields,
            usual=usual.user_id,
        )
        await remember_consent(context, dispatch.id, fields.consent, message.sender)
        if urgent_first:  # the details wait for the consent question's answer
            fields.sent_as = dispatch.id
            await drafts.keep_draft(context, message.sender, message.room_id, fields, "consent")
        asked = await ask_first(deps, dispatch)
        text = self._created_text(dispatch, len(asked), deps, context)
        later = urgent_first and context._(URGENT_SENT_NOTE)
        notes = [n for n in (usual.note, refused and context._(REFUSED_NOTE), later) if n]
        await context.outbox.reply(Reply("\n".join([text, *notes])))

    def _question(self, awaiting: str, deps: Context, context: Context) -> str:
        if awaiting == "communes":
            communes = context.config.territory.communes
            example = ", ".join(commune.name for commune in communes[:3])
            return context._(QUESTIONS[awaiting], example=example)
        question = QUESTIONS[awaiting]
        return context._(question)

    def _created_text(self, dispatch: Dispatch, asked: int, deps: Context, context: Context) -> str:
        _ = context._
        translator = context.translator
        description = ", ".join(
            [
                profession_name(dispatch.profession, translator),
                place_names(dispatch.communes, deps.places, translator),
                format_moment(dispatch.needed_at, dispatch.needed_precision, translator),
            ]
        )
        if asked:
            first = translator.ngettext(
                "Dispatch no. {id} sent to {count} professional: {description}.",
                "Dispatch no. {id} sent to {count} professionals: {description}.",
                asked,
                id=dispatch.id,
                description=description,
            )
        else:
            first = _(
                "Dispatch no. {id}: nobody to ask yet for {description}; "
                "it will be widened as planned.",
                id=dispatch.id,
                description=description,
            )
        return (
            first
            + "\n"
            + _("I will tell you who takes it. “annuler {id}” to cancel.", id=dispatch.id)
        )
