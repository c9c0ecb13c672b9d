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
from cpts_bot.chat.feature import ChatFeature
from cpts_bot.chat.feature_manifest import FailedHook, FeatureManifest, SentHook, prefix_clashes
from cpts_bot.core.vocabulary_extension import load_cpts_vocabulary
from cpts_bot.features.alerts import manifest as alerts
from cpts_bot.features.alerts.audience_service import RoomMembers
from cpts_bot.features.card import manifest as card
from cpts_bot.features.cover import manifest as cover
from cpts_bot.features.directory import manifest as directory
from cpts_bot.features.directory.index_provider_service import DatabaseIndexProvider
from cpts_bot.features.dispatch import manifest as dispatch
from cpts_bot.features.dispatch.directory_service import DirectoryProfessionalLookup
from cpts_bot.features.handoff import manifest as handoff
from cpts_bot.features.medecin_traitant import manifest as medecin_traitant
from cpts_bot.features.reports import manifest as reports
from cpts_bot.features.reports.request_tracking_service import RecentQuestions
from cpts_bot.features.rota import manifest as rota
from cpts_bot.features.trust import manifest as trust
from cpts_bot.i18n import Translator
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.matrix.client_factory import create_client
from cpts_bot.matrix.command_state import CommandStatePublisher
from cpts_bot.matrix.cross_signing import CrossSigningStatus
from cpts_bot.matrix.direct_chats_ahead import DirectChatsAhead
from cpts_bot.matrix.late_decryption import decrypt_stored_event
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.matrix.nio_responses import record_rate_limits
from cpts_bot.matrix.room_aliases import resolve_room_aliases
from cpts_bot.matrix.room_members import NioRoomMembers
from cpts_bot.matrix.room_powers_check import room_findings
from cpts_bot.matrix.sender_trust import TRUST_CHANGED, TRUST_NOTICE, SenderTrustGate
from cpts_bot.matrix.sync_loop import SyncLoop
from cpts_bot.matrix.token_login import cross_sign_or_warn
from cpts_bot.matrix.typing_indicator import TypingIndicator
from cpts_bot.scheduling.periodic_jobs import JobRunner, start_scheduler
from cpts_bot.services.data_minimisation import (
    ERASE_DETAILS_EVERY_SECONDS,
    RETENTION_EVERY_SECONDS,
    apply_retention_policy,
    erase_expired_details,
)
from cpts_bot.services.delivery_reports import report_stuck, watch_queue
from cpts_bot.services.direct_chat_welcome import queue_welcomes
from cpts_bot.services.feature_setup import FeatureSetup
from cpts_bot.services.periodic_job import PeriodicJob
from cpts_bot.services.room_powers_report import monitored_rooms, report_room_powers
from cpts_bot.settings import BotSettings, RoomsConfig
from cpts_bot.storage import bot_status
from cpts_bot.storage.database import Database
from cpts_bot.storage.direct_chat_welcomes import chats_to_welcome
from cpts_bot.storage.file_modes import restrict_tree
from cpts_bot.storage.outbox_delivery import STUCK
from cpts_bot.storage.pinned_identities import UNDECRYPTABLE

log = logging.getLogger("cpts_bot")

# The longest the sync loop waits for the answers to what it stored before its next
# long poll: a sync served beside an answer's send slows that send on the homeserver.
ANSWERS_SENT_AT_MOST_S = 1.0


async def welcome_joined(
    database: Database, config: RoomsConfig, gateway: MatrixChatGateway
) -> int:
    """Welcome the people who joined a direct chat opened for them and never used
    (services/direct_chat_welcome.py); how many."""
    chats = await chats_to_welcome(database)
    if not chats:
        return 0
    welcomed = await queue_welcomes(database, config, gateway.joined(chats), datetime.now(UTC))
    if welcomed:
        gateway.wake()
    return welcomed


async def answers_sent(router: CommandRouter, gateway: MatrixChatGateway) -> None:
    """Until every stored event is handled and the answers queued are sent (or failed,
    to be retried later), at most ``ANSWERS_SENT_AT_MOST_S``."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(ANSWERS_SENT_AT_MOST_S):
            await router.idle.wait()
            await gateway.answers_out.wait()


# The kernel's own jobs (data minimisation, whatever the features) and the prefixes of
# what the shared layers key: a stopped destination's report, the trust messages, the
# daily « I could not decrypt » notice.
KERNEL = FeatureManifest(
    "kernel",
    correlation_prefixes=(STUCK, TRUST_CHANGED, TRUST_NOTICE, UNDECRYPTABLE),
    jobs=(
        PeriodicJob(
            "erase-details", ERASE_DETAILS_EVERY_SECONDS, erase_expired_details, checkpoint=True
        ),
        PeriodicJob("retention", RETENTION_EVERY_SECONDS, apply_retention_policy, checkpoint=True),
    ),
)


# Every feature of the bot, each declared once in its folder's manifest (its commands,
# follow-ups, jobs, hooks on sent messages and correlation prefixes). Their order does
# not matter: the router matches declarations by specificity.
MANIFESTS: tuple[Callable[[FeatureSetup], FeatureManifest], ...] = (
    directory.manifest,
    card.manifest,
    dispatch.manifest,
    cover.manifest,
    rota.manifest,
    alerts.manifest,
    handoff.manifest,
    medecin_traitant.manifest,
    reports.manifest,
    trust.manifest,
    lambda _setup: KERNEL,
)


@dataclass
class Features:
    """What the manifests declare, as the router, the scheduler and the outbox take it."""

    manifests: list[FeatureManifest]
    directory_index: DatabaseIndexProvider

    @property
    def chat(self) -> list[ChatFeature]:
        """One declared feature per manifest (its commands and follow-ups)."""
        return [manifest.routes() for manifest in self.manifests]

    @property
    def before_event(self) -> list[Callable[[], Awaitable[None]]]:
        return [hook for manifest in self.manifests for hook in manifest.before_event]

    @property
    def jobs(self) -> list[PeriodicJob]:
        return [job for manifest in self.manifests for job in manifest.jobs]

    @property
    def sent_listeners(self) -> list[tuple[str, SentHook]]:
        return [hook for manifest in self.manifests for hook in manifest.on_sent]

    @property
    def failure_listeners(self) -> list[tuple[str, FailedHook]]:
        return [hook for manifest in self.manifests for hook in manifest.on_failed]


def build_features(
    database: Database, config: RoomsConfig, members: RoomMembers | None = None
) -> Features:
    """Every manifest, built from one setup; refused when two own one correlation."""
    vocabulary = load_cpts_vocabulary(config.vocabulary_file)
    setup = FeatureSetup(
        config=config,
        vocabulary=vocabulary,
        directory_index=DatabaseIndexProvider(database, vocabulary),
        recent_questions=RecentQuestions(),
        lookup=DirectoryProfessionalLookup(),
        members=members,
    )
    manifests = [manifest(setup) for manifest in MANIFESTS]
    clashes = prefix_clashes(manifests)
    if clashes:
        raise ValueError("correlation prefixes owned twice: " + "; ".join(clashes))
    return Features(manifests, setup.directory_index)


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
            wait_turn=gateway.throttle.quiet,
        )
        gateway.direct_room_state = [
            {"type": COMMANDS_EVENT_TYPE, "state_key": d.state_key, "content": d.content}
            for d in descriptions
        ]
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
        ahead = (
            DirectChatsAhead(
                database,
                gateway.direct_room,
                gateway.throttle.quiet,
                self.config.is_allowed,
                share_room_keys=gateway.share_keys_ahead,
                welcome=partial(welcome_joined, database, self.config, gateway),
            )
            if self.settings.prepare_direct_chats
            else None
        )
        sync = SyncLoop(
            client,
            database,
            may_invite=self.config.is_allowed,
            on_events=router.wake,
            on_first_sync=self._on_ready,
            gate=gate,
            settle=partial(answers_sent, router, gateway),
            on_member_joined=ahead.nudge if ahead is not None else None,
        )
        tasks = [
            asyncio.create_task(sync.run(self.stop_event), name="sync"),
            asyncio.create_task(router.run(self.stop_event), name="router"),
            asyncio.create_task(gateway.run(self.stop_event), name="outbox"),
            asyncio.create_task(publisher.run(self.synced, self.stop_event), name="commands"),
        ]
        if ahead is not None:
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
