"""What the bot answers the coordination about alerts: each typed alert command goes to
its service, and the outcome is worded here (French first, through the catalogs)."""

from __future__ import annotations

from datetime import timedelta

from cpts_bot.core.messages import IncomingMessage, Reply
from cpts_bot.core.times import from_iso
from cpts_bot.features.alerts import acknowledgement_service as acknowledgement
from cpts_bot.features.alerts import management_service as management
from cpts_bot.features.alerts.audience_service import RoomMembers, audience_rooms, room_names
from cpts_bot.features.alerts.fields import interpret_creation, interpret_fields, parse_fields
from cpts_bot.features.alerts.models import Alert, AlertFields, Problem
from cpts_bot.features.alerts.phrases import AlertCommand, AlertCommandKind, DraftAnswer
from cpts_bot.features.alerts.rendering_service import (
    describe,
    format_moment,
    listing_line,
    status_label,
)
from cpts_bot.features.alerts.states import AlertState
from cpts_bot.features.alerts.waiting_service import awaiting_acknowledgement
from cpts_bot.services.context import Context
from cpts_bot.services.people import person_labels

Outcome = management.Outcome


class AlertReplies:
    """The handlers of the alert commands."""

    def __init__(self, members: RoomMembers | None, draft_prefix: str) -> None:
        self.members = members
        self.draft_prefix = draft_prefix

    async def run(self, command: AlertCommand, message: IncomingMessage, context: Context) -> None:
        kind = command.kind
        if kind is AlertCommandKind.CREATE:
            await self._create(command, message, context)
        elif kind is AlertCommandKind.USAGE:
            await _say(
                context,
                context._(
                    "Write the alert on one line, for example: « alerte urgent: Canicule niveau 3 |"
                    " quand: demain 8h | pour: tous | jusqu'au: 15 décembre »."
                ),
            )
        elif kind is AlertCommandKind.LIST:
            await self._list(context)
        elif kind is AlertCommandKind.SHOW:
            assert command.alert_id is not None
            await self._show(context, command.alert_id)
        elif kind is AlertCommandKind.WHO_READ:
            assert command.alert_id is not None
            await self._who_read(context, command.alert_id)
        else:
            await self._manage(command, message, context)

    def _describe(self, alert: Alert, context: Context) -> list[str]:
        rooms = room_names(audience_rooms(alert.audience, context.config), self.members)
        return describe(alert, context.translator, context.now, rooms)

    async def _create(
        self, command: AlertCommand, message: IncomingMessage, context: Context
    ) -> None:
        _ = context._
        duty = list(context.config.rooms.duty)
        fields = interpret_creation(command.level_word, command.rest, duty, context.now)
        if isinstance(fields, Problem):
            return await _say(context, fields.render(context.translator))
        assert fields.audience is not None
        if not audience_rooms(fields.audience, context.config):
            return await _say(context, _("No room is configured for this audience."))
        alert = await management.draft_alert(context, fields, message.sender, message.room_id)
        lines = [
            _("Alert no. {number} to confirm:", number=alert.id),
            *self._describe(alert, context),
            _("Reply « oui » to confirm, « non » to drop it."),
        ]
        await context.outbox.reply(
            Reply("\n".join(lines)), correlation=f"{self.draft_prefix}{alert.id}"
        )

    async def draft_answered(self, draft: Alert, answer: DraftAnswer, context: Context) -> None:
        _ = context._
        if answer is DraftAnswer.DROP:
            return await _say(context, _("Alert no. {number} dropped.", number=draft.id))
        await _say(
            context,
            _("Alert no. {number} confirmed: it will be posted as planned.", number=draft.id),
        )

    async def _show(self, context: Context, alert_id: int) -> None:
        _ = context._
        alert = await management.get_alert(context, alert_id)
        if alert is None:
            return await _say(context, _("There is no alert no. {number}.", number=alert_id))
        status = status_label(alert.status, context.translator)
        lines = [
            _("Alert no. {number} ({status})", number=alert.id, status=status),
            *self._describe(alert, context),
        ]
        for row in await management.alert_history(context, alert_id):
            when = format_moment(from_iso(row["at"]), context.translator)
            lines.append(f"· {when} — {row['actor']} — {row['action']}")
        await _say(context, "\n".join(lines))

    async def _list(self, context: Context) -> None:
        _ = context._
        found = await management.alerts_in_force(context)
        hours = timedelta(hours=context.config.alerts.default_in_force_hours)
        waiting = await awaiting_acknowledgement(context, context.now - hours)
        if not found and not waiting:
            return await _say(context, _("No alert in force."))
        lines = [_("Alerts in force: {count}", count=len(found))] if found else []
        lines += [listing_line(alert, context.translator) for alert in found]
        if waiting:
            lines.append(
                context.translator.ngettext(
                    "Waiting for acknowledgements: {count}",
                    "Waiting for acknowledgements: {count}",
                    len(waiting),
                )
            )
        for alert, done, asked in waiting:
            read = f"{done}/{asked}" if asked is not None else str(done)
            lines.append(
                _("{line} — read: {read}", line=listing_line(alert, context.translator), read=read)
            )
        await _say(context, "\n".join(lines))

    async def _who_read(self, context: Context, alert_id: int) -> None:
        _ = context._
        alert = await management.get_alert(context, alert_id)
        if alert is None:
            return await _say(context, _("There is no alert no. {number}.", number=alert_id))
        firing_id = await management.latest_firing(context, alert_id)
        if firing_id is None:
            return await _say(
                context, _("Alert no. {number} has not been posted yet.", number=alert_id)
            )
        report = await acknowledgement.acknowledgement_report(
            context, firing_id, self.members, exclude=alert.created_by
        )
        done = [user for user, _at in report.acknowledged]
        values = {
            "number": alert_id,
            "when": format_moment(report.fired_at, context.translator),
            "done": len(done),
        }
        if report.members_known:
            head = _(
                "Alert no. {number} (posted {when}): acknowledged by {done} of {total}.",
                total=len(done) + len(report.pending),
                **values,
            )
        else:
            head = _("Alert no. {number} (posted {when}): acknowledged by {done}.", **values)
        lines = [head]
        if done:
            lines.append("✅ " + ", ".join(await person_labels(context, done)))
        if report.pending:
            pending = await person_labels(context, report.pending)
            lines.append("⏳ " + ", ".join(pending))
        await _say(context, "\n".join(lines))

    async def _manage(
        self, command: AlertCommand, message: IncomingMessage, context: Context
    ) -> None:
        _ = context._
        alert_id = command.alert_id
        assert alert_id is not None
        changes = None
        if command.kind is AlertCommandKind.EDIT:
            alert = await management.get_alert(context, alert_id)
            if alert is None or alert.status is AlertState.DRAFT:
                return await _say(context, _("There is no alert no. {number}.", number=alert_id))
            changes = _changes(command, context)
            if isinstance(changes, str):
                return await _say(context, changes)
        managed = await management.manage(context, alert_id, command.kind, message.sender, changes)
        await _say(context, self._managed_text(command.kind, alert_id, managed, context))

    def _managed_text(
        self,
        kind: AlertCommandKind,
        alert_id: int,
        managed: management.Managed,
        context: Context,
    ) -> str:
        _ = context._
        if managed.outcome is Outcome.NOT_FOUND:
            return _("There is no alert no. {number}.", number=alert_id)
        assert managed.alert is not None
        if managed.outcome is Outcome.ALREADY_OVER:
            status = status_label(managed.alert.status, context.translator)
            return _(
                "Alert no. {number} is already over ({status}).", number=alert_id, status=status
            )
        if managed.outcome is Outcome.ALREADY_PAUSED:
            return _("Alert no. {number} is already paused.", number=alert_id)
        if managed.outcome is Outcome.NOT_PAUSED:
            return _("Alert no. {number} is not paused.", number=alert_id)
        if kind is AlertCommandKind.PAUSE:
            return _("Alert no. {number} paused.", number=alert_id)
        if kind is AlertCommandKind.RESUME:
            return _("Alert no. {number} resumed.", number=alert_id)
        if kind is AlertCommandKind.CANCEL:
            return _(
                "Alert no. {number} cancelled: its messages will be unpinned.", number=alert_id
            )
        lines = [_("Alert no. {number} changed:", number=alert_id)]
        return "\n".join([*lines, *self._describe(managed.alert, context)])


def _changes(command: AlertCommand, context: Context) -> AlertFields | str:
    """The fields « modifier alerte 12 ... » changes, or the text of what is wrong."""
    fields = parse_fields(command.rest.split("|"))
    if isinstance(fields, Problem):
        return fields.render(context.translator)
    if not fields:
        return context._(
            "What should change? E.g. « modifier alerte {number} quand: lundi 9h ».",
            number=command.alert_id,
        )
    interpreted = interpret_fields(fields, list(context.config.rooms.duty), context.now)
    if isinstance(interpreted, Problem):
        return interpreted.render(context.translator)
    return interpreted


async def _say(context: Context, text: str) -> None:
    await context.outbox.reply(Reply(text))
