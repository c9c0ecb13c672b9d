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
from cpts_bot.core.vocabulary_loader import Vocabulary, load_vocabulary
from cpts_bot.features.card.activity_resolver import ActivityResolver, vocabulary_activity_resolver
from cpts_bot.features.card.replies import CardReplies, no_card_text
from cpts_bot.features.card.service import Cards
from cpts_bot.features.card.update_parser import (
    CARD_PATTERNS,
    AddActivity,
    AddLanguages,
    BadPhone,
    CardCommand,
    CardEdit,
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
    ModalityDeclaration,
    with_activity,
    with_modality,
    without_activity,
)
from cpts_bot.features.directory.models import Professional
from cpts_bot.i18n import N_, Translator
from cpts_bot.services.context import Context


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
        vocabulary = vocabulary or load_vocabulary()
        self._resolve_activity = resolve_activity or vocabulary_activity_resolver(vocabulary)
        self._replies = CardReplies(vocabulary)
        self._on_card_changed = on_card_changed

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
        cards = Cards(context)
        choice = await cards.choose(command.target, message.sender)
        if choice.key is None:
            text = no_card_text(choice, command, message, context.translator)
            await context.outbox.reply(Reply(text))
            return
        key = choice.key
        professional = await cards.professional(key)
        assert professional is not None
        lines: list[str] = []
        if command.edits:
            lines += await self._apply(command, key, professional, message, cards, context)
        if command.show:
            if lines:
                lines.append("")
            professional = await cards.professional(key)
            assert professional is not None
            card = await cards.card(key)
            profession = await cards.profession_label(key)
            lines += self._replies.card_lines(professional, card, profession, context.translator)
        await context.outbox.reply(Reply("\n".join(lines)))

    async def _apply(
        self,
        command: CardCommand,
        key: str,
        professional: Professional,
        message: IncomingMessage,
        cards: Cards,
        context: Context,
    ) -> list[str]:
        _ = context._
        own = command.target is None
        card = await cards.card(key)
        problems: list[str] = []
        for edit in command.edits:
            card = self._edited(card, edit, problems, context.translator)
        changes = await cards.save(key, card, message, own=own)
        if changes and self._on_card_changed is not None:
            self._on_card_changed(key)
        lines: list[str] = []
        if changes:
            lines.append(
                _("Your card is updated:")
                if own
                else _("Card of {name} updated:", name=professional.display_name)
            )
            lines += [
                "• " + self._replies.change_text(change, card, context.translator)
                for change in changes
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
