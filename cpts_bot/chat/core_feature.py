"""The core commands: help (« aide », « aide gardes »), language, greetings and thanks."""

from __future__ import annotations

import re
from typing import Protocol

from cpts_bot.chat.command_table import command_table, row
from cpts_bot.chat.commands import (
    ADDRESSED,
    Command,
    CommandCall,
    Context,
    Parameter,
    Parser,
    Topic,
    fold_command,
)
from cpts_bot.chat.help_texts import TOPIC_WORDS, Helped, short_help, topic_help
from cpts_bot.core.messages import Reply
from cpts_bot.i18n import SUPPORTED_LANGUAGES, Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.people import set_language

HELP = re.compile(r"^!?(?:aide|help|\?|menu|commandes)\s*[?!.]*$")
HELP_TOPIC = re.compile(r"^!?(?:aide|help)\s+(?:sur\s+(?:les?\s+)?|on\s+)?([a-z]+)\s*[?!.]*$")
LANGUAGE = re.compile(r"^(?:langue|language|lang)\s*[:=]?\s*(\S+)\s*$")
GREETING = re.compile(r"^(?:bonjour|bonsoir|salut|coucou|hello|hi)\s*[!.]*\s*(?:[:;]-?\)\s*)?$")
THANKS = re.compile(
    r"^(?:merci|thanks|thank\s+you|super|parfait|top|genial)"
    r"(?:\s+(?:beaucoup|bien|bcp|a\s+vous|a\s+toi|pour\s+tout))?\s*[!.]*\s*(?:[:;]-?\)\s*)?$"
)
# Heard only when said to the bot, and not offered to clients.
_SMALL_TALK = {"heard": ADDRESSED, "published": False}
LANGUAGE_NAMES = {
    "fr": "fr",
    "francais": "fr",
    "french": "fr",
    "en": "en",
    "anglais": "en",
    "english": "en",
}


class HelpSource(Protocol):
    """What help is generated from: the declarations, and lines of older features."""

    def help_commands(self) -> tuple[Helped, ...]: ...

    def legacy_help(self, translator: Translator, coordinator: bool, topic: Topic) -> list[str]: ...


def core_commands(source: HelpSource) -> tuple[Command, ...]:
    """The core declarations; help reads ``source`` when it is asked for."""

    async def help_handler(call: CommandCall) -> None:
        context = call.context
        coordinator = context.is_coordinator(call.message.sender)
        await context.outbox.reply(
            short_help(source.help_commands(), context.translator, context.config, coordinator)
        )

    async def topic_handler(call: CommandCall) -> None:
        context, topic = call.context, call.value
        coordinator = context.is_coordinator(call.message.sender)
        extra = source.legacy_help(context.translator, coordinator, topic)
        await context.outbox.reply(
            topic_help(
                topic,
                source.help_commands(),
                context.translator,
                context.config,
                coordinator,
                extra,
            )
        )

    return command_table(
        row("aide", HELP, 90, N_("what I can do for you"), N_("aide"), handler=help_handler),
        row(
            "aide-sujet",
            Parser(_help_topic, specificity=15),
            91,
            N_("everything about one subject"),
            N_("aide gardes"),
            N_("aide annuaire"),
            handler=topic_handler,
            patterns=(HELP_TOPIC,),
            published=False,
        ),
        row(
            "langue",
            LANGUAGE,
            92,
            N_("change the language of my answers"),
            N_("langue en"),
            N_("language fr"),
            handler=_switch_language,
            parameters=(Parameter("language", "string", N_("fr or en")),),
        ),
        row(
            "bonjour",
            GREETING,
            98,
            N_("say hello"),
            N_("bonjour"),
            handler=_greet,
            **_SMALL_TALK,
        ),
        row("merci", THANKS, 99, N_("say thanks"), N_("merci !"), handler=_thank, **_SMALL_TALK),
        topic=Topic.GENERAL,
    )


def _help_topic(text: str, context: Context) -> Topic | None:
    match = HELP_TOPIC.match(fold_command(text))
    return TOPIC_WORDS.get(match.group(1)) if match else None


async def _greet(call: CommandCall) -> None:
    communes = call.context.config.territory.communes
    commune = communes[0].name if communes else ""
    await call.reply(
        call._(
            "Hello! Ask me for example « kiné à domicile {commune} », or write « aide ».",
            commune=commune,
        )
    )


async def _thank(call: CommandCall) -> None:
    await call.reply(call._("You're welcome! I am here if you need me."))


async def _switch_language(call: CommandCall) -> None:
    word = call.value.group(1)
    language = LANGUAGE_NAMES.get(word)
    context = call.context
    if language not in SUPPORTED_LANGUAGES:
        await call.reply(
            call._(
                "I don't know the language « {word} ». Choose « langue fr » or « language en ».",
                word=word,
            )
        )
        return
    await set_language(context, call.message.sender, language)
    context.translator = Translator(language)
    await context.outbox.reply(
        Reply(context.translator.gettext("Done: from now on I answer you in this language."))
    )
