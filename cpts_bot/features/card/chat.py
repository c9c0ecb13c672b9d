"""Self-service of the directory card by chat: "je ne prends plus de nouveaux patients".

A professional updates their own card (found by their Matrix ID); a coordinator may
update anyone's (``fiche de @bob:example.org : ...``, ``pour Dr Martin : ...``). Every
change is logged with who made it and when; the reply says what changed. Messages are
taken in the bot's direct chats, or in a room when they mention the bot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from cpts_bot.chat.commands import (
    ADDRESSED,
    Command,
    CommandCall,
    MessageParser,
    Parameter,
    Topic,
)
from cpts_bot.chat.triggers import derived
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply, without_mention
from cpts_bot.core.vocabulary_loader import ACTIVITY, ConceptRef, Vocabulary, load_vocabulary
from cpts_bot.features.card.activity_resolver import ActivityResolver, vocabulary_activity_resolver
from cpts_bot.features.card.service import Cards
from cpts_bot.features.card.update_parser import (
    CARD_PATTERNS,
    AddActivity,
    AddLanguages,
    BadPhone,
    CardCommand,
    CardEdit,
    CardTarget,
    NotUnderstood,
    RemoveActivity,
    RemoveLanguages,
    SetModality,
    SetPhone,
    UnknownLanguage,
    fold,
    parse_card_command,
)
from cpts_bot.features.directory.card import (
    Card,
    FieldChange,
    ModalityDeclaration,
    with_activity,
    with_modality,
    without_activity,
)
from cpts_bot.features.directory.models import Modality, Professional
from cpts_bot.features.reports.request_tracking_service import track_card_update
from cpts_bot.i18n import N_, Translator
from cpts_bot.services.context import Context

MODALITY_LABELS = {
    Modality.NEW_PATIENTS: N_("takes new patients"),
    Modality.HOME_VISITS: N_("makes home visits"),
    Modality.TELECONSULTATION: N_("offers teleconsultation"),
    Modality.UNSCHEDULED_CARE: N_("takes unscheduled care"),
    Modality.WHEELCHAIR_ACCESS: N_("wheelchair accessible"),
    Modality.SATURDAY: N_("works on Saturdays"),
}


def slug_activity(words: str) -> tuple[str, str]:
    """The default resolver: an activity code made from the words themselves."""
    code = re.sub(r"[^a-z0-9]+", "_", fold(words)).strip("_")
    return code, words.strip()


class CardFeature:
    """The ``ChatFeature`` that reads and edits directory cards."""

    name = "card"
    help_topic = Topic.DIRECTORY

    def __init__(
        self,
        resolve_activity: ActivityResolver | None = None,
        on_card_changed: Callable[[str], None] | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        """``resolve_activity`` maps words to a vocabulary activity (default: the shipped
        vocabulary's activities; unknown words are kept under a code made from them);
        ``on_card_changed(key)`` is called after a change (e.g. to mark the in-memory
        directory index stale)."""
        self._vocabulary = vocabulary or load_vocabulary()
        self._resolve_activity = resolve_activity or vocabulary_activity_resolver(self._vocabulary)
        self._on_card_changed = on_card_changed

    def _activity_label(self, code: str, stored: str | None, language: str) -> str:
        """The vocabulary's name of ``code`` in ``language``, else the words stored."""
        concept = self._vocabulary.get(ConceptRef(ACTIVITY, code))
        if concept is not None:
            return concept.label(language)
        return stored or code.replace("_", " ")

    async def handle_reaction(self, reaction: IncomingReaction, context: Context) -> bool:
        return False

    def read(self, message: IncomingMessage, context: Context) -> CardCommand | None:
        """The card command in ``message`` (after a leading mention of the bot), or None."""
        command = parse_card_command(without_mention(message.body, context.bot_user_id))
        if command is None and message.mentions_bot and ":" in message.body:
            # The mention may be the bot's display name: "CPTS Bot: ma fiche".
            command = parse_card_command(message.body.split(":", 1)[1])
        return command

    def commands(self) -> list[Command]:
        """The card, declared: see it, change it (a coordinator: anyone's)."""

        async def handle(call: CommandCall) -> None:
            await self.handle(call.value, call.message, call.context)

        return [
            Command(
                name="ma-fiche",
                phrase=MessageParser(self.read, specificity=10),
                triggers=derived(*CARD_PATTERNS),
                handler=handle,
                help=N_("see or update your directory card"),
                examples=(
                    N_("ma fiche"),
                    N_("je fais des visites à domicile le mardi"),
                    N_("ajoute activité : plaies complexes"),
                    N_("mon téléphone 04 78 00 00 00"),
                ),
                topic=Topic.DIRECTORY,
                heard=ADDRESSED,
                priority=20,
                parameters=(Parameter("change", "string", N_("what changes"), optional=True),),
            ),
        ]

    async def handle(
        self, command: CardCommand, message: IncomingMessage, context: Context
    ) -> None:
        """See or change the card ``command`` is about."""
        repository = Cards(context.db)
        key = await self._card_key(command.target, message.sender, repository, context)
        if key is None:
            return
        professional = await repository.professional(key)
        assert professional is not None
        own = command.target is None
        lines: list[str] = []
        if command.edits:
            lines += await self._apply(
                command, key, professional, own, message, repository, context
            )
        if command.show:
            if lines:
                lines.append("")
            professional = await repository.professional(key)
            assert professional is not None
            lines += await self._card_lines(professional, repository, context.translator)
        await context.outbox.reply(Reply("\n".join(lines)))

    async def _card_key(
        self,
        target: CardTarget | None,
        sender: str,
        repository: Cards,
        context: Context,
    ) -> str | None:
        """The key of the card to work on, or None after replying why there is none."""
        _ = context._
        own_key = await repository.key_of(sender)
        if target is None:
            if own_key is None:
                await context.outbox.reply(
                    Reply(
                        _(
                            "You are not in the CPTS directory: no card is linked to {user}. Ask the "
                            "coordination to add your Matrix ID to your card.",
                            user=sender,
                        )
                    )
                )
            return own_key
        keys = await repository.keys_for(target)
        if keys != [own_key] and not context.is_coordinator(sender):
            await context.outbox.reply(
                Reply(_("Only the coordination can see or change another professional's card."))
            )
            return None
        if not keys:
            await context.outbox.reply(Reply(_('No card found for "{who}".', who=target.text)))
            return None
        if len(keys) > 1:
            names = []
            for key in keys[:8]:
                found = await repository.professional(key)
                if found is not None:
                    commune = found.sites[0].commune_name if found.sites else ""
                    names.append(f"{found.display_name} ({commune or key})")
            await context.outbox.reply(
                Reply(
                    _(
                        'Several cards match "{who}": {names}. Say which one with the Matrix ID or '
                        "the RPPS number.",
                        who=target.text,
                        names="; ".join(names),
                    )
                )
            )
            return None
        return keys[0]

    async def _apply(
        self,
        command: CardCommand,
        key: str,
        professional: Professional,
        own: bool,
        message: IncomingMessage,
        repository: Cards,
        context: Context,
    ) -> list[str]:
        _ = context._
        card = await repository.card(key)
        problems: list[str] = []
        for edit in command.edits:
            card = self._edited(card, edit, problems, context.translator)
        changes = await repository.save(key, card, message.sender, context.now)
        if changes and self._on_card_changed is not None:
            self._on_card_changed(key)
        await track_card_update(
            context.db,
            message,
            context.now,
            own=own,
            changed_fields=sorted({change.field for change in changes}),
        )
        lines: list[str] = []
        if changes:
            lines.append(
                _("Your card is updated:")
                if own
                else _("Card of {name} updated:", name=professional.display_name)
            )
            lines += [
                "• " + self._change_text(change, card, context.translator) for change in changes
            ]
        elif not problems:
            lines.append(_("Nothing to change: the card already said so."))
        return lines + problems

    def _edited(
        self, card: Card, edit: CardEdit, problems: list[str], translator: Translator
    ) -> Card:
        _ = translator.gettext
        match edit:
            case SetModality(modality, available, note):
                return with_modality(card, modality, ModalityDeclaration(available, note))
            case SetPhone(phone):
                return replace(card, phone=phone)
            case AddActivity(label):
                code, shown = self._activity(label)
                return with_activity(card, code, shown)
            case RemoveActivity(label):
                code = self._code_on_card(card, label)
                if code is None:
                    problems.append(_('The activity "{label}" was not on the card.', label=label))
                    return card
                return without_activity(card, code)
            case AddLanguages(languages):
                return replace(card, languages=card.languages | frozenset(languages))
            case RemoveLanguages(languages):
                return replace(card, languages=card.languages - frozenset(languages))
            case BadPhone(text):
                problems.append(
                    _('"{text}" is not a phone number (e.g. 04 78 00 00 00).', text=text)
                )
            case UnknownLanguage(text):
                problems.append(_('Unknown language: "{text}".', text=text))
            case NotUnderstood(text):
                problems.append(
                    _(
                        'Not understood: "{text}". Examples: "je ne prends plus de nouveaux '
                        'patients", "ajoute activité : plaies complexes", "mon téléphone 04 78 '
                        '00 00 00".',
                        text=text,
                    )
                )
        return card

    def _activity(self, label: str) -> tuple[str, str]:
        return self._resolve_activity(label) or slug_activity(label)

    def _code_on_card(self, card: Card, label: str) -> str | None:
        code, _shown = self._activity(label)
        if code in card.activities:
            return code
        wanted = fold(label).strip()
        for existing, existing_label in card.activities.items():
            if wanted in (fold(existing_label).strip(), existing.replace("_", " ")):
                return existing
        return None

    def _change_text(self, change: FieldChange, card: Card, translator: Translator) -> str:
        _ = translator.gettext
        kind, _sep, detail = change.field.partition(":")
        if kind == "modality":
            modality = Modality(detail)
            declaration = card.modalities.get(modality)
            if declaration is None:
                return _("{modality}: not stated", modality=_(MODALITY_LABELS[modality]))
            return _modality_text(modality, declaration, translator)
        if kind == "activity":
            if change.new is None:
                label = self._activity_label(detail, change.old, translator.language)
                return _("activity removed: {label}", label=label)
            label = self._activity_label(detail, change.new, translator.language)
            return _("activity added: {label}", label=label)
        if kind == "language":
            name = _language_name(detail, translator)
            if change.new is None:
                return _("language removed: {language}", language=name)
            return _("language added: {language}", language=name)
        if kind == "phone":
            return _("phone: {phone}", phone=change.new or "—")
        return _("{field}: {value}", field=change.field, value=change.new or "—")

    async def _card_lines(
        self, professional: Professional, repository: Cards, translator: Translator
    ) -> list[str]:
        _ = translator.gettext
        card = await repository.card(professional.key)
        profession = await repository.profession_label(professional.key)
        none = _("(none given)")
        lines = [_("Card of {name}", name=professional.display_name)]
        if profession:
            lines.append(profession)
        if not professional.active:
            lines.append(_("This card is inactive (no longer in the national register)."))
        for site in professional.sites:
            where = ", ".join(
                part
                for part in (
                    site.structure_name,
                    site.address,
                    f"{site.postal_code} {site.commune_name}".strip(),
                )
                if part
            )
            lines.append(_("Site: {site}", site=where))
        lines.append(
            _(
                "Phone: {phone}",
                phone=card.phone
                or next((site.phone for site in professional.sites if site.phone), none),
            )
        )
        activities = [
            self._activity_label(code, label, translator.language)
            for code, label in sorted(card.activities.items())
        ]
        activities += list(card.declared)  # the CPTS file's own words, as written
        lines.append(_("Activities: {list}", list=", ".join(activities) or none))
        modalities = [_modality_text(m, d, translator) for m, d in sorted(card.modalities.items())]
        lines.append(_("Modalities: {list}", list="; ".join(modalities) or none))
        languages = [_language_name(code, translator) for code in sorted(card.languages)]
        lines.append(_("Languages: {list}", list=", ".join(languages) or none))
        lines.append(_("Matrix ID: {id}", id=card.matrix_id or none))
        return lines


def _modality_text(
    modality: Modality, declaration: ModalityDeclaration, translator: Translator
) -> str:
    _ = translator.gettext
    label = _(MODALITY_LABELS[modality])
    if not declaration.available:
        return _("{modality}: no", modality=label)
    if declaration.note:
        return _("{modality}: yes ({note})", modality=label, note=declaration.note)
    return _("{modality}: yes", modality=label)


def _language_name(code: str, translator: Translator) -> str:
    return translator.language_name(code)
