"""Run a message through the declared commands: pick, check the audience once, handle."""

from __future__ import annotations

from cpts_bot.chat.commands import Audience, Command, CommandCall, CommandRegistry, heard_places
from cpts_bot.chat.feature import HandlerContext
from cpts_bot.chat.incoming import IncomingMessage, Reply
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.storage.directory_repository import DirectoryRepository

AUDIENCE_NAMES = {
    Audience.COORDINATOR: N_("the coordination"),
    Audience.PROFESSIONAL: N_("the professionals listed in the directory"),
}


async def may_use(audience: Audience, user_id: str, context: HandlerContext) -> bool:
    """Whether ``user_id`` belongs to ``audience`` (coordinators belong to every one)."""
    if audience is Audience.ANYONE or context.is_coordinator(user_id):
        return True
    if audience is Audience.PROFESSIONAL:
        return await DirectoryRepository(context.db).find_key_by_matrix_id(user_id) is not None
    return False


def refusal(command: Command, translator: Translator) -> str:
    """The one refusal text, for every command and audience."""
    return translator.gettext(
        "Sorry: « {command} » is reserved for {audience}.",
        command=command.name,
        audience=translator.gettext(AUDIENCE_NAMES[command.audience]),
    )


async def run_declared(
    registry: CommandRegistry,
    message: IncomingMessage,
    context: HandlerContext,
    *,
    free_text: bool = False,
) -> bool:
    """Handle ``message`` with its most specific declaration; False when none hears it."""
    places = heard_places(message, context.config.rooms.coordination)
    chosen = registry.best(message, context, places, free_text=free_text)
    if chosen is None:
        return False
    command, understood = chosen
    if not await may_use(command.audience, message.sender, context):
        await context.outbox.reply(Reply(refusal(command, context.translator)))
        return True
    await command.handler(CommandCall(command, message, context, understood.value))
    return True
