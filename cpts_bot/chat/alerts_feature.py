"""Chat feature: territorial alerts (coordinators create and manage; everyone acknowledges).

Syntax (see docs/alerts.md)::

    alerte urgent: Canicule niveau 3 ... | quand: demain 8h | pour: tous | jusqu'au: 15 décembre
    oui / non                      confirm or drop the alert just described
    alertes                        list alerts in force
    alerte 12                      show one, with its history
    pause alerte 12 / reprendre alerte 12 / annuler alerte 12
    modifier alerte 12 quand: tous les lundis à 9h | texte: ...
    qui a lu l'alerte 12 ?
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from cpts_bot.chat.commands import Audience, Command, CommandCall, Parameter, Pattern, Topic
from cpts_bot.chat.feature import HandlerContext
from cpts_bot.chat.follow_ups import FollowUp
from cpts_bot.chat.incoming import IncomingMessage, IncomingReaction, Reply
from cpts_bot.domain.alert_schedule import (
    Schedule,
    ScheduleError,
    next_occurrence,
    parse_schedule,
    parse_until,
)
from cpts_bot.domain.text_normalizer import fold
from cpts_bot.domain.times import from_iso, to_iso
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import territorial_alerts as alerts
from cpts_bot.services.people import person_labels
from cpts_bot.services.territorial_alerts import RoomMembers
from cpts_bot.settings import RoomsConfig

LEVEL_WORDS = {
    "info": "info",
    "information": "info",
    "important": "important",
    "importante": "important",
    "urgent": "urgent",
    "urgente": "urgent",
}
FIELD_KEYS = {
    "quand": "when",
    "when": "when",
    "pour": "audience",
    "for": "audience",
    "a": "audience",
    "jusqu'au": "until",
    "jusqu'a": "until",
    "jusqu": "until",
    "until": "until",
    "fin": "until",
    "rappel": "reminder",
    "reminder": "reminder",
    "niveau": "level",
    "level": "level",
    "texte": "text",
    "text": "text",
}
ALL_WORDS = {"tous", "tout le monde", "toutes", "alertes", "all", "everyone"}
DUTY_WORDS = {"gardes", "garde", "astreintes", "astreinte", "duty"}
COORDINATION_WORDS = {"coordination", "coordinateurs", "coordinatrices"}
YES = {"oui", "o", "ok", "yes", "confirmer", "je confirme", "valider"}
NO = {"non", "no", "annuler", "abandonner"}

_LEVEL_ALT = "info|information|importante?|urgente?"
_CREATE = re.compile(
    r"^\s*!?alerte\b\s*([a-z]*)\s*:\s*(.+)$"
    rf"|^\s*!?alerte\s+({_LEVEL_ALT})\s+([^\s:].*)$",
    re.S,
)
_USAGE = re.compile(rf"^\s*!?(?:alerte|nouvelle\s+alerte)(?:\s+(?:{_LEVEL_ALT}))?\s*[?!.]*$")
_SHOW = re.compile(r"^\s*!?alerte\s+(?:n\s*[o°]?\s*)?(\d+)\s*[?.!]*\s*$")
_LIST = re.compile(r"^\s*!?(?:alertes|liste\s+des\s+alertes|alerts)\s*[?.!]*\s*$")
_MANAGE = re.compile(
    r"^\s*!?(pause|suspendre|reprendre|annuler|supprimer|arreter|modifier|changer)"
    r"\s+(?:l\s*'?\s*)?alerte\s+(?:n\s*[o°]?\s*)?(\d+)\s*(.*)$",
    re.S,
)
_WHO_READ = re.compile(
    r"^\s*(?:qui\s+a\s+lu|qui\s+a\s+vu|lecture(?:\s+de)?|lu\s+par)\s+(?:l\s*'?\s*)?alerte"
    r"\s+(?:n\s*[o°]?\s*)?(\d+)"
)
_REMINDER = re.compile(r"^(\d+)\s*(min|minutes?|mn|h|heures?)$")


@dataclass(frozen=True)
class Problem:
    """A precise error for the user: a message id and its values."""

    message_id: str
    values: dict[str, object]

    def render(self, translator: Translator) -> str:
        return translator.gettext(self.message_id, **self.values)


def _schedule_problem(error: ScheduleError) -> Problem:
    return Problem(error.message_id, {"detail": error.detail})


def parse_audience(text: str, config: RoomsConfig) -> list[str] | Problem:
    """ "tous", "gardes", "coordination", "IDE, MK" -> audience codes."""
    codes: list[str] = []
    professions = {key.lower(): key for key in config.rooms.duty}
    for raw in re.split(r"\s*(?:,|\bet\b|\+)\s*", fold(text).strip()):
        word = raw.strip(" .")
        if not word:
            continue
        if word in ALL_WORDS:
            codes.append("alerts")
        elif word in DUTY_WORDS:
            codes.append("duty")
        elif word in COORDINATION_WORDS:
            codes.append("coordination")
        elif word in professions:
            codes.append(f"profession:{professions[word]}")
        else:
            known = ", ".join(["tous", "gardes", "coordination", *config.rooms.duty])
            return Problem(
                "Unknown audience « {word} ». Choose among: {known}.", {"word": raw, "known": known}
            )
    if not codes:
        return Problem("For whom? Add « pour: tous » (or gardes, coordination, a profession).", {})
    return list(dict.fromkeys(codes))


def parse_fields(segments: list[str]) -> dict[str, str] | Problem:
    """``key: value`` segments after the alert's text."""
    fields: dict[str, str] = {}
    for segment in segments:
        segment = segment.strip()
        if not segment:
            continue
        match = re.match(r"^\s*([a-z']+)\s*(?:au|a)?\s*:\s*(.*)$", fold(segment), re.S)
        key = FIELD_KEYS.get(match.group(1)) if match else None
        if match is None or key is None:
            return Problem(
                "I do not understand « {segment} ». Use quand:, pour:, jusqu'au:,"
                " rappel:, niveau: or texte:.",
                {"segment": segment},
            )
        # Values keep the user's own spelling (accents) for the text.
        fields[key] = segment[segment.index(":") + 1 :].strip()
    return fields


@dataclass(frozen=True)
class AlertFields:
    text: str | None = None
    level: str | None = None
    audience: list[str] | None = None
    schedule: Schedule | None = None
    schedule_words: str | None = None
    expires_at: datetime | None = None
    reminder_minutes: int | None = None


def interpret_fields(
    fields: dict[str, str], config: RoomsConfig, now: datetime
) -> AlertFields | Problem:
    values: dict[str, object] = {}
    if "text" in fields:
        values["text"] = fields["text"]
    if "level" in fields:
        level = LEVEL_WORDS.get(fold(fields["level"]).strip())
        if level is None:
            return Problem(
                "Unknown level « {word} »: info, important or urgent.", {"word": fields["level"]}
            )
        values["level"] = level
    if "audience" in fields:
        audience = parse_audience(fields["audience"], config)
        if isinstance(audience, Problem):
            return audience
        values["audience"] = audience
    if "when" in fields:
        schedule = parse_schedule(fields["when"], now)
        if isinstance(schedule, ScheduleError):
            return _schedule_problem(schedule)
        values["schedule"] = schedule
        values["schedule_words"] = fields["when"]
    if "until" in fields:
        until = parse_until(fields["until"], now)
        if isinstance(until, ScheduleError):
            return _schedule_problem(until)
        values["expires_at"] = until
    if "reminder" in fields:
        match = _REMINDER.match(fold(fields["reminder"]).strip().replace(" ", ""))
        if not match:
            return Problem(
                "Reminder delay not understood « {word} »: e.g. « rappel: 30 min ».",
                {"word": fields["reminder"]},
            )
        amount = int(match.group(1))
        values["reminder_minutes"] = amount * 60 if match.group(2).startswith("h") else amount
    return AlertFields(**values)  # type: ignore[arg-type]


class AlertsFeature:
    """Territorial alerts by chat."""

    name = "alerts"
    help_topic = Topic.ALERTS

    def __init__(self, members: RoomMembers | None = None) -> None:
        self.members = members

    def commands(self) -> list[Command]:
        """The alert commands, declared (coordinators only)."""

        def declared(
            name: str,
            regex: re.Pattern[str],
            handler: Any,
            help_text: str,
            examples: tuple[str, ...],
            priority: int,
        ) -> Command:
            # Only the words of the first example start every message: published alone.
            published = name in ("alerte", "alertes", "nouvelle alerte")
            return Command(
                name=name,
                phrase=Pattern(regex),
                handler=handler,
                help=help_text,
                examples=examples,
                topic=Topic.ALERTS,
                audience=Audience.COORDINATOR,
                priority=priority,
                published=published,
                parameters=(
                    (Parameter("alert", "string", N_("the alert and its fields")),)
                    if name == "alerte"
                    else ()
                ),
            )

        async def create(call: CommandCall) -> None:
            await self._create(call.message, call.context, call.value)

        async def usage(call: CommandCall) -> None:
            await self._reply(
                call.context,
                call._(
                    "Write the alert on one line, for example: « alerte urgent: Canicule niveau 3 |"
                    " quand: demain 8h | pour: tous | jusqu'au: 15 décembre »."
                ),
            )

        async def listing(call: CommandCall) -> None:
            await self._list(call.context)

        async def show(call: CommandCall) -> None:
            await self._show(call.context, int(call.value.group(1)))

        async def who_read(call: CommandCall) -> None:
            await self._who_read(call.context, int(call.value.group(1)))

        async def manage(call: CommandCall) -> None:
            await self._manage(call.message, call.context, call.value)

        return [
            declared(
                "alerte",
                _CREATE,
                create,
                N_("create an alert"),
                (N_("alerte urgent: Canicule niveau 3 | quand: demain 8h | pour: tous"),),
                80,
            ),
            declared(
                "nouvelle alerte",
                _USAGE,
                usage,
                N_("how to write an alert"),
                (N_("nouvelle alerte"),),
                85,
            ),
            declared("alertes", _LIST, listing, N_("the alerts in force"), (N_("alertes"),), 81),
            declared(
                "voir alerte", _SHOW, show, N_("one alert and its history"), (N_("alerte 12"),), 82
            ),
            declared(
                "gerer alerte",
                _MANAGE,
                manage,
                N_("pause, resume, cancel or change an alert"),
                (
                    N_("pause alerte 12"),
                    N_("reprendre alerte 12"),
                    N_("annuler alerte 12"),
                    N_("modifier alerte 12 quand: lundi 9h"),
                ),
                83,
            ),
            declared(
                "qui a lu",
                _WHO_READ,
                who_read,
                N_("who acknowledged an alert"),
                (N_("qui a lu l'alerte 12 ?"),),
                84,
            ),
        ]

    async def handle_message(self, message: IncomingMessage, context: HandlerContext) -> bool:
        """« oui » / « non »: the confirmation the last alert described is waiting for."""
        answer = fold(message.body).strip().strip(" !.")
        if context.is_coordinator(message.sender) and answer in YES | NO:
            return await self._confirm(message, context, answer in YES)
        return False

    async def _reply(self, context: HandlerContext, text: str, html: str | None = None) -> bool:
        await context.outbox.reply(Reply(text, html=html))
        return True

    async def _create(
        self, message: IncomingMessage, context: HandlerContext, match: re.Match[str]
    ) -> bool:
        _ = context._
        text_group = 2 if match.group(2) is not None else 4
        level_word = match.group(1) if text_group == 2 else match.group(3)
        level = LEVEL_WORDS.get(level_word or "info")
        if level is None:
            return await self._reply(
                context, _("Unknown level « {word} »: info, important or urgent.", word=level_word)
            )
        # Cut on the original text (same positions) so the alert keeps its accents.
        original = message.body[match.start(text_group) :]
        text, *segments = original.split("|")
        if not text.strip():
            return await self._reply(context, _("The alert has no text."))
        fields = parse_fields(segments)
        if isinstance(fields, Problem):
            return await self._reply(context, fields.render(context.translator))
        fields.setdefault("when", "maintenant")
        fields.setdefault("audience", "tous")
        interpreted = interpret_fields(fields, context.config, context.now)
        if isinstance(interpreted, Problem):
            return await self._reply(context, interpreted.render(context.translator))
        if "level" in fields and interpreted.level:
            level = interpreted.level
        assert interpreted.schedule is not None and interpreted.audience is not None
        if not alerts.audience_rooms(interpreted.audience, context.config):
            return await self._reply(context, _("No room is configured for this audience."))
        if (
            interpreted.expires_at
            and interpreted.schedule.kind == "once"
            and (interpreted.schedule.at and interpreted.schedule.at >= interpreted.expires_at)
        ):
            return await self._reply(context, _("The alert would end before it is posted."))
        alert_id = await alerts.create_draft(
            context.db,
            text=text.strip(),
            level=level,
            audience=interpreted.audience,
            schedule=interpreted.schedule,
            schedule_words=interpreted.schedule_words or "",
            expires_at=interpreted.expires_at,
            reminder_minutes=interpreted.reminder_minutes,
            created_by=message.sender,
            room_id=message.room_id,
            now=context.now,
        )
        alert = await alerts.get_alert(context.db, alert_id)
        assert alert is not None
        lines = [
            _("Alert no. {number} to confirm:", number=alert_id),
            *self._describe(alert, context.translator, context.now, self._rooms(alert, context)),
            _("Reply « oui » to confirm, « non » to drop it."),
        ]
        return await self._reply(context, "\n".join(lines))

    def _rooms(self, alert: alerts.Alert, context: HandlerContext) -> str:
        """The target rooms by name (« Alertes Lyon 8 »), as the bot knows them."""
        namer = getattr(self.members, "room_name", None)
        names = [
            (namer(room) if namer else None) or room
            for room in alerts.audience_rooms(alert.audience, context.config)
        ]
        if not names:
            return context._("no room configured")
        return ", ".join(f"« {name} »" for name in names)

    def _describe(
        self, alert: alerts.Alert, translator: Translator, now: datetime, rooms: str
    ) -> list[str]:
        _ = translator.gettext
        marker = alerts.MARKERS[alert.level]
        title = f"{marker} {alerts.level_title(alert.level, translator)}".strip()
        lines = [
            f"{title} — {alert.text}",
            _("When: {when}", when=alerts.describe_schedule(alert.schedule, translator)),
        ]
        if alert.schedule.recurring:
            upcoming = next_occurrence(alert.schedule, max(now, alert.last_scheduled_for or now))
            if upcoming and (alert.expires_at is None or upcoming < alert.expires_at):
                lines.append(_("Next: {when}", when=alerts.format_moment(upcoming, translator)))
        lines.append(
            _(
                "For: {audience} ({rooms})",
                audience=alerts.describe_audience(alert.audience, translator),
                rooms=rooms,
            )
        )
        if alert.expires_at:
            lines.append(
                _("Until: {when}", when=alerts.format_moment(alert.expires_at, translator))
            )
        if alert.reminder_minutes:
            lines.append(
                _(
                    "Reminder to those who have not acknowledged after {minutes} min",
                    minutes=alert.reminder_minutes,
                )
            )
        return lines

    async def _confirm(self, message: IncomingMessage, context: HandlerContext, yes: bool) -> bool:
        draft = await alerts.pending_draft(context.db, message.sender, message.room_id, context.now)
        if draft is None:
            return False
        _ = context._
        if not yes:
            await alerts.set_status(
                context.db, draft, "cancelled", message.sender, context.now, "dropped"
            )
            return await self._reply(context, _("Alert no. {number} dropped.", number=draft.id))
        # A one-off "maintenant" alert confirmed later is posted at confirmation.
        await alerts.set_status(
            context.db, draft, "active", message.sender, context.now, "confirmed"
        )
        if draft.schedule.kind == "once" and draft.schedule.at and draft.schedule.at < context.now:
            await context.db.execute(
                "UPDATE alerts SET schedule = ?, last_scheduled_for = ?, starts_at = ?"
                " WHERE id = ?",
                (
                    Schedule("once", at=context.now).spec,
                    None,
                    to_iso(context.now - timedelta(seconds=1)),
                    draft.id,
                ),
            )
        return await self._reply(
            context,
            _("Alert no. {number} confirmed: it will be posted as planned.", number=draft.id),
        )

    async def _show(self, context: HandlerContext, alert_id: int) -> bool:
        _ = context._
        alert = await alerts.get_alert(context.db, alert_id)
        if alert is None:
            return await self._reply(context, _("There is no alert no. {number}.", number=alert_id))
        lines = [
            _(
                "Alert no. {number} ({status})",
                number=alert.id,
                status=_status(alert.status, context.translator),
            ),
            *self._describe(alert, context.translator, context.now, self._rooms(alert, context)),
        ]
        for row in await alerts.alert_history(context.db, alert_id):
            lines.append(
                f"· {alerts.format_moment(from_iso(row['at']), context.translator)}"
                f" — {row['actor']} — {row['action']}"
            )
        return await self._reply(context, "\n".join(lines))

    async def _list(self, context: HandlerContext) -> bool:
        _ = context._
        found = await alerts.list_alerts(context.db)
        if not found:
            return await self._reply(context, _("No alert in force."))
        lines = [_("Alerts in force: {count}", count=len(found))]
        for alert in found:
            marker = alerts.MARKERS[alert.level] or "·"
            when = alerts.describe_schedule(alert.schedule, context.translator)
            paused = (
                f" ({_status('paused', context.translator)})" if (alert.status == "paused") else ""
            )
            lines.append(f"{marker} {alert.id}. {alert.text[:60]} — {when}{paused}")
        return await self._reply(context, "\n".join(lines))

    async def _who_read(self, context: HandlerContext, alert_id: int) -> bool:
        _ = context._
        alert = await alerts.get_alert(context.db, alert_id)
        if alert is None:
            return await self._reply(context, _("There is no alert no. {number}.", number=alert_id))
        firing_id = await alerts.latest_firing(context.db, alert_id)
        if firing_id is None:
            return await self._reply(
                context, _("Alert no. {number} has not been posted yet.", number=alert_id)
            )
        report = await alerts.acknowledgement_report(
            context.db, firing_id, self.members, context.bot_user_id, exclude=alert.created_by
        )
        done = [user for user, _at in report.acknowledged]
        when = alerts.format_moment(report.fired_at, context.translator)
        if report.members_known:
            total = len(done) + len(report.pending)
            lines = [
                _(
                    "Alert no. {number} (posted {when}): acknowledged by {done} of {total}.",
                    number=alert_id,
                    when=when,
                    done=len(done),
                    total=total,
                )
            ]
        else:
            lines = [
                _(
                    "Alert no. {number} (posted {when}): acknowledged by {done}.",
                    number=alert_id,
                    when=when,
                    done=len(done),
                )
            ]
        translator = context.translator
        if done:
            lines.append("✅ " + ", ".join(await person_labels(context.db, done, translator)))
        if report.pending:
            pending = await person_labels(context.db, report.pending, translator)
            lines.append("⏳ " + ", ".join(pending))
        return await self._reply(context, "\n".join(lines))

    async def _manage(
        self, message: IncomingMessage, context: HandlerContext, match: re.Match[str]
    ) -> bool:
        _ = context._
        verb, alert_id = match.group(1), int(match.group(2))
        alert = await alerts.get_alert(context.db, alert_id)
        if alert is None or alert.status == "draft":
            return await self._reply(context, _("There is no alert no. {number}.", number=alert_id))
        # A posted one-off alert ("finished") stays in force, pinned, until it ends: it
        # can still be cancelled, which takes its posts down.
        cancel = verb in ("annuler", "supprimer", "arreter")
        over = ("cancelled", "expired") if cancel else ("cancelled", "finished", "expired")
        if alert.status in over and verb != "modifier":
            return await self._reply(
                context,
                _(
                    "Alert no. {number} is already over ({status}).",
                    number=alert_id,
                    status=_status(alert.status, context.translator),
                ),
            )
        if verb in ("pause", "suspendre"):
            if alert.status == "paused":
                return await self._reply(
                    context, _("Alert no. {number} is already paused.", number=alert_id)
                )
            await alerts.set_status(
                context.db, alert, "paused", message.sender, context.now, "paused"
            )
            return await self._reply(context, _("Alert no. {number} paused.", number=alert_id))
        if verb == "reprendre":
            if alert.status != "paused":
                return await self._reply(
                    context, _("Alert no. {number} is not paused.", number=alert_id)
                )
            await alerts.set_status(
                context.db, alert, "active", message.sender, context.now, "resumed"
            )
            return await self._reply(context, _("Alert no. {number} resumed.", number=alert_id))
        if cancel:
            await alerts.set_status(
                context.db, alert, "cancelled", message.sender, context.now, "cancelled"
            )
            return await self._reply(
                context,
                _("Alert no. {number} cancelled: its messages will be unpinned.", number=alert_id),
            )
        # modifier / changer: "modifier alerte 12 quand: ... | texte: ..."
        original = message.body
        rest = original[len(original) - len(match.group(3)) :] if match.group(3) else ""
        fields = parse_fields(rest.split("|"))
        if isinstance(fields, Problem):
            return await self._reply(context, fields.render(context.translator))
        if not fields:
            return await self._reply(
                context,
                _(
                    "What should change? E.g. « modifier alerte {number} quand: lundi 9h ».",
                    number=alert_id,
                ),
            )
        interpreted = interpret_fields(fields, context.config, context.now)
        if isinstance(interpreted, Problem):
            return await self._reply(context, interpreted.render(context.translator))
        changes: dict[str, object] = {}
        if interpreted.text is not None:
            changes["text"] = interpreted.text
        if interpreted.level is not None:
            changes["level"] = interpreted.level
        if interpreted.audience is not None:
            changes["audience"] = json.dumps(interpreted.audience)
        if interpreted.schedule is not None:
            changes["schedule"] = interpreted.schedule.spec
            changes["schedule_words"] = interpreted.schedule_words
        if interpreted.expires_at is not None:
            changes["expires_at"] = to_iso(interpreted.expires_at)
        if interpreted.reminder_minutes is not None:
            changes["reminder_minutes"] = interpreted.reminder_minutes
        await alerts.update_fields(context.db, alert, changes, message.sender, context.now)
        if alert.status in ("finished", "expired") and interpreted.schedule is not None:
            await alerts.set_status(
                context.db, alert, "active", message.sender, context.now, "reactivated"
            )
        updated = await alerts.get_alert(context.db, alert_id)
        assert updated is not None
        lines = [
            _("Alert no. {number} changed:", number=alert_id),
            *self._describe(
                updated, context.translator, context.now, self._rooms(updated, context)
            ),
        ]
        return await self._reply(context, "\n".join(lines))

    # ------------------------------------------------------------------ acknowledgements

    def follow_up(self) -> FollowUp:
        """Replies and reactions to the alert posts (correlated ``alert:``) acknowledge."""

        async def on_message(message: IncomingMessage, context: HandlerContext, _c: str) -> bool:
            return await self._acknowledgement_by_reply(message, context)

        async def on_reaction(reaction: IncomingReaction, context: HandlerContext, _c: str) -> bool:
            return await self.handle_reaction(reaction, context)

        return FollowUp(
            "alert:",
            on_message,
            on_reaction,
            help=N_("acknowledge an alert: react to it (or reply to it)"),
            examples=(N_("👍"),),
            topic=Topic.ALERTS,
            priority=36,
        )

    async def _acknowledgement_by_reply(
        self, message: IncomingMessage, context: HandlerContext
    ) -> bool:
        for parent in (message.reply_to, message.thread_root):
            if parent:
                firing_id = await alerts.firing_of_event(context.db, message.room_id, parent)
                if firing_id is not None:
                    if message.sender != context.bot_user_id:
                        await alerts.acknowledge(
                            context.db, firing_id, message.sender, message.timestamp, "reply"
                        )
                    return True
        return False

    async def handle_reaction(self, reaction: IncomingReaction, context: HandlerContext) -> bool:
        firing_id = await alerts.firing_of_event(context.db, reaction.room_id, reaction.reacts_to)
        if firing_id is None:
            return False
        if reaction.sender != context.bot_user_id:
            await alerts.acknowledge(
                context.db, firing_id, reaction.sender, reaction.timestamp, "reaction"
            )
        return True

    async def on_sent(
        self, db: aiosqlite.Connection, correlation: str, room_id: str, event_id: str
    ) -> bool:
        """Map a sent alert post to its firing (see :func:`alerts.on_sent`)."""
        return await alerts.on_sent(db, correlation, room_id, event_id)


def _status(status: str, translator: Translator) -> str:
    _ = translator.gettext
    return {
        "draft": _("alert status: to confirm"),
        "active": _("alert status: active"),
        "paused": _("alert status: paused"),
        "cancelled": _("alert status: cancelled"),
        "finished": _("alert status: done"),
        "expired": _("alert status: expired"),
    }.get(status, status)
