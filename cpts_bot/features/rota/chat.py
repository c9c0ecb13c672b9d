"""The duty rota and leave by chat.

- "qui est de garde ce soir à Hyères ?", "IDE d'astreinte demain matin ?"
- "mes gardes", "mes congés"; "absente du 12 au 20 décembre", "en congés demain";
  "annuler congé 3"; "mes gardes calendrier" (or "ics", "agenda"): the coming duties as an
  .ics file too, in the direct chat (only when asked: a file at every "mes gardes" would
  fill the chat with copies)
- coordinators: "garde @alice:hs IDE Hyères 24/12 20h-8h", "garde @alice:hs IDE Hyères
  chaque lundi 18h-20h", "garde @alice:hs IDE dimanches et jours fériés 8h-20h",
  "congé @bob:hs du 12 au 20 décembre"
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from cpts_bot.chat.commands import Audience, Command, CommandCall, Parameter, Parser, Topic
from cpts_bot.chat.not_understood import pointer
from cpts_bot.chat.triggers import derived, words
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.core.user_error import UserError
from cpts_bot.features.dispatch.context_service import format_hours, place_names, profession_name
from cpts_bot.features.rota import replies
from cpts_bot.features.rota import service as rota_service
from cpts_bot.features.rota.calendar_chat import CALENDAR_DAYS, send_duties_calendar
from cpts_bot.features.rota.duty_rota import Leave, OneOffShift, WeeklySlot
from cpts_bot.features.rota.patterns import (
    ENGLISH_SETTING_PATTERNS,
    ROTA_PATTERNS,
    english_rota_words,
)
from cpts_bot.features.rota.phrases import (
    RotaCommand,
    RotaCommandKind,
    parse_rota_command,
)
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context, NoDirectory, ProfessionalLookup

# French rota words, and the English ones read as them (« on call », « my shifts », « shift @… »).
_FRENCH_TRIGGERS = derived(*ROTA_PATTERNS)
ROTA_TRIGGERS = (
    _FRENCH_TRIGGERS
    | derived(*ENGLISH_SETTING_PATTERNS)
    | words(*english_rota_words(_FRENCH_TRIGGERS.fragments))
)

MY_DUTIES_DAYS = 14
_SETTING = (RotaCommandKind.SET_SHIFT, RotaCommandKind.SET_WEEKLY)


def _calendar(context: Context) -> HolidayCalendar:
    return rota_service.calendar_of(context)


class RotaFeature:
    """The ChatFeature for the duty rota and leave."""

    name = "rota"
    help_topic = Topic.DUTY

    def __init__(self, directory: ProfessionalLookup | None = None) -> None:
        self.directory: ProfessionalLookup = directory or NoDirectory()

    async def handle_reaction(self, reaction: IncomingReaction, context: Context) -> bool:
        return False

    def _deps(self, context: Context) -> Context:
        return context.with_directory(self.directory)

    def read(self, text: str, context: Context) -> RotaCommand | UserError | None:
        """The rota command in ``text`` (or what is wrong with it), None when not one."""
        return parse_rota_command(text, context.now, self._deps(context).places, _calendar(context))

    def _read_set(self, text: str, context: Context) -> RotaCommand | None:
        command = self.read(text, context)
        if isinstance(command, RotaCommand) and command.kind in _SETTING:
            return command
        return None

    async def _on_call(self, call: CommandCall) -> bool:
        return await self.handle(call.value, call.message, call.context)

    def commands(self) -> list[Command]:
        """The rota, declared: questions and one's own leave; setting the rota. Both read
        the rota's words and go to one handler, which tells the kinds of command apart."""
        rota_command = partial(
            Command, triggers=ROTA_TRIGGERS, handler=self._on_call, topic=Topic.DUTY
        )
        return [
            rota_command(
                name="gardes",
                phrase=Parser(self.read, specificity=10),
                help=N_("who is on duty; your duties and leave"),
                examples=(
                    N_("qui est de garde ce soir à {commune} ?"),
                    N_("mes gardes"),
                    N_("mes gardes calendrier"),
                    N_("absente du 12 au 20 décembre"),
                    N_("annuler congé 3"),
                ),
                priority=10,
                published=False,  # free phrases
            ),
            rota_command(
                name="garde",
                phrase=Parser(self._read_set, specificity=11),
                help=N_("set the rota"),
                examples=(
                    N_("garde @name:server IDE {commune} 24/12 20h-8h"),
                    N_("garde @name:server IDE {commune} chaque lundi 18h-20h"),
                    N_("garde @name:server IDE {commune} dimanches et jours fériés 8h-20h"),
                ),
                audience=Audience.COORDINATOR,
                priority=60,
                parameters=(
                    Parameter("user", "user_id", N_("who is on duty")),
                    Parameter("duty", "string", N_("profession, commune, day and hours")),
                ),
            ),
        ]

    async def handle(
        self,
        command: RotaCommand | UserError,
        message: IncomingMessage,
        context: Context,
    ) -> bool:
        deps = self._deps(context)
        if isinstance(command, UserError):  # a moment or a rota line that cannot be read
            await context.outbox.reply(Reply(command.render(context.translator)))
            return True
        if command.user_id and command.user_id != message.sender:
            if not context.is_coordinator(message.sender):
                await context.outbox.reply(
                    Reply(context._("Only coordinators can set someone else's rota or leave."))
                )
                return True
        handler = {
            RotaCommandKind.WHO_IS_ON_DUTY: self._who,
            RotaCommandKind.MY_DUTIES: self._my_duties,
            RotaCommandKind.MY_LEAVE: self._my_leave,
            RotaCommandKind.DECLARE_LEAVE: self._declare_leave,
            RotaCommandKind.CANCEL_LEAVE: self._cancel_leave,
            RotaCommandKind.SET_SHIFT: self._set_shift,
            RotaCommandKind.SET_WEEKLY: self._set_weekly,
        }[command.kind]
        return await handler(command, message, deps, context)

    # ------------------------------------------------------------------ queries

    async def _who(
        self, command: RotaCommand, message: IncomingMessage, deps: Context, context: Context
    ) -> bool:
        found = await rota_service.on_duty(deps, command)
        if not found.has_rota:
            # No rota at all for the profession asked: how to find one in the directory;
            # the pharmacy on duty is left to its pointer (False: not answered here).
            if command.profession is None or pointer(message.body, context.translator) is not None:
                return False
            default_place = context.config.territory.communes[0].name
            text = replies.no_rota_reply(command, deps.places, default_place, context.translator)
            await context.outbox.reply(Reply(text))
            return True
        text = replies.on_duty_text(command, found, deps.places, context.translator)
        await context.outbox.reply(Reply(text))
        return True

    async def _my_duties(
        self, command: RotaCommand, message: IncomingMessage, deps: Context, context: Context
    ) -> bool:
        days = CALENDAR_DAYS if command.calendar_file else MY_DUTIES_DAYS
        start = command.period.start if command.period else context.now
        end = command.period.end if command.period else context.now + timedelta(days=days)
        calendar = rota_service.calendar_of(context)
        mine = await rota_service.duties_and_leave(context, message.sender, start, end)
        duties = mine.duties
        translator = context.translator
        lines = replies.my_duties_lines(mine, context, command.calendar_file)
        lines += replies.calendar_note(command.calendar_file, message.is_direct, duties, translator)
        await context.outbox.reply(Reply("\n".join(lines)))
        if command.calendar_file and duties:  # after the text, in the direct chat
            await send_duties_calendar(
                context, message.sender, duties, deps.places, calendar, context.now
            )
        return True

    async def _my_leave(
        self, command: RotaCommand, message: IncomingMessage, deps: Context, context: Context
    ) -> bool:
        leaves = await rota_service.leaves_of(context, message.sender)
        await context.outbox.reply(Reply(replies.my_leave_text(leaves, context.translator)))
        return True

    # ------------------------------------------------------------------ changes

    async def _declare_leave(
        self, command: RotaCommand, message: IncomingMessage, deps: Context, context: Context
    ) -> bool:
        assert command.period is not None
        user = command.user_id or message.sender
        own = user == message.sender
        period = command.period
        leave = Leave(user, period.start, period.end)
        recorded = await rota_service.declare_leave(context, leave, message.sender)
        translator = context.translator
        name = "" if own else await deps.display_name(user)
        lines = [replies.leave_recorded_first_line(period, own, name, translator)]
        if recorded.clashes:
            name = name or await deps.display_name(user)
            lines.append(replies.clash_line(recorded.clashes, own, name, translator))
        lines.append(context._("“annuler congé {id}” to remove it.", id=recorded.leave_id))
        await context.outbox.reply(Reply("\n".join(lines)))
        return True

    async def _cancel_leave(
        self, command: RotaCommand, message: IncomingMessage, deps: Context, context: Context
    ) -> bool:
        assert command.leave_id is not None
        deleted = await rota_service.remove_leave(context, command.leave_id, message.sender)
        _ = context._
        if deleted:
            await context.outbox.reply(Reply(_("Leave {id} removed.", id=command.leave_id)))
        else:
            await context.outbox.reply(Reply(_("You have no leave no. {id}.", id=command.leave_id)))
        return True

    async def _set_shift(
        self, command: RotaCommand, message: IncomingMessage, deps: Context, context: Context
    ) -> bool:
        assert command.period is not None and command.user_id and command.profession
        shift = OneOffShift(
            command.user_id,
            command.profession,
            frozenset(command.communes),
            command.period.start,
            command.period.end,
        )
        warnings = await rota_service.set_shift(deps, shift, message.sender)
        translator = context.translator
        recorded = context._(
            "Duty recorded: {name}, {profession}, {places}, {period}",
            name=await deps.display_name(command.user_id),
            profession=profession_name(command.profession, translator),
            places=place_names(command.communes, deps.places, translator),
            period=replies.format_period(command.period, translator),
        )
        await context.outbox.reply(Reply("\n".join([recorded, *warnings])))
        return True

    async def _set_weekly(
        self, command: RotaCommand, message: IncomingMessage, deps: Context, context: Context
    ) -> bool:
        assert command.user_id and command.profession and command.weekday is not None
        assert command.start_time is not None and command.end_time is not None
        slot = WeeklySlot(
            command.user_id,
            command.profession,
            frozenset(command.communes),
            command.weekday,
            command.start_time,
            command.end_time,
            holidays=command.holidays,
        )
        warnings = await rota_service.set_slot(deps, slot, message.sender)
        translator = context.translator
        recorded = context._(
            "Weekly duty recorded: {name}, {profession}, {places}, {weekday} {hours}.",
            name=await deps.display_name(command.user_id),
            profession=profession_name(command.profession, translator),
            places=place_names(command.communes, deps.places, translator),
            weekday=replies.slot_days_label(command.weekday, command.holidays, translator),
            hours=format_hours(command.start_time, command.end_time, translator),
        )
        await context.outbox.reply(Reply("\n".join([recorded, *warnings])))
        return True
