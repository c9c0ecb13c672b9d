"""Composition root: builds every layer and runs the bot until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial

from nio import AsyncClient

from cpts_bot.chat.command_descriptions import EVENT_TYPE as COMMANDS_EVENT_TYPE
from cpts_bot.chat.command_descriptions import describe
from cpts_bot.chat.command_dispatch import Declared
from cpts_bot.chat.command_router import CommandRouter
from cpts_bot.chat.feature import ChatFeature
from cpts_bot.core.vocabulary_extension import load_cpts_vocabulary
from cpts_bot.features.alerts.acknowledgement_service import on_sent as alerts_on_sent
from cpts_bot.features.alerts.audience_service import RoomMembers
from cpts_bot.features.alerts.chat import AlertsFeature
from cpts_bot.features.alerts.pins_service import PIN_CORRELATION_PREFIX, on_pin_failed
from cpts_bot.features.alerts.posting_service import run_due_alerts
from cpts_bot.features.alerts.run_service import AlertSettings
from cpts_bot.features.card.chat import CardFeature
from cpts_bot.features.cover.chat import ShiftSwapFeature
from cpts_bot.features.cover.texts_service import PREFIX as SWAP_PREFIX
from cpts_bot.features.cover.texts_service import on_sent as swap_on_sent
from cpts_bot.features.directory.chat import DirectoryFeature
from cpts_bot.features.directory.commands import directory_commands
from cpts_bot.features.directory.index_provider_service import DatabaseIndexProvider
from cpts_bot.features.directory.territory_chat import TERRITORY_COMMANDS
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.directory_service import DirectoryProfessionalLookup
from cpts_bot.features.dispatch.escalation_service import on_sent as dispatch_on_sent
from cpts_bot.features.handoff.chat import HandoffFeature
from cpts_bot.features.handoff.service import on_sent as handoff_on_sent
from cpts_bot.features.medecin_traitant.chat import MedecinTraitantFeature
from cpts_bot.features.medecin_traitant.gp_offers_service import on_sent as medecin_traitant_on_sent
from cpts_bot.features.reports.chat import REPORT_COMMANDS
from cpts_bot.features.reports.request_tracking_service import RecentQuestions
from cpts_bot.features.rota.chat import RotaFeature
from cpts_bot.features.rota.duty_fill_commands import duty_fill_commands
from cpts_bot.features.rota.duty_reminder_commands import DUTY_REMINDER_COMMANDS
from cpts_bot.features.rota.duty_reminders_service import DutyReminders
from cpts_bot.features.trust.chat import TRUST_COMMANDS
from cpts_bot.i18n import Translator
from cpts_bot.matrix.client_factory import create_client
from cpts_bot.matrix.command_state import CommandStatePublisher
from cpts_bot.matrix.cross_signing import CrossSigningStatus
from cpts_bot.matrix.direct_chats_ahead import DirectChatsAhead
from cpts_bot.matrix.late_decryption import decrypt_stored_event
from cpts_bot.matrix.matrix_chat_gateway import (
    FailedListener,
    MatrixChatGateway,
    SentListener,
)
from cpts_bot.matrix.nio_responses import record_rate_limits
from cpts_bot.matrix.room_aliases import resolve_room_aliases
from cpts_bot.matrix.room_members import NioRoomMembers
from cpts_bot.matrix.room_powers_check import room_findings
from cpts_bot.matrix.sender_trust import SenderTrustGate
from cpts_bot.matrix.sync_loop import SyncLoop
from cpts_bot.matrix.token_login import cross_sign_or_warn
from cpts_bot.matrix.typing_indicator import TypingIndicator
from cpts_bot.reporting.publish_monthly_report import publish_monthly_report_if_due
from cpts_bot.scheduling.periodic_jobs import JobRunner, PeriodicJob, start_scheduler
from cpts_bot.services.context import Context
from cpts_bot.services.data_minimisation import (
    ERASE_DETAILS_EVERY_SECONDS,
    RETENTION_EVERY_SECONDS,
    apply_retention_policy,
    erase_expired_details,
)
from cpts_bot.services.delivery_reports import report_stuck, watch_queue
from cpts_bot.services.room_powers_report import monitored_rooms, report_room_powers
from cpts_bot.settings import BotSettings, RoomsConfig
from cpts_bot.storage import bot_status
from cpts_bot.storage.database import Database
from cpts_bot.storage.file_modes import restrict_tree

log = logging.getLogger("cpts_bot")

# The longest the sync loop waits for the answers to what it stored before its next
# long poll: a sync served beside an answer's send slows that send on the homeserver.
ANSWERS_SENT_AT_MOST_S = 1.0


async def answers_sent(router: CommandRouter, gateway: MatrixChatGateway) -> None:
    """Until every stored event is handled and the answers queued are sent (or failed,
    to be retried later), at most ``ANSWERS_SENT_AT_MOST_S``."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(ANSWERS_SENT_AT_MOST_S):
            await router.idle.wait()
            await gateway.answers_out.wait()


@dataclass
class Features:
    """The chat features (their declared commands and follow-ups; their order does not
    matter), and what runs before each event."""

    chat: list[ChatFeature]
    before_event: list[Callable[[], Awaitable[None]]]
    directory_index: DatabaseIndexProvider
    jobs: list[PeriodicJob] = field(default_factory=list)
    sent_listeners: list[tuple[str, SentListener]] = field(default_factory=list)
    failure_listeners: list[tuple[str, FailedListener]] = field(default_factory=list)


def build_features(
    database: Database, config: RoomsConfig, members: RoomMembers | None = None
) -> Features:
    vocabulary = load_cpts_vocabulary(config.vocabulary_file)
    directory_index = DatabaseIndexProvider(database, vocabulary)
    lookup = DirectoryProfessionalLookup()
    dispatch = DispatchFeature(lookup)
    swaps = ShiftSwapFeature(lookup)
    medecin_traitant = MedecinTraitantFeature(lookup, on_card_changed=directory_index.mark_dirty)
    alert_settings = AlertSettings(
        grace=timedelta(minutes=config.alerts.grace_minutes),
        default_in_force=timedelta(hours=config.alerts.default_in_force_hours),
        check_every=timedelta(seconds=config.alerts.check_seconds),
        snooze=timedelta(minutes=config.alerts.snooze_minutes),
    )
    # Tracking: the directory's last question per person, for "coordination" after it.
    recent_questions = RecentQuestions()
    alerts = AlertsFeature(members=members, settings=alert_settings)
    directory = DirectoryFeature(directory_index, vocabulary, recent_questions=recent_questions)
    # Each feature declares its commands and follow-ups (with what waits for a person's
    # answer); the router matches them by specificity, so the order of this list does not
    # matter. No feature routes itself.
    chat: list[ChatFeature] = [
        Declared(TRUST_COMMANDS),
        Declared(REPORT_COMMANDS),
        Declared(TERRITORY_COMMANDS),
        Declared(DUTY_REMINDER_COMMANDS),
        Declared(duty_fill_commands(lookup)),
        alerts,
        medecin_traitant,
        dispatch,
        swaps,
        HandoffFeature(recent_questions),
        RotaFeature(lookup),
        CardFeature(vocabulary=vocabulary, on_card_changed=directory_index.mark_dirty),
        Declared(tuple(directory_commands(directory))),
    ]
    jobs = [PeriodicJob("directory-version", 30, lambda _: directory_index.check_version())]
    every = config.dispatch.check_every_seconds
    jobs.append(PeriodicJob("dispatch-deadlines", every, dispatch.run_due_steps))
    jobs.append(PeriodicJob("swap-deadlines", config.swaps.check_every_seconds, swaps.run_due))
    reminders_every = config.duty_reminders.check_every_seconds
    jobs.append(PeriodicJob("duty-reminders", reminders_every, DutyReminders(lookup).run_due))
    mt_every = config.medecin_traitant.check_every_seconds
    jobs.append(PeriodicJob("medecin-traitant", mt_every, medecin_traitant.run_due))

    async def alerts_job(context: Context) -> None:
        await run_due_alerts(
            context,
            context.now,
            members=members,
            settings=alert_settings,
            bot_user_id=context.bot_user_id,
        )

    jobs.append(PeriodicJob("alerts", config.alerts.check_seconds, alerts_job))
    jobs.append(PeriodicJob("monthly-report", 300, publish_monthly_report_if_due))
    jobs.append(
        PeriodicJob(
            "erase-details", ERASE_DETAILS_EVERY_SECONDS, erase_expired_details, checkpoint=True
        )
    )
    jobs.append(
        PeriodicJob("retention", RETENTION_EVERY_SECONDS, apply_retention_policy, checkpoint=True)
    )
    listeners: list[tuple[str, SentListener]] = [
        ("dispatch:", dispatch_on_sent),
        ("alert:", alerts_on_sent),
        ("handoff:", handoff_on_sent),
        ("medtrait:", medecin_traitant_on_sent),
        (SWAP_PREFIX, swap_on_sent),
    ]
    failures: list[tuple[str, FailedListener]] = [
        (PIN_CORRELATION_PREFIX, partial(on_pin_failed, default_language=config.language))
    ]
    return Features(
        chat, [directory_index.refresh_if_dirty], directory_index, jobs, listeners, failures
    )


@dataclass
class BotApp:
    """The running bot: database, Matrix client, sync loop, router, outbox sender."""

    settings: BotSettings
    config: RoomsConfig
    database: Database | None = None
    client: AsyncClient | None = None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    recovery_key: str | None = None
    synced: asyncio.Event = field(default_factory=asyncio.Event)
    router: CommandRouter | None = None
    gateway: MatrixChatGateway | None = None
    _power_check: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Run until :meth:`stop` (or a signal) and leave the device logged in."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.database = await Database.open(self.settings.database_path)
        try:
            # A stop asked while the homeserver is still unreachable (matrix-nio retries
            # the login for ever) ends the start-up instead of waiting for it.
            if not await self._unless_stopped(self._start(self.database)):
                log.info("stop asked before the bot could log in")
                return
            assert self.client is not None
            await self._serve(self.client, self.database)
        finally:
            if self.client is not None:
                await self.client.close()
            await self.database.close()
            log.info("stopped")

    async def _start(self, database: Database) -> None:
        """Log in (or restore the device), cross-sign it, record who the bot is."""
        self.client = await create_client(self.settings)
        record_rate_limits(self.client, database)
        # Before the first sync: what is exchanged before the device is cross-signed
        # stays undecryptable for clients that exclude insecure devices.
        status = await cross_sign_or_warn(self.client, self.settings, self.settings.data_dir)
        if status is not None and status.recovery_key:
            self.recovery_key = status.recovery_key
        await record_identity(database, self.client, status)
        loose = restrict_tree(self.settings.data_dir)
        if loose:
            log.warning("data directory made private", extra={"paths": len(loose)})

    async def _unless_stopped(self, work: Awaitable[None]) -> bool:
        """Run ``work`` unless :meth:`stop` comes first (then cancel it): True when it
        finished."""
        task = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self.stop_event.wait())
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if task.done():
            task.result()
            return True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False

    async def _serve(self, client: AsyncClient, database: Database) -> None:
        self.config = await resolve_room_aliases(client, self.config)
        gate = SenderTrustGate(database, self.settings.trust_policy, self.config, client.user_id)
        typing = TypingIndicator(client)
        gateway = MatrixChatGateway(client, database, self.synced, gate=gate)
        features = build_features(database, self.config, NioRoomMembers(client))
        await features.directory_index.refresh()
        router = CommandRouter(
            database,
            self.config,
            client.user_id,
            features.chat,
            before_event=features.before_event,
            on_outbox=gateway.wake,
            decryptor=lambda row: decrypt_stored_event(client, row, gate),
            typing=typing.set,
        )
        self.router, self.gateway = router, gateway
        descriptions = describe(
            router.commands.commands, Translator(self.config.language), client.user_id
        )
        publisher = CommandStatePublisher(
            client,
            COMMANDS_EVENT_TYPE,
            [(d.state_key, d.content) for d in descriptions],
            before_put=gateway.throttle.quiet,
        )
        for prefix, listener in features.sent_listeners:
            gateway.on_sent(prefix, listener)
        for prefix, failed in features.failure_listeners:
            gateway.on_failed(prefix, failed)
        gateway.when_stuck(
            partial(report_stuck, self.config),
            timedelta(minutes=self.settings.delivery_stuck_minutes),
        )
        gateway.watch_queue(partial(watch_queue, self.config))
        scheduler = start_scheduler(
            JobRunner(database, self.config, client.user_id, gateway.wake), features.jobs
        )
        sync = SyncLoop(
            client,
            database,
            may_invite=self.config.is_allowed,
            on_events=router.wake,
            on_first_sync=self._on_ready,
            gate=gate,
            settle=partial(answers_sent, router, gateway),
        )
        tasks = [
            asyncio.create_task(sync.run(self.stop_event), name="sync"),
            asyncio.create_task(router.run(self.stop_event), name="router"),
            asyncio.create_task(gateway.run(self.stop_event), name="outbox"),
            asyncio.create_task(publisher.run(self.synced, self.stop_event), name="commands"),
        ]
        if self.settings.prepare_direct_chats:
            ahead = DirectChatsAhead(
                database,
                gateway.direct_room,
                gateway.throttle.quiet,
                self.config.is_allowed,
                share_keys=gateway.share_keys_ahead,
            )
            tasks.append(asyncio.create_task(ahead.run(self.synced, self.stop_event)))
        stopper = asyncio.create_task(self.stop_event.wait())
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        self.stop_event.set()
        scheduler.shutdown(wait=False)
        if self._power_check is not None:
            tasks.append(self._power_check)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for task in done:
            if task is not stopper and task.exception():
                raise task.exception()  # type: ignore[misc]

    def _on_ready(self) -> None:
        assert self.client is not None and self.gateway is not None
        self.synced.set()
        log.info(
            "ready: logged in, synced, listening",
            extra={
                "user_id": self.client.user_id,
                "device_id": self.client.device_id,
                "rooms": len(self.client.rooms),
            },
        )
        self._power_check = asyncio.create_task(self._check_room_powers())
        self.ready.set()

    async def _check_room_powers(self) -> None:
        """Warn the coordination room of what the bot cannot do in its alert and duty
        rooms (once per start, after the first sync has joined them)."""
        assert self.client is not None and self.database is not None and self.gateway
        try:
            findings = await room_findings(self.client, monitored_rooms(self.config))
            await report_room_powers(self.database, self.config, findings, datetime.now(UTC))
        except Exception:
            log.exception("room power check failed")
            return
        log.info(
            "room powers checked",
            extra={"rooms": len(findings), "problems": sum(f.has_problem for f in findings)},
        )
        self.gateway.wake()

    def stop(self) -> None:
        self.stop_event.set()


async def record_identity(
    database: Database, client: AsyncClient, status: CrossSigningStatus
) -> None:
    """Device and cross-signing state, for ``cpts-bot status``."""
    if status.waiting_for:
        cross_signing = f"device not signed: {status.waiting_for}"
    elif status.enabled:
        cross_signing = f"device signed, master key {status.master_key}"
    else:
        cross_signing = "disabled (CPTS_CROSS_SIGNING=false)"
    async with database.transaction() as db:
        await bot_status.record(
            db,
            {
                bot_status.DEVICE_ID: client.device_id or "",
                bot_status.USER_ID: client.user_id,
                bot_status.CROSS_SIGNING: cross_signing,
            },
            datetime.now(UTC),
        )


async def run_bot(settings: BotSettings, config: RoomsConfig) -> None:
    """Run the bot with SIGTERM/SIGINT handled as a clean stop (no logout)."""
    app = BotApp(settings, config)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, app.stop)
    await app.run()
