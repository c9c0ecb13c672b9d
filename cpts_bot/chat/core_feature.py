"""The core commands: help ("aide", "help", "?") and the language switch."""

from __future__ import annotations

import html
import re

from cpts_bot.chat.feature import ChatFeature, HandlerContext
from cpts_bot.chat.incoming import IncomingMessage, IncomingReaction, Reply
from cpts_bot.domain.dispatch_policy import policy_from_config
from cpts_bot.i18n import SUPPORTED_LANGUAGES, Translator
from cpts_bot.storage import core_repository as repo

HELP_WORDS = {"aide", "help", "?", "aide ?", "menu", "bonjour", "salut", "hello"}
LANGUAGE_COMMAND = re.compile(r"^\s*(?:langue|language|lang)\s*[:=]?\s*(\S+)\s*$", re.I)
LANGUAGE_NAMES = {
    "fr": "fr",
    "francais": "fr",
    "français": "fr",
    "french": "fr",
    "en": "en",
    "anglais": "en",
    "english": "en",
}


class CoreFeature:
    """Help and language; it knows the other features to list their commands."""

    name = "core"

    def __init__(self, features: list[ChatFeature]) -> None:
        self._features = features

    def help_lines(self, translator: Translator, is_coordinator: bool) -> list[str]:
        _ = translator.gettext
        return [_("« langue en » / « language fr » — change the language of my answers")]

    async def handle_message(self, message: IncomingMessage, context: HandlerContext) -> bool:
        text = message.body.strip().lower()
        if text in HELP_WORDS:
            await context.outbox.reply(self.help_reply(context, message.sender))
            return True
        match = LANGUAGE_COMMAND.match(message.body)
        if match:
            await self._switch_language(match.group(1).lower(), message, context)
            return True
        return False

    async def handle_reaction(self, reaction: IncomingReaction, context: HandlerContext) -> bool:
        return False

    def help_reply(self, context: HandlerContext, sender: str) -> Reply:
        _ = context.translator.gettext
        coordinator = context.is_coordinator(sender)
        lines = [
            _(
                "I am the coordination desk of {territory}. Here is what I can do:",
                territory=context.config.territory.name,
            )
        ]
        for feature in [*self._features, self]:
            lines.extend(
                f"• {line}" for line in feature.help_lines(context.translator, coordinator)
            )
        lines.append(privacy_line(context))
        text = "\n".join(lines)
        html_lines = [f"<p>{_escape(lines[0])}</p>", "<ul>"]
        html_lines += [f"<li>{_escape(line[2:])}</li>" for line in lines[1:-1]]
        html_lines += ["</ul>", f"<p><em>{_escape(lines[-1])}</em></p>"]
        return Reply(text, "".join(html_lines))

    async def _switch_language(
        self, word: str, message: IncomingMessage, context: HandlerContext
    ) -> None:
        language = LANGUAGE_NAMES.get(word)
        if language not in SUPPORTED_LANGUAGES:
            _ = context.translator.gettext
            await context.outbox.reply(
                Reply(
                    _(
                        "I don't know the language « {word} ». Choose « langue fr » or « language en ».",
                        word=word,
                    )
                )
            )
            return
        await repo.set_language(context.db, message.sender, language, context.now)
        context.translator = Translator(language)
        await context.outbox.reply(
            Reply(context.translator.gettext("Done: from now on I answer you in this language."))
        )


def privacy_line(context: HandlerContext) -> str:
    """What the bot keeps of patient data, and for how long (true to the settings)."""
    return context.translator.gettext(
        "Patient data stays in this encrypted chat. My own copies are erased: my messages"
        " once delivered, a dispatch's details when it ends (at the latest {hours} h after"
        " it is taken), what you typed after {days} days.",
        hours=policy_from_config(context.config).details_kept_hours,
        days=context.config.tracking.retention_days,
    )


def _escape(text: str) -> str:
    return html.escape(text)
