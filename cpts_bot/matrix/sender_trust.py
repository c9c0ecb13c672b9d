"""Which senders' devices the bot believes, and which devices get its room keys.

Policies (``BotSettings.trust_policy``):

- ``cross_signed_only``: a device is trusted when its owner cross-signed it — its keys
  signed by the user's self-signing key, itself signed by the user's master key, every
  signature checked — and that master key is the one pinned for the user.
- ``trust_on_first_use``: every device of a user is trusted while the user's master
  key (if any) is the pinned one.

In both, a user's master key is pinned on first sight; when it changes, none of the
user's devices is trusted until a coordinator confirms the new key, and the coordination
room is warned. A sender whose message is ignored is told why, once per device, in
their direct chat with the bot (never in a shared room).

Reactions are the one kind of event believed without encryption in an encrypted room:
Element's library sends ``m.reaction`` in clear so that the homeserver can count them.
A reaction carries an emoji and the event it answers, no patient data, and its sender is
the account the homeserver authenticated; it is accepted from a user whose identity has
not changed (see :func:`decide_clear_event` and docs/e2ee.md).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from nio import AsyncClient, OlmUnverifiedDeviceError

from cpts_bot.core.messages import KIND_MESSAGE, KIND_REACTION, Reply
from cpts_bot.core.times import PARIS, from_iso
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.matrix.cross_signing import UserIdentity, query_identities
from cpts_bot.settings import RoomsConfig, TrustPolicy
from cpts_bot.storage import pinned_identities as pins
from cpts_bot.storage.core_repository import language_of
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
from cpts_bot.storage.pinned_identities import PinnedIdentity

logger = logging.getLogger(__name__)


class TrustReason(StrEnum):
    CROSS_SIGNED = "cross_signed"
    FIRST_USE = "first_use"  # trusted without cross-signing (trust_on_first_use)
    OWN_DEVICE = "own_device"
    UNSIGNED_DEVICE = "unsigned_device"
    NO_IDENTITY = "no_identity"
    IDENTITY_CHANGED = "identity_changed"
    UNKNOWN_DEVICE = "unknown_device"
    CLEAR_REACTION = "clear_reaction"  # an m.reaction sent in clear (Element Web does)
    NOT_ENCRYPTED = "not_encrypted"  # any other event sent in clear in an encrypted room


@dataclass(frozen=True)
class SenderDecision:
    """Whether to believe a device, and why."""

    trusted: bool
    reason: TrustReason


@dataclass(frozen=True)
class IdentityUpdate:
    """What to record about a user's master key: pin it, or note that it changed."""

    pin: str | None = None
    changed_key: str | None = None
    back_to_pinned: bool = False


def identity_update(identity: UserIdentity, pinned: PinnedIdentity | None) -> IdentityUpdate:
    """Pin on first sight; a master key other than the pinned one is a change (no I/O)."""
    master = identity.master_public_key
    if master is None:
        return IdentityUpdate()
    if pinned is None:
        return IdentityUpdate(pin=master)
    if pinned.master_key != master:
        return IdentityUpdate(changed_key=master)
    return IdentityUpdate(back_to_pinned=pinned.pending_master_key is not None)


def decide(
    policy: TrustPolicy,
    identity: UserIdentity,
    device_id: str | None,
    pinned: PinnedIdentity | None,
) -> SenderDecision:
    """The trust decision for ``device_id`` of ``identity.user_id`` (no I/O).

    ``pinned`` is the user's pinned identity *before* this sight: a first sight pins the
    current master key, so it counts as matching."""
    master = identity.master_public_key
    if device_id is None or device_id not in identity.devices:
        return SenderDecision(False, TrustReason.UNKNOWN_DEVICE)
    if master is None:
        if policy is TrustPolicy.TRUST_ON_FIRST_USE and pinned is None:
            return SenderDecision(True, TrustReason.FIRST_USE)
        return SenderDecision(False, TrustReason.NO_IDENTITY)
    if pinned is not None and pinned.master_key != master:
        return SenderDecision(False, TrustReason.IDENTITY_CHANGED)
    if identity.device_is_cross_signed(device_id):
        return SenderDecision(True, TrustReason.CROSS_SIGNED)
    if policy is TrustPolicy.TRUST_ON_FIRST_USE:
        return SenderDecision(True, TrustReason.FIRST_USE)
    return SenderDecision(False, TrustReason.UNSIGNED_DEVICE)


def decide_clear_event(kind: str, pinned: PinnedIdentity | None) -> SenderDecision:
    """The decision for an event sent unencrypted in an encrypted room (no I/O).

    Only a reaction is believed, and only while the user's identity has not changed: its
    sender is the account the homeserver authenticated, and it carries no patient data."""
    if kind != KIND_REACTION:
        return SenderDecision(False, TrustReason.NOT_ENCRYPTED)
    if pinned is not None and pinned.pending_master_key is not None:
        return SenderDecision(False, TrustReason.IDENTITY_CHANGED)
    return SenderDecision(True, TrustReason.CLEAR_REACTION)


# What was not taken into account (a message or a reaction), then why.
# The correlations of the bot's trust messages (owned by the kernel's manifest): a
# warning to the coordination that someone's identity changed, a notice to the sender.
TRUST_CHANGED = "trust:changed:"
TRUST_NOTICE = "trust:notice:"

NOT_READ = {
    KIND_MESSAGE: N_("Your message of {time} was not read."),
    KIND_REACTION: N_("Your reaction {key} of {time} was not taken into account."),
}
NOTICES = {
    TrustReason.UNSIGNED_DEVICE: N_(
        "Your session {device} is not verified. Verify it from another of your sessions "
        "(Settings > Sessions), then try again."
    ),
    TrustReason.NO_IDENTITY: N_(
        "Your account has no verified identity (cross-signing). Set up verification in "
        "your Matrix app, then try again."
    ),
    TrustReason.IDENTITY_CHANGED: N_(
        "Your identity (security keys) changed. A coordinator must confirm it before I "
        "answer you again."
    ),
    TrustReason.UNKNOWN_DEVICE: N_(
        "I could not identify the session it came from. Try again in a minute; if it "
        "happens again, verify your session (Settings > Sessions)."
    ),
}
IDENTITY_CHANGE_WARNING = N_(
    "⚠️ Identity change: the security keys of {user} changed. I ignore their messages "
    "until a coordinator confirms. Check with them first (phone, in person), then "
    "write: confiance {user}"
)


@dataclass(frozen=True)
class NoticeContext:
    """What a refused event was, for the notice to its sender."""

    kind: str = KIND_MESSAGE
    key: str = ""
    time: str = ""  # HH:MM, Paris time

    @classmethod
    def of(cls, kind: str, timestamp: datetime, key: str = "") -> NoticeContext:
        return cls(kind, key, f"{timestamp.astimezone(PARIS):%H:%M}")


def notice_text(
    translator: Translator, reason: str, device_id: str | None, what: NoticeContext
) -> str:
    """« Your reaction 👍 of 14:02 was not taken into account. » and the reason."""
    opening = translator.gettext(
        NOT_READ.get(what.kind, NOT_READ[KIND_MESSAGE]), key=what.key, time=what.time
    )
    return f"{opening} {translator.gettext(reason, device=device_id or '')}"


def notice_context(item: Any) -> NoticeContext:
    """The :class:`NoticeContext` of an inbox item (kind, payload with a timestamp)."""
    return NoticeContext.of(
        item.kind, from_iso(item.payload["timestamp"]), str(item.payload.get("key", ""))
    )


@dataclass
class _CachedIdentity:
    identity: UserIdentity
    fetched_at: datetime


@dataclass(eq=False)
class SenderTrustGate:
    """Decides per incoming event whether to believe its sender's device, records pins,
    warns and notices, and marks devices in nio's store for room key sharing."""

    database: Database
    policy: TrustPolicy
    config: RoomsConfig
    bot_user_id: str
    translator_for: Callable[[str], Translator] = Translator
    refresh_after: timedelta = timedelta(minutes=5)
    recheck_untrusted_after: timedelta = timedelta(seconds=10)
    fetch_identities: Callable[[AsyncClient, list[str]], Awaitable[dict[str, UserIdentity]]] = (
        query_identities
    )
    _cache: dict[str, _CachedIdentity] = field(init=False, default_factory=dict)
    # Pinned identities read outside a transaction, with the count of writes then.
    _pins_read: dict[str, tuple[tuple[int, int], PinnedIdentity | None]] = field(
        init=False, default_factory=dict
    )

    def forget(self, user_ids: Iterable[str]) -> None:
        """Drop cached keys, e.g. for the users of a sync's ``device_lists.changed``."""
        for user_id in user_ids:
            self._cache.pop(user_id, None)

    async def _identities(
        self, client: AsyncClient, user_ids: Iterable[str], now: datetime
    ) -> dict[str, UserIdentity]:
        wanted = sorted(set(user_ids))
        stale = [
            user_id
            for user_id in wanted
            if user_id not in self._cache
            or now - self._cache[user_id].fetched_at > self.refresh_after
        ]
        if stale:
            for user_id, identity in (await self.fetch_identities(client, stale)).items():
                self._cache[user_id] = _CachedIdentity(identity, now)
        return {user_id: self._cache[user_id].identity for user_id in wanted}

    def _plausibly_trusted(self, identity: UserIdentity, device_id: str | None) -> bool:
        if device_id is None or device_id not in identity.devices:
            return False
        return self.policy is TrustPolicy.TRUST_ON_FIRST_USE or identity.device_is_cross_signed(
            device_id
        )

    async def check(
        self,
        client: AsyncClient,
        sender: str,
        device_id: str | None,
        *,
        room_id: str,
        event_id: str,
        now: datetime,
        what: NoticeContext | None = None,
    ) -> SenderDecision:
        """Decide whether to handle an event ``sender`` sent from ``device_id`` (None when
        the device could not be authenticated, see :func:`authenticated_device_id`).

        When untrusted, the caller drops the event; the sender is told why (once per
        device and reason, in their direct chat) and the coordinators are warned of an
        identity change, both queued in the outbox in this call's own transaction.
        ``what`` describes the event for that notice (a message by default)."""
        if sender == self.bot_user_id and device_id == client.device_id:
            return SenderDecision(True, TrustReason.OWN_DEVICE)
        identity = (await self._identities(client, [sender], now))[sender]
        if (
            not self._plausibly_trusted(identity, device_id)
            and now - self._cache[sender].fetched_at > self.recheck_untrusted_after
        ):
            # The device may have been signed (or created) since the keys were cached.
            self.forget([sender])
            identity = (await self._identities(client, [sender], now))[sender]
        pinned = await self._pinned(self.database, sender)
        decision = decide(self.policy, identity, device_id, pinned)
        update = identity_update(identity, pinned)
        if update != IdentityUpdate() or not decision.trusted:
            async with self.database.transaction() as db:
                pinned = await self._pinned(db, sender)
                decision = decide(self.policy, identity, device_id, pinned)
                pinned = await self._record(db, identity, pinned, now)
                if not decision.trusted:
                    await self._notice(
                        db,
                        sender,
                        device_id,
                        decision,
                        what or NoticeContext.of(KIND_MESSAGE, now),
                        now,
                    )
            self._apply_to_store(client, identity, pinned)
        if not decision.trusted:
            logger.info(
                "Ignoring event %s of %s (device %s): %s",
                event_id,
                sender,
                device_id,
                decision.reason,
            )
        return decision

    async def check_clear(
        self, sender: str, kind: str, *, event_id: str, now: datetime
    ) -> SenderDecision:
        """Decide whether to handle an event ``sender`` sent unencrypted in an encrypted
        room (see :func:`decide_clear_event`). Nothing is sent: a refused clear event
        gets no notice (a client that sends messages in clear there is not Element)."""
        pinned = await self._pinned(self.database, sender)
        decision = decide_clear_event(kind, pinned)
        if not decision.trusted:
            logger.info("Ignoring clear event %s of %s: %s", event_id, sender, decision.reason)
        return decision

    async def apply_device_trust(
        self, client: AsyncClient, user_ids: Iterable[str], now: datetime
    ) -> None:
        """Mark every known device of ``user_ids`` in nio's store: verified when the policy
        trusts it, blacklisted otherwise, so that ``room_send(...,
        ignore_unverified_devices=False)`` shares room keys only with trusted devices.
        Call after nio's own ``keys_query`` (``client.should_query_keys``)."""
        identities = await self._identities(client, user_ids, now)
        async with self.database.transaction() as db:
            for identity in identities.values():
                pinned = await self._pinned(db, identity.user_id)
                pinned = await self._record(db, identity, pinned, now)
                self._apply_to_store(client, identity, pinned)

    def needs_trust_update(
        self, client: AsyncClient, user_ids: Iterable[str], now: datetime
    ) -> bool:
        """True when a member's identity is not cached (or stale), or one of their devices
        is neither verified nor blacklisted in nio's store: only then is the (costly)
        :meth:`apply_device_trust` worth running before a send."""
        for user_id in user_ids:
            cached = self._cache.get(user_id)
            if cached is None or now - cached.fetched_at > self.refresh_after:
                return True
            for device in client.device_store.active_user_devices(user_id):
                if user_id == client.user_id and device.id == client.device_id:
                    continue
                if not (device.verified or device.blacklisted):
                    return True
        return False

    async def _pinned(self, db: Any, user_id: str) -> PinnedIdentity | None:
        # The bot's own identity is the one on the server (an operator may reset it).
        if user_id == self.bot_user_id:
            return None
        if not isinstance(db, Database):
            return await pins.get_pinned(db, user_id)
        # Outside a transaction (each message's check): read again only after a write of
        # pinned identities, or a rollback (the read may have seen a write undone since).
        writes = (pins.writes(), db.rollbacks)
        known = self._pins_read.get(user_id)
        if known is None or known[0] != writes:
            known = self._pins_read[user_id] = (writes, await pins.read_pinned(db, user_id))
        return known[1]

    async def _record(
        self, db: Any, identity: UserIdentity, pinned: PinnedIdentity | None, now: datetime
    ) -> PinnedIdentity | None:
        """Record a first sight or a change; return the pinned identity as it now is."""
        user_id = identity.user_id
        if user_id == self.bot_user_id:
            return None
        update = identity_update(identity, pinned)
        if update.pin:
            await pins.pin(db, user_id, update.pin, now)
            return await pins.get_pinned(db, user_id)
        if update.back_to_pinned:
            # Confirming later must not switch to a key the user no longer has.
            await pins.clear_pending(db, user_id)
            return await pins.get_pinned(db, user_id)
        if update.changed_key and await pins.record_change(db, user_id, update.changed_key, now):
            logger.warning(
                "Master key of %s changed to %s: awaiting a coordinator",
                user_id,
                update.changed_key,
            )
            room = self.config.rooms.coordination
            if room:
                translator = self.translator_for(self.config.language)
                text = translator.gettext(IDENTITY_CHANGE_WARNING, user=user_id)
                outbox = OutboxWriter(db, now)
                await outbox.send(
                    room,
                    Reply(text, mentions=tuple(self.config.coordinators)),
                    notice=False,
                    correlation=TRUST_CHANGED + user_id,
                )
                await pins.mark_warned(db, user_id, now)
        return pinned

    async def _notice(
        self,
        db: Any,
        sender: str,
        device_id: str | None,
        decision: SenderDecision,
        what: NoticeContext,
        now: datetime,
    ) -> None:
        message = NOTICES.get(decision.reason)
        if message is None or not await pins.claim_notice(
            db, sender, device_id or "", decision.reason.value, now
        ):
            return
        translator = self.translator_for(await _language_of(db, sender, self.config.language))
        await OutboxWriter(db, now).send_direct(
            sender,
            Reply(notice_text(translator, message, device_id, what)),
            correlation=TRUST_NOTICE + sender,
        )

    def _apply_to_store(
        self, client: AsyncClient, identity: UserIdentity, pinned: PinnedIdentity | None
    ) -> None:
        if client.olm is None:
            return
        for device in client.device_store.active_user_devices(identity.user_id):
            if identity.user_id == client.user_id and device.id == client.device_id:
                continue
            verdict = decide(self.policy, identity, device.id, pinned)
            keys = identity.devices.get(device.id, {}).get("keys", {})
            # nio's copy of the device must be the one whose signatures were checked.
            # Marked only when its mark changes: nio's default trust store takes every
            # mark as a change, adds a line to its file each time, and nio then drops
            # the room key of every room of that person (the next message shares a new
            # one: a key claim and a to-device message per room, at the worst moment).
            if verdict.trusted and keys.get(f"ed25519:{device.id}") == device.ed25519:
                if not device.verified:
                    client.verify_device(device)
            elif not device.blacklisted:
                client.blacklist_device(device)


async def send_to_trusted_devices(
    client: AsyncClient,
    gate: SenderTrustGate,
    room_id: str,
    event_type: str,
    content: dict[str, Any],
    *,
    tx_id: str | None,
    now: datetime,
) -> Any:
    """``room_send`` that shares the room key only with the devices the policy trusts.

    Devices are marked verified or blacklisted first, and ``ignore_unverified_devices``
    is False, so that a device that appears between that and nio's own key query is not
    given the key silently: nio raises, the device is classified, and the send is tried
    again. Returns nio's response (a ``RoomSendResponse`` or an error response)."""
    return await _with_trusted_devices(
        client,
        gate,
        room_id,
        now,
        lambda: client.room_send(
            room_id, event_type, content, tx_id=tx_id, ignore_unverified_devices=False
        ),
    )


async def share_key_with_trusted_devices(
    client: AsyncClient, gate: SenderTrustGate, room_id: str, *, now: datetime
) -> Any:
    """The room key of ``room_id`` shared ahead of its first message, with the devices
    the policy trusts, as :func:`send_to_trusted_devices` would share it; nio's response."""
    return await _with_trusted_devices(
        client,
        gate,
        room_id,
        now,
        lambda: client.share_group_session(room_id, ignore_unverified_devices=False),
    )


async def _with_trusted_devices(
    client: AsyncClient,
    gate: SenderTrustGate,
    room_id: str,
    now: datetime,
    call: Callable[[], Awaitable[Any]],
) -> Any:
    """``call`` (which shares the room key if need be) once the members' devices are
    classified; a device that appears meanwhile is classified and ``call`` tried again."""
    if client.should_query_keys:
        await client.keys_query()
    room = client.rooms.get(room_id)
    members = list(room.users) if room is not None else []
    if gate.needs_trust_update(client, members, now):
        await gate.apply_device_trust(client, members, now)
    for attempt in range(3):
        try:
            return await call()
        except OlmUnverifiedDeviceError as error:
            if attempt == 2:
                raise
            gate.forget([error.device.user_id])
            await gate.apply_device_trust(client, [error.device.user_id], now)
    raise AssertionError("unreachable")


async def _language_of(db: Any, user_id: str, default: str) -> str:
    return await language_of(db, user_id) or default


def authenticated_device_id(client: AsyncClient, event: Any) -> str | None:
    """The id of the device that really sent a decrypted room event, or None.

    The device is found from the Megolm session the event was decrypted with — its
    Curve25519 and Ed25519 keys, which came over an Olm channel — never from the
    ``device_id`` the sender wrote in the event. None when the session came through a
    forwarded key or the keys match no known device of the sender.
    """
    if client.olm is None:
        return None
    sender_key = getattr(event, "sender_key", None)
    session_id = getattr(event, "session_id", None)
    room_id = getattr(event, "room_id", None)
    if not (sender_key and session_id and room_id):
        return None
    session = client.olm.inbound_group_store.get(room_id, sender_key, session_id)
    if session is None or session.forwarding_chain:
        return None
    for device in client.device_store.active_user_devices(event.sender):
        if device.curve25519 == sender_key and device.ed25519 == session.ed25519:
            return device.id
    return None
