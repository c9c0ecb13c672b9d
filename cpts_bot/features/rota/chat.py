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

from datetime import datetime, timedelta

from cpts_bot.chat.commands import Audience, Command, CommandCall, Parameter, Parser, Topic
from cpts_bot.chat.not_understood import no_rota_text, pointer
from cpts_bot.chat.triggers import derived, words
from cpts_bot.core.french_datetime import Period
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.core.times import PARIS
from cpts_bot.core.user_error import UserError
from cpts_bot.features.dispatch.context_service import (
    format_hours,
    format_moment,
    format_span,
    place_names,
    profession_name,
)
from cpts_bot.features.rota import service as rota_service
from cpts_bot.features.rota.calendar_chat import CALENDAR_DAYS, holiday_of, send_duties_calendar
from cpts_bot.features.rota.checks_service import warnings_for
from cpts_bot.features.rota.duty_rota import (
    Duty,
    Leave,
    OneOffShift,
    Rota,
    WeeklySlot,
    duties_of,
    on_duty_at,
    on_duty_during,
)
from cpts_bot.features.rota.holiday_slots import HolidayRule
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
from cpts_bot.i18n import Translator
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
CHECKED_WEEKS = 8  # a weekly duty set by chat is checked against leave and other duties
MY_DUTIES_LISTED = 10  # « mes gardes »: at most this many lines of duties, then a count
_SETTING = (RotaCommandKind.SET_SHIFT, RotaCommandKind.SET_WEEKLY)
WEEKDAY_NAMES = (
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
)


def slot_days_label(weekday: int, rule: HolidayRule, translator: Translator) -> str:
    """ "Sundays and public holidays", "public holidays", "Mondays except public holidays"."""
    days = translator.gettext(WEEKDAY_NAMES[weekday])
    if rule is HolidayRule.ALSO:
        return translator.gettext("{weekdays} and public holidays", weekdays=days)
    if rule is HolidayRule.ONLY:
        return translator.gettext("public holidays")
    if rule is HolidayRule.EXCEPT:
        return translator.gettext("{weekdays} except public holidays", weekdays=days)
    return days


def format_day(moment: datetime, translator: Translator) -> str:
    return translator.format_datetime(moment, "EEE d MMM")


def format_period(period: Period | Leave, translator: Translator) -> str:
    """ "du sam. 12 déc. au dim. 20 déc." for whole days, else with the hours."""
    start, end = period.start, period.end
    local_start, local_end = start.astimezone(PARIS), end.astimezone(PARIS)
    whole_days = local_start.time() == local_end.time() == datetime.min.time()
    if whole_days:
        last = end - timedelta(minutes=1)
        if local_start.date() == last.astimezone(PARIS).date():
            return translator.gettext("on {day}", day=format_day(start, translator))
        return translator.gettext(
            "from {start} to {end}",
            start=format_day(start, translator),
            end=format_day(last, translator),
        )
    return translator.gettext(
        "from {start} to {end}",
        start=format_moment(start, "time", translator),
        end=format_moment(end, "time", translator),
    )


def _calendar(context: Context) -> HolidayCalendar:
    return context.config.territory.holiday_calendar()


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
        """The rota, declared: questions and one's own leave; setting the rota."""
        handle = self._on_call
        return [
            Command(
                name="gardes",
                phrase=Parser(self.read, specificity=10),
                triggers=ROTA_TRIGGERS,
                handler=handle,
                help=N_("who is on duty; your duties and leave"),
                examples=(
                    N_("qui est de garde ce soir à {commune} ?"),
                    N_("mes gardes"),
                    N_("mes gardes calendrier"),
                    N_("absente du 12 au 20 décembre"),
                    N_("annuler congé 3"),
                ),
                topic=Topic.DUTY,
                priority=10,
                published=False,  # free phrases
            ),
            Command(
                name="garde",
                phrase=Parser(self._read_set, specificity=11),
                triggers=ROTA_TRIGGERS,
                handler=handle,
                help=N_("set the rota"),
                examples=(
                    N_("garde @name:server IDE {commune} 24/12 20h-8h"),
                    N_("garde @name:server IDE {commune} chaque lundi 18h-20h"),
                    N_("garde @name:server IDE {commune} dimanches et jours fériés 8h-20h"),
                ),
                topic=Topic.DUTY,
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
        self,
        command: RotaCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
    ) -> bool:
        assert command.moment is not None
        at = command.moment.at
        start, end = (command.period.start, command.period.end) if command.period else (at, at)
        rota = await rota_service.rota_between(
            context, start - timedelta(days=1), end + timedelta(days=1), _calendar(context)
        )
        relevant = [
            item
            for item in (*rota.slots, *rota.shifts)
            if command.profession is None or item.profession == command.profession
        ]
        if not relevant:
            return await _no_rota(command, message, deps, context)
        found: list[Duty] = []
        for commune in command.communes or (None,):
            if command.period is not None:
                duties = on_duty_during(rota, start, end, command.profession, commune)
            else:
                duties = on_duty_at(rota, at, command.profession, commune)
            found.extend(duty for duty in duties if duty not in found)
        _ = context._
        translator = context.translator
        when = (
            format_period(command.period, translator)
            if command.period
            else format_moment(at, command.moment.precision, translator)
        )
        where = place_names(command.communes, deps.places, translator)
        what = profession_name(command.profession, translator) if command.profession else ""
        if not found:
            if what:
                text = _(
                    "No {profession} on duty {when} ({where}).",
                    profession=what,
                    when=when,
                    where=where,
                )
            else:
                text = _("Nobody on duty {when} ({where}).", when=when, where=where)
            await context.outbox.reply(Reply(text))
            return True
        lines = [_("On duty {when} ({where}):", when=when, where=where)]
        for duty in sorted(found, key=lambda d: (d.start, d.user_id)):
            name = duty.name or await deps.display_name(duty.user_id)
            lines.append(
                f"• {name} ({profession_name(duty.profession, translator)}) "
                f"{format_span(duty.start, duty.end, translator)}"
                f" — {duty.user_id}"
            )
        await context.outbox.reply(Reply("\n".join(lines), mentions=()))
        return True

    async def _my_duties(
        self,
        command: RotaCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
    ) -> bool:
        days = CALENDAR_DAYS if command.calendar_file else MY_DUTIES_DAYS
        start = command.period.start if command.period else context.now
        end = command.period.end if command.period else context.now + timedelta(days=days)
        calendar = _calendar(context)
        rota = await rota_service.rota_between(context, start - timedelta(days=1), end, calendar)
        duties = duties_of(rota, message.sender, start, end)
        translator = context.translator
        _ = context._
        if not duties:
            lines = [
                _(
                    "You have no duties from {start} to {end}",
                    start=format_day(start, translator),
                    end=format_day(end, translator),
                )
            ]
        else:
            lines = [_("Your duties:")]
            shown = duties[:MY_DUTIES_LISTED]
            lines.extend(self._duty_line(duty, deps, calendar, translator) for duty in shown)
            lines.extend(self._more_duties(len(duties) - len(shown), command, translator))
        leaves = await rota_service.leaves_of(context, message.sender)
        if leaves:
            lines.append(
                _(
                    "Leave: {periods}",
                    periods="; ".join(format_period(leave, translator) for leave in leaves),
                )
            )
        lines.extend(self._calendar_note(command, message, duties, translator))
        await context.outbox.reply(Reply("\n".join(lines)))
        if command.calendar_file and duties:  # after the text, in the direct chat
            await send_duties_calendar(
                context, message.sender, duties, deps.places, calendar, context.now
            )
        return True

    @staticmethod
    def _more_duties(more: int, command: RotaCommand, translator: Translator) -> list[str]:
        """The line that stands for the duties not listed (a phone screen is short)."""
        if more <= 0:
            return []
        if command.calendar_file:
            return [
                translator.ngettext(
                    "… and {count} more, all in the calendar file.",
                    "… and {count} more, all in the calendar file.",
                    more,
                )
            ]
        return [
            translator.ngettext(
                "… and {count} more: « mes gardes calendrier » gives them all as a file.",
                "… and {count} more: « mes gardes calendrier » gives them all as a file.",
                more,
            )
        ]

    def _duty_line(
        self, duty: Duty, deps: Context, calendar: HolidayCalendar, translator: Translator
    ) -> str:
        holiday = holiday_of(duty, calendar, translator.language)
        return (
            f"• {format_day(duty.start, translator)} "
            f"{format_span(duty.start, duty.end, translator)} "
            f"{profession_name(duty.profession, translator)} "
            f"{place_names(sorted(duty.communes), deps.places, translator)}"
            + (f" ({holiday})" if holiday else "")
        )

    def _calendar_note(
        self,
        command: RotaCommand,
        message: IncomingMessage,
        duties: list[Duty],
        translator: Translator,
    ) -> list[str]:
        """Where the .ics file is when asked for one (the help tells how to ask)."""
        _ = translator.gettext
        if not command.calendar_file:
            return []
        if not duties:
            return [_("No calendar file: there is no duty to put in it.")]
        if message.is_direct:
            return [_("Your calendar file (.ics) follows, to open with your calendar app.")]
        return [_("Your calendar file (.ics) is in our direct chat.")]

    async def _my_leave(
        self,
        command: RotaCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
    ) -> bool:
        leaves = await rota_service.leaves_of(context, message.sender)
        _ = context._
        if not leaves:
            await context.outbox.reply(Reply(_("You have no leave recorded.")))
            return True
        lines = [_("Your leave:")]
        for leave in leaves:
            lines.append(f"• {leave.leave_id} — {format_period(leave, context.translator)}")
        lines.append(_("“annuler congé {id}” to remove one.", id=leaves[0].leave_id))
        await context.outbox.reply(Reply("\n".join(lines)))
        return True

    # ------------------------------------------------------------------ changes

    async def _declare_leave(
        self,
        command: RotaCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
    ) -> bool:
        assert command.period is not None
        user = command.user_id or message.sender
        period = command.period
        leave = Leave(user, period.start, period.end)
        leave_id = await rota_service.add_leave(context, leave, message.sender)
        translator = context.translator
        _ = context._
        lines = []
        if user == message.sender:
            lines.append(
                _(
                    "Leave recorded {period}: no dispatch will be sent to you then.",
                    period=format_period(period, translator),
                )
            )
        else:
            lines.append(
                _(
                    "Leave recorded for {name} {period}",
                    name=await deps.display_name(user),
                    period=format_period(period, translator),
                )
            )
        rota = await rota_service.rota_between(
            context, period.start, period.end, _calendar(context)
        )
        planned = Rota(rota.slots, rota.shifts, handovers=rota.handovers, calendar=rota.calendar)
        clashes = duties_of(planned, user, period.start, period.end)
        if clashes:
            lines.append(await _clash_line(clashes, user, message.sender, deps, translator))
        lines.append(_("“annuler congé {id}” to remove it.", id=leave_id))
        await context.outbox.reply(Reply("\n".join(lines)))
        return True

    async def _cancel_leave(
        self,
        command: RotaCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
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
        self,
        command: RotaCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
    ) -> bool:
        assert command.period is not None and command.user_id and command.profession
        shift = OneOffShift(
            command.user_id,
            command.profession,
            frozenset(command.communes),
            command.period.start,
            command.period.end,
        )
        await rota_service.add_shift(context, shift, message.sender)
        translator = context.translator
        recorded = context._(
            "Duty recorded: {name}, {profession}, {places}, {period}",
            name=await deps.display_name(command.user_id),
            profession=profession_name(command.profession, translator),
            places=place_names(command.communes, deps.places, translator),
            period=format_period(command.period, translator),
        )
        warnings = await warnings_for(
            deps, command.user_id, shift.start, shift.end + timedelta(seconds=1), translator
        )
        await context.outbox.reply(Reply("\n".join([recorded, *warnings])))
        return True

    async def _set_weekly(
        self,
        command: RotaCommand,
        message: IncomingMessage,
        deps: Context,
        context: Context,
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
        await rota_service.add_slot(context, slot, message.sender)
        translator = context.translator
        recorded = context._(
            "Weekly duty recorded: {name}, {profession}, {places}, {weekday} {hours}.",
            name=await deps.display_name(command.user_id),
            profession=profession_name(command.profession, translator),
            places=place_names(command.communes, deps.places, translator),
            weekday=slot_days_label(command.weekday, command.holidays, context.translator),
            hours=format_hours(command.start_time, command.end_time, translator),
        )
        ahead = context.now + timedelta(days=CHECKED_WEEKS * 7)
        warnings = await warnings_for(deps, command.user_id, context.now, ahead, translator)
        await context.outbox.reply(Reply("\n".join([recorded, *warnings])))
        return True


async def _clash_line(
    clashes: list[Duty], user: str, sender: str, deps: Context, translator: Translator
) -> str:
    """The warning that a leave covers duties: how many, the first ones, and what to do
    (the person themself is shown how to ask for cover)."""
    shown = ", ".join(format_moment(duty.start, "time", translator) for duty in clashes[:3])
    duties = shown + (", …" if len(clashes) > 3 else "")
    if user == sender:
        return translator.ngettext(
            "Careful: you have {count} duty during this leave ({duties}); « je cherche un "
            "remplaçant pour ma garde du {day} » finds cover, or tell the coordination.",
            "Careful: you have {count} duties during this leave ({duties}); « je cherche un "
            "remplaçant pour ma garde du {day} » finds cover, or tell the coordination.",
            len(clashes),
            duties=duties,
            day=clashes[0].start.astimezone(PARIS).strftime("%d/%m"),
        )
    return translator.ngettext(
        "Careful: {name} has {count} duty during this leave ({duties}).",
        "Careful: {name} has {count} duties during this leave ({duties}).",
        len(clashes),
        name=await deps.display_name(user),
        duties=duties,
    )


async def _no_rota(
    command: RotaCommand, message: IncomingMessage, deps: Context, context: Context
) -> bool:
    """No rota at all for the profession asked (« c'est qui le kiné de garde ce week-end ? »):
    say so, with how to find one in the directory. The pharmacy on duty is left to its
    pointer (False: not answered here)."""
    if command.profession is None or pointer(message.body, context.translator) is not None:
        return False
    translator = context.translator
    if command.communes:
        where = place_names(command.communes[:1], deps.places, translator)
    else:
        where = context.config.territory.communes[0].name
    what = profession_name(command.profession, translator)
    text = no_rota_text(command.profession, what, where, translator)
    await context.outbox.reply(Reply(text))
    return True
