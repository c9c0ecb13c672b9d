"""The rota's replies, rendered from what the rota's service returns: who is on duty,
one's duties and leave, a leave recorded (and the duties it leaves with nobody), a duty
set; the days, periods and weekly slots in words."""

from __future__ import annotations

from datetime import datetime, timedelta

from cpts_bot.chat.not_understood import no_rota_text
from cpts_bot.core.french_datetime import Period
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.context_service import (
    format_moment,
    format_span,
    place_names,
    profession_name,
)
from cpts_bot.features.rota.calendar_chat import holiday_of
from cpts_bot.features.rota.duty_rota import Duty, Leave
from cpts_bot.features.rota.holiday_slots import HolidayRule
from cpts_bot.features.rota.phrases import RotaCommand
from cpts_bot.features.rota.service import MyDuties, OnDuty, calendar_of
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

MY_DUTIES_LISTED = 10  # « mes gardes »: at most this many lines of duties, then a count
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


def on_duty_text(
    command: RotaCommand, found: OnDuty, places: PlaceIndex, translator: Translator
) -> str:
    """« De garde ce soir (Hyères) : • … », or that nobody is."""
    assert command.moment is not None
    _ = translator.gettext
    when = (
        format_period(command.period, translator)
        if command.period
        else format_moment(command.moment.at, command.moment.precision, translator)
    )
    where = place_names(command.communes, places, translator)
    if not found.duties:
        if command.profession:
            what = profession_name(command.profession, translator)
            return _(
                "No {profession} on duty {when} ({where}).", profession=what, when=when, where=where
            )
        return _("Nobody on duty {when} ({where}).", when=when, where=where)
    lines = [_("On duty {when} ({where}):", when=when, where=where)]
    lines += [
        f"• {found.names[duty.user_id]} ({profession_name(duty.profession, translator)}) "
        f"{format_span(duty.start, duty.end, translator)}"
        f" — {duty.user_id}"
        for duty in found.duties
    ]
    return "\n".join(lines)


def no_rota_reply(
    command: RotaCommand, places: PlaceIndex, default_place: str, translator: Translator
) -> str:
    """No rota at all for the profession asked (« c'est qui le kiné de garde ce week-end ? »):
    how to find one in the directory."""
    assert command.profession is not None
    where = (
        place_names(command.communes[:1], places, translator) if command.communes else default_place
    )
    what = profession_name(command.profession, translator)
    return no_rota_text(command.profession, what, where, translator)


def duty_line(
    duty: Duty, places: PlaceIndex, calendar: HolidayCalendar, translator: Translator
) -> str:
    holiday = holiday_of(duty, calendar, translator.language)
    return (
        f"• {format_day(duty.start, translator)} "
        f"{format_span(duty.start, duty.end, translator)} "
        f"{profession_name(duty.profession, translator)} "
        f"{place_names(sorted(duty.communes), places, translator)}"
        + (f" ({holiday})" if holiday else "")
    )


def more_duties(more: int, calendar_file: bool, translator: Translator) -> list[str]:
    """The line that stands for the duties not listed (a phone screen is short)."""
    if more <= 0:
        return []
    if calendar_file:
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


def calendar_note(
    calendar_file: bool, is_direct: bool, duties: list[Duty], translator: Translator
) -> list[str]:
    """Where the .ics file is when asked for one (the help tells how to ask)."""
    _ = translator.gettext
    if not calendar_file:
        return []
    if not duties:
        return [_("No calendar file: there is no duty to put in it.")]
    if is_direct:
        return [_("Your calendar file (.ics) follows, to open with your calendar app.")]
    return [_("Your calendar file (.ics) is in our direct chat.")]


def my_duties_lines(mine: MyDuties, context: Context, calendar_file: bool) -> list[str]:
    """« Vos gardes : • … », at most ``MY_DUTIES_LISTED`` of them, then one's leave."""
    translator = context.translator
    places, calendar = context.places, calendar_of(context)
    _ = translator.gettext
    duties = mine.duties
    if not duties:
        start, end = format_day(mine.start, translator), format_day(mine.end, translator)
        lines = [_("You have no duties from {start} to {end}", start=start, end=end)]
    else:
        shown = duties[:MY_DUTIES_LISTED]
        lines = [_("Your duties:")]
        lines += [duty_line(duty, places, calendar, translator) for duty in shown]
        lines += more_duties(len(duties) - len(shown), calendar_file, translator)
    if mine.leaves:
        periods = "; ".join(format_period(leave, translator) for leave in mine.leaves)
        lines.append(_("Leave: {periods}", periods=periods))
    return lines


def my_leave_text(leaves: list[Leave], translator: Translator) -> str:
    _ = translator.gettext
    if not leaves:
        return _("You have no leave recorded.")
    lines = [_("Your leave:")]
    lines += [f"• {leave.leave_id} — {format_period(leave, translator)}" for leave in leaves]
    lines.append(_("“annuler congé {id}” to remove one.", id=leaves[0].leave_id))
    return "\n".join(lines)


def leave_recorded_first_line(period: Period, own: bool, name: str, translator: Translator) -> str:
    if own:
        return translator.gettext(
            "Leave recorded {period}: no dispatch will be sent to you then.",
            period=format_period(period, translator),
        )
    return translator.gettext(
        "Leave recorded for {name} {period}", name=name, period=format_period(period, translator)
    )


def clash_line(clashes: list[Duty], own: bool, name: str, translator: Translator) -> str:
    """The warning that a leave covers duties: how many, the first ones, and what to do
    (the person themself is shown how to ask for cover)."""
    shown = ", ".join(format_moment(duty.start, "time", translator) for duty in clashes[:3])
    duties = shown + (", …" if len(clashes) > 3 else "")
    if own:
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
        name=name,
        duties=duties,
    )
